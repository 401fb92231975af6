import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import {
  catalogRows,
  exists,
  jsonDocuments,
  lockfilePathOf,
  makeRepo,
  readLockfileJson,
  runIn,
  startTestRegistry,
  type TempRepo,
} from "./_cli_harness.ts";
import { LOCK_GIVE_UP_MESSAGE } from "./lock.ts";
import { MUTANT_NAMES } from "./mutants.ts";
import { join } from "./posix_path.ts";
import type { Registry } from "../sim/run/registry.ts";
import { eventMarkerPath, exitMarkerPath } from "../faults/rule.ts";
import {
  eventsAt,
  openReferenceWorkspace,
  runCommand,
  runUnderShim,
  testRule,
  testShimConfig,
  waitForPath,
} from "../faults/testing.ts";

const ALPHA_MAIN = ".swamp/pulled-extensions/@fix/alpha/models/main.ts";

/** Runs `body` with a registry and two fresh repos: one for the clean reference, one for the mutant. */
async function withPair(
  body: (registry: Registry, clean: TempRepo, mutant: TempRepo) => Promise<void>,
): Promise<void> {
  const registry = await startTestRegistry();
  const [clean, mutant] = await Promise.all([makeRepo(), makeRepo()]);
  try {
    await body(registry, clean, mutant);
  } finally {
    await Promise.all([clean.dispose(), mutant.dispose()]);
    await registry.close();
  }
}

async function holdLock(repo: TempRepo): Promise<void> {
  await Deno.mkdir(join(repo.repoDir, "extensions/models"), { recursive: true });
  await Deno.writeTextFile(`${lockfilePathOf(repo.repoDir)}.lock`, "");
}

Deno.test("mutants: every required name is known", () => {
  assert.deepEqual([...MUTANT_NAMES].sort(), [
    "catalog-no-busy-handling",
    "install-catalog-first",
    "list-stale-cache",
    "lock-early-release",
    "lock-no-retry",
    "lockfile-in-place-write",
    "lockfile-unlocked-write",
    "no-duplicate-rollback",
    "remove-files-first",
    "rm-idempotent-success",
    "save-all-per-row",
    "upgrade-no-tombstone",
  ]);
});

Deno.test("mutant lockfile-unlocked-write pulls past a held .lock that stops the clean pull", async () => {
  await withPair(async (registry, clean, mutant) => {
    await Promise.all([holdLock(clean), holdLock(mutant)]);
    const [c, m] = await Promise.all([
      runIn(clean.repoDir, registry.url, ["extension", "pull", "@fix/alpha"]),
      runIn(
        mutant.repoDir,
        registry.url,
        ["extension", "pull", "@fix/alpha"],
        "lockfile-unlocked-write",
      ),
    ]);
    assert.equal(c.code, 1);
    assert.deepEqual(JSON.parse(c.stderr), { error: LOCK_GIVE_UP_MESSAGE });
    assert.equal(m.code, 0, m.stderr);
    assert.deepEqual(Object.keys((await readLockfileJson(mutant.repoDir)) ?? {}), ["@fix/alpha"]);
  });
});

Deno.test("mutant lockfile-in-place-write keeps the lockfile's inode, the clean write replaces it", async () => {
  await withPair(async (registry, clean, mutant) => {
    const inodes = async (repo: TempRepo, name: string) => {
      assert.equal(
        (await runIn(repo.repoDir, registry.url, ["extension", "pull", "@fix/alpha"], name)).code,
        0,
      );
      const before = (await Deno.stat(lockfilePathOf(repo.repoDir))).ino;
      assert.equal(
        (await runIn(repo.repoDir, registry.url, ["extension", "pull", "@fix/up"], name)).code,
        0,
      );
      return [before, (await Deno.stat(lockfilePathOf(repo.repoDir))).ino];
    };
    const [[c0, c1], [m0, m1]] = await Promise.all([
      inodes(clean, ""),
      inodes(mutant, "lockfile-in-place-write"),
    ]);
    assert.notEqual(c0, c1);
    assert.equal(m0, m1);
  });
});

Deno.test("mutant install-catalog-first leaves catalog rows without a lockfile entry when the lock is held", async () => {
  await withPair(async (registry, clean, mutant) => {
    await Promise.all([holdLock(clean), holdLock(mutant)]);
    const [c, m] = await Promise.all([
      runIn(clean.repoDir, registry.url, ["extension", "pull", "@fix/alpha"]),
      runIn(
        mutant.repoDir,
        registry.url,
        ["extension", "pull", "@fix/alpha"],
        "install-catalog-first",
      ),
    ]);
    assert.equal(c.code, 1);
    assert.equal(m.code, 1);
    for (const repo of [clean, mutant]) {
      assert.equal(await readLockfileJson(repo.repoDir), null);
      assert.ok(await exists(join(repo.repoDir, ALPHA_MAIN)), "files extracted in both");
    }
    assert.deepEqual(catalogRows(clean.repoDir), []);
    assert.deepEqual(catalogRows(mutant.repoDir).map((r) => r.extension_name), ["@fix/alpha"]);
  });
});

Deno.test("mutant remove-files-first deletes files and keeps rows when the lock is held", async () => {
  await withPair(async (registry, clean, mutant) => {
    await Promise.all([clean, mutant].map(async (repo) => {
      assert.equal(
        (await runIn(repo.repoDir, registry.url, ["extension", "pull", "@fix/alpha"])).code,
        0,
      );
      await holdLock(repo);
    }));
    const [c, m] = await Promise.all([
      runIn(clean.repoDir, registry.url, ["extension", "rm", "@fix/alpha"]),
      runIn(mutant.repoDir, registry.url, ["extension", "rm", "@fix/alpha"], "remove-files-first"),
    ]);
    assert.equal(c.code, 1);
    assert.equal(m.code, 1);
    assert.deepEqual(catalogRows(clean.repoDir), [], "clean: catalog first");
    assert.ok(await exists(join(clean.repoDir, ALPHA_MAIN)), "clean: files last");
    assert.equal(catalogRows(mutant.repoDir).length, 1, "mutant: catalog last");
    assert.ok(!(await exists(join(mutant.repoDir, ALPHA_MAIN))), "mutant: files first");
  });
});

Deno.test("mutant no-duplicate-rollback leaves the colliding files and lockfile entry", async () => {
  await withPair(async (registry, clean, mutant) => {
    const clash = async (repo: TempRepo, name: string) => {
      assert.equal(
        (await runIn(repo.repoDir, registry.url, ["extension", "pull", "@fix/alpha"])).code,
        0,
      );
      const run = await runIn(
        repo.repoDir,
        registry.url,
        ["extension", "pull", "@fix/clash"],
        name,
      );
      assert.equal(run.code, 1);
      assert.ok(JSON.parse(run.stderr).duplicateType);
    };
    await Promise.all([clash(clean, ""), clash(mutant, "no-duplicate-rollback")]);
    const x = ".swamp/pulled-extensions/@fix/clash/models/x.ts";
    assert.ok(!(await exists(join(clean.repoDir, x))));
    assert.ok(await exists(join(mutant.repoDir, x)));
    assert.deepEqual(Object.keys((await readLockfileJson(clean.repoDir)) ?? {}), ["@fix/alpha"]);
    assert.deepEqual(Object.keys((await readLockfileJson(mutant.repoDir)) ?? {}), [
      "@fix/alpha",
      "@fix/clash",
    ]);
  });
});

Deno.test("mutant upgrade-no-tombstone leaves the old version's rows after an update", async () => {
  await withPair(async (registry, clean, mutant) => {
    const upgrade = async (repo: TempRepo, name: string) => {
      const run = (...args: string[]) => runIn(repo.repoDir, registry.url, args, name);
      assert.equal((await run("extension", "pull", "@fix/up@2026.04.01.1")).code, 0);
      const updated = await run("extension", "update");
      assert.equal(updated.code, 0, updated.stderr);
      return catalogRows(repo.repoDir).map((r) =>
        `${r.source_path.split("/").pop()}@${r.extension_version}`
      );
    };
    const [c, m] = await Promise.all([upgrade(clean, ""), upgrade(mutant, "upgrade-no-tombstone")]);
    assert.deepEqual(c, ["keep.ts@2026.04.02.1"]);
    assert.deepEqual(m, ["keep.ts@2026.04.02.1", "old.ts@2026.04.01.1"]);
  });
});

Deno.test("mutant catalog-no-busy-handling fails at once on a held catalog, clean retries and commits once it is free", async () => {
  const ws = await openReferenceWorkspace();
  const holders: DatabaseSync[] = [];
  try {
    const mutantRepo = `${ws.dir}/mutant`;
    await ws.init(mutantRepo);
    const hold = async (repo: string) => {
      assert.equal(
        (await runCommand(ws.argvAt(repo, "extension", "list"), { env: ws.env })).code,
        0,
      );
      const db = new DatabaseSync(join(repo, ".swamp/_extension_catalog.db"));
      holders.push(db);
      db.exec("BEGIN IMMEDIATE");
      return db;
    };
    const clean = await hold(ws.repo);
    const mutant = await hold(mutantRepo);
    // The mutant (a repo of its own) gives up while the other writer still holds its catalog:
    // the writer commits only after the mutant exited.
    const m = await runUnderShim(
      ws.argvAt(mutantRepo, "extension", "pull", "@fix/alpha"),
      testShimConfig(ws.dir, [], { process: 1 }),
      { env: { ...ws.env, SWAMP_REF_MUTANT: "catalog-no-busy-handling" } },
    );
    mutant.exec("COMMIT");
    assert.equal(m.code, 1);
    assert.match(
      JSON.parse(m.stderr).error,
      /^Install partially applied for @fix\/alpha .*database is locked/,
    );
    assert.equal(eventsAt(m.events, "catalog.begin", "before").length, 1, "no retry");
    // The clean pull is parked after its first attempt was rolled back, until the writer committed.
    const rolledBack = { point: "catalog.rollback" as const, phase: "after" as const, hit: 1 };
    const config = {
      ...testShimConfig(ws.dir, [
        testRule({
          at: "catalog.rollback",
          when: "after",
          action: { kind: "pause", timeoutMs: 60_000, untilExitOf: [9] },
        }),
      ], { process: 0 }),
      publish: [rolledBack],
    };
    const running = runUnderShim(ws.argv("extension", "pull", "@fix/alpha"), config, {
      env: ws.env,
    });
    await waitForPath(eventMarkerPath(ws.dir, 0, rolledBack));
    clean.exec("COMMIT");
    await Deno.writeTextFile(exitMarkerPath(ws.dir, 9), "");
    const c = await running;
    assert.equal(c.code, 0, c.stderr);
    assert.ok(eventsAt(c.events, "catalog.begin", "before").length >= 2, "it retried");
    assert.deepEqual(
      eventsAt(c.events, "catalog.commit", "after").map((e) => e.threw),
      [false],
    );
  } finally {
    for (const db of holders) {
      try {
        if (db.isTransaction) db.exec("COMMIT");
      } finally {
        db.close();
      }
    }
    await ws.close();
  }
});

Deno.test("mutant save-all-per-row leaves a committed row behind on a DuplicateTypeError", async () => {
  await withPair(async (registry, clean, mutant) => {
    const clash = async (repo: TempRepo, name: string) => {
      assert.equal(
        (await runIn(repo.repoDir, registry.url, ["extension", "pull", "@fix/alpha"])).code,
        0,
      );
      assert.equal(
        (await runIn(repo.repoDir, registry.url, ["extension", "pull", "@fix/clash"], name)).code,
        1,
      );
      return catalogRows(repo.repoDir).map((r) => r.extension_name);
    };
    const [c, m] = await Promise.all([clash(clean, ""), clash(mutant, "save-all-per-row")]);
    assert.deepEqual(c, ["@fix/alpha"]);
    assert.deepEqual(m, ["@fix/alpha", "@fix/clash"]);
  });
});

Deno.test("mutant lock-no-retry gives up at its first attempt on a held .lock, clean retries and takes it once it is gone", async () => {
  const ws = await openReferenceWorkspace();
  try {
    const mutantRepo = `${ws.dir}/mutant`;
    await ws.init(mutantRepo);
    const hold = async (repo: string) => {
      const lock = `${lockfilePathOf(repo)}.lock`;
      await Deno.mkdir(lock.slice(0, lock.lastIndexOf("/")), { recursive: true });
      await Deno.writeTextFile(lock, "");
      return lock;
    };
    const lock = await hold(ws.repo);
    await hold(mutantRepo);
    // The mutant (a repo of its own) meets the held lock once and gives up.
    const m = await runUnderShim(
      ws.argvAt(mutantRepo, "extension", "pull", "@fix/alpha"),
      testShimConfig(ws.dir, [], { process: 1 }),
      { env: { ...ws.env, SWAMP_REF_MUTANT: "lock-no-retry" } },
    );
    assert.equal(m.code, 1);
    assert.deepEqual(JSON.parse(m.stderr), { error: LOCK_GIVE_UP_MESSAGE });
    assert.deepEqual(eventsAt(m.events, "lock.acquire", "after").map((e) => e.threw), [true]);
    // The clean pull is parked right after its first refused attempt, until the lock is gone.
    const refused = { point: "lock.acquire" as const, phase: "after" as const, hit: 1 };
    const config = {
      ...testShimConfig(ws.dir, [
        testRule({
          at: "lock.acquire",
          when: "after",
          action: { kind: "pause", timeoutMs: 60_000, untilExitOf: [9] },
        }),
      ], { process: 0 }),
      publish: [refused],
    };
    const running = runUnderShim(ws.argv("extension", "pull", "@fix/alpha"), config, {
      env: ws.env,
    });
    await waitForPath(eventMarkerPath(ws.dir, 0, refused));
    await Deno.remove(lock);
    await Deno.writeTextFile(exitMarkerPath(ws.dir, 9), "");
    const c = await running;
    assert.equal(c.code, 0, c.stderr);
    assert.deepEqual(eventsAt(c.events, "lock.acquire", "after").map((e) => e.threw), [
      true,
      false,
    ]);
    assert.deepEqual(Object.keys((await readLockfileJson(ws.repo)) ?? {}), ["@fix/alpha"]);
  } finally {
    await ws.close();
  }
});

Deno.test("mutant lock-early-release still writes a correct lockfile for a single writer", async () => {
  await withPair(async (registry, _clean, mutant) => {
    const run = await runIn(
      mutant.repoDir,
      registry.url,
      ["extension", "pull", "@fix/alpha"],
      "lock-early-release",
    );
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(Object.keys((await readLockfileJson(mutant.repoDir)) ?? {}), ["@fix/alpha"]);
    assert.ok(!(await exists(`${lockfilePathOf(mutant.repoDir)}.lock`)));
  });
});

Deno.test("mutant rm-idempotent-success answers removed for an extension that is not installed", async () => {
  await withPair(async (registry, clean, mutant) => {
    const [c, m] = await Promise.all([
      runIn(clean.repoDir, registry.url, ["extension", "rm", "@fix/alpha"]),
      runIn(
        mutant.repoDir,
        registry.url,
        ["extension", "rm", "@fix/alpha"],
        "rm-idempotent-success",
      ),
    ]);
    assert.equal(c.code, 1);
    assert.deepEqual(JSON.parse(c.stderr), { error: "Extension @fix/alpha is not installed." });
    assert.equal(m.code, 0, m.stderr);
    assert.deepEqual(jsonDocuments(m.stdout), [{
      removed: {
        name: "@fix/alpha",
        version: "",
        filesDeleted: 0,
        filesSkipped: 0,
        dirsRemoved: 0,
      },
    }]);
    // The lie changes nothing: both repos end the same.
    for (const repo of [clean, mutant]) assert.equal(await readLockfileJson(repo.repoDir), null);
  });
});

Deno.test("mutant list-stale-cache still lists an extension after its rm", async () => {
  await withPair(async (registry, clean, mutant) => {
    const listAfterRm = async (repo: TempRepo, name: string) => {
      const run = (args: string[]) => runIn(repo.repoDir, registry.url, args, name);
      assert.equal((await run(["extension", "pull", "@fix/alpha"])).code, 0);
      assert.equal((await run(["extension", "list"])).code, 0);
      assert.equal((await run(["extension", "rm", "@fix/alpha"])).code, 0);
      const list = await run(["extension", "list"]);
      assert.equal(list.code, 0, list.stderr);
      const [doc] = jsonDocuments(list.stdout) as Array<{ extensions: Array<{ name: string }> }>;
      return doc.extensions.map((e) => e.name);
    };
    const [c, m] = await Promise.all([
      listAfterRm(clean, ""),
      listAfterRm(mutant, "list-stale-cache"),
    ]);
    assert.deepEqual(c, []);
    assert.deepEqual(m, ["@fix/alpha"]);
    assert.deepEqual(await readLockfileJson(mutant.repoDir), {});
  });
});
