import assert from "node:assert/strict";
import { ExtensionCatalogStore, isLockError, MAX_RETRIES, retryDelayMs } from "./catalog.ts";
import { join } from "./posix_path.ts";

async function withStore(
  body: (store: ExtensionCatalogStore, path: string) => Promise<void> | void,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "swamp_ref_catalog_" });
  const path = join(dir, ".swamp", "_extension_catalog.db");
  const store = ExtensionCatalogStore.open(path);
  try {
    await body(store, path);
  } finally {
    store.close();
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("ExtensionCatalogStore.open() creates the schema in WAL mode with busy_timeout 5000", async () => {
  await withStore((store) => {
    const mode = store.db.prepare("PRAGMA journal_mode").get() as { journal_mode: string };
    assert.equal(mode.journal_mode, "wal");
    const timeout = store.db.prepare("PRAGMA busy_timeout").get() as Record<string, number>;
    assert.equal(Object.values(timeout)[0], 5000);
    const indexes = store.db.prepare(
      "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'bundle_types' AND name LIKE 'idx_%' ORDER BY name",
    ).all().map((r) => (r as { name: string }).name);
    assert.deepEqual(indexes, [
      "idx_bundle_types_extends",
      "idx_bundle_types_kind",
      "idx_bundle_types_type",
    ]);
    const unique = store.db.prepare("PRAGMA index_list(bundle_types)").all()
      .filter((r) =>
        String((r as { name: string }).name).startsWith("idx_") && (r as { unique: number }).unique
      );
    assert.deepEqual(unique, [], "(kind, type_normalized) has no UNIQUE constraint");
    assert.equal(store.getMeta("migration_applied:per-extension-aggregate-v3"), "true");
  });
});

Deno.test("runInTransaction() retries the whole callback on lock errors, then gives up", async () => {
  await withStore((store) => {
    let calls = 0;
    const result = store.runInTransaction(() => {
      calls++;
      if (calls < 3) throw new Error("database is locked");
      store.setMeta("k", "v");
      return "done";
    });
    assert.equal(result, "done");
    assert.equal(calls, 3);
    assert.equal(store.getMeta("k"), "v");

    let otherCalls = 0;
    assert.throws(() =>
      store.runInTransaction(() => {
        otherCalls++;
        throw new Error("no such table: nope");
      }), /no such table/);
    assert.equal(otherCalls, 1, "only lock errors are retried");

    let lockedCalls = 0;
    const startMs = performance.now();
    assert.throws(() =>
      store.runInTransaction(() => {
        lockedCalls++;
        store.setMeta("partial", "x");
        throw new Error("SQLITE_BUSY: database is busy");
      }), /database is busy/);
    assert.equal(lockedCalls, MAX_RETRIES + 1);
    assert.ok(performance.now() - startMs >= 3000, "slept 100+200+400+800+1600 ms");
    assert.equal(store.getMeta("partial"), null, "every attempt rolled back");
  });
});

Deno.test("runInTransaction() waits for a writer in another process (busy_timeout)", async () => {
  await withStore(async (store, path) => {
    const now = () => performance.timeOrigin + performance.now();
    // The writer holds its transaction for holdMs, then says when it commits. The wait is
    // shown when this process began its write before that commit (on a loaded machine it
    // may begin only after: the hold then grows, so the check never rests on a margin).
    for (const holdMs of [300, 1_000, 3_000, 10_000]) {
      const child = new Deno.Command(Deno.execPath(), {
        args: [
          "eval",
          `import { DatabaseSync } from "node:sqlite";
          const db = new DatabaseSync(${JSON.stringify(path)});
          db.exec("BEGIN IMMEDIATE");
          console.log("held");
          await new Promise((r) => setTimeout(r, ${holdMs}));
          console.log(performance.timeOrigin + performance.now());
          db.exec("COMMIT");`,
        ],
        stdout: "piped",
      }).spawn();
      const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
      let text = "";
      while (!text.includes("held\n")) text += (await reader.read()).value ?? "";
      const startMs = now();
      store.runInTransaction(() => store.setMeta(`after-${holdMs}`, "1"));
      const endMs = now();
      while (text.split("\n").length < 3) text += (await reader.read()).value ?? "";
      reader.releaseLock();
      await child.stdout.cancel().catch(() => {});
      assert.equal((await child.status).code, 0);
      assert.equal(store.getMeta(`after-${holdMs}`), "1");
      const commitMs = Number(text.split("\n")[1]);
      if (startMs >= commitMs) continue; // began after the commit: nothing was shown, hold longer
      assert.ok(endMs >= commitMs, "the write ended only once the other writer committed");
      return;
    }
    assert.fail("the other writer always committed before this process began its write");
  });
});

Deno.test("isLockError() and retryDelayMs() follow swamp's backoff", () => {
  assert.ok(isLockError(new Error("database is locked")));
  assert.ok(isLockError(new Error("Database Is Busy")));
  assert.ok(!isLockError(new Error("disk I/O error")));
  assert.deepEqual([0, 1, 2, 3, 4].map((n) => retryDelayMs(n, 0)), [100, 200, 400, 800, 1600]);
  assert.equal(retryDelayMs(0, 49), 149);
});
