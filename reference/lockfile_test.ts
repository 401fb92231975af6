import assert from "node:assert/strict";
import { UserError } from "./errors.ts";
import { LOCK_GIVE_UP_MESSAGE } from "./lock.ts";
import { LockfileRepository, readLockfile } from "./lockfile.ts";
import { join } from "./posix_path.ts";

async function withDir(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "swamp_ref_lockfile_" });
  try {
    await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("readLockfile() reads a missing file as {} and throws the raw SyntaxError on bad JSON", async () => {
  await withDir(async (dir) => {
    const path = join(dir, "upstream_extensions.json");
    assert.deepEqual(await readLockfile(path), {});
    await Deno.writeTextFile(path, "{ not json");
    await assert.rejects(() => readLockfile(path), SyntaxError);
  });
});

Deno.test("writeEntry() re-reads the lockfile under the lock and appends new keys", async () => {
  await withDir(async (dir) => {
    const path = join(dir, "models", "upstream_extensions.json");
    const repo = await LockfileRepository.create(path);
    await Deno.mkdir(join(dir, "models"));
    await Deno.writeTextFile(
      path,
      JSON.stringify({ "@a/one": { version: "2026.01.01.1", pulledAt: "x" } }),
    );
    await repo.writeEntry("@a/two", "2026.01.02.1", ["b", "a", "B"], {
      checksum: "ff",
      serverUrl: "http://r",
    });
    const text = await Deno.readTextFile(path);
    assert.ok(text.endsWith("}\n"));
    assert.ok(text.includes('\n  "@a/one": {\n    "version"'), "2-space indentation");
    const map = JSON.parse(text);
    assert.deepEqual(Object.keys(map), ["@a/one", "@a/two"]);
    assert.deepEqual(Object.keys(map["@a/two"]), [
      "version",
      "pulledAt",
      "files",
      "checksum",
      "serverUrl",
    ]);
    assert.deepEqual(map["@a/two"].files, ["B", "a", "b"]);
    assert.equal(
      repo.getEntry("@a/one")?.version,
      "2026.01.01.1",
      "cache refreshed from the re-read",
    );
    assert.equal(
      await Deno.stat(`${path}.lock`).catch(() => null),
      null,
      ".lock removed after success",
    );
  });
});

Deno.test("LockfileRepository reads answer from the snapshot taken at create()", async () => {
  await withDir(async (dir) => {
    const path = join(dir, "upstream_extensions.json");
    const repo = await LockfileRepository.create(path);
    const other = await LockfileRepository.create(path);
    await other.writeEntry("@a/b", "2026.01.01.1", []);
    assert.equal(repo.getEntry("@a/b"), null);
    assert.equal(other.getLockedVersion("@a/b"), "2026.01.01.1");
    assert.equal((await LockfileRepository.create(path)).getLockedVersion("@a/b"), "2026.01.01.1");
  });
});

Deno.test("writeEntry() lets 5 concurrent in-process writers all land", async () => {
  await withDir(async (dir) => {
    const path = join(dir, "upstream_extensions.json");
    const writers = await Promise.all([0, 1, 2, 3, 4].map(() => LockfileRepository.create(path)));
    await Promise.all(writers.map((w, i) => w.writeEntry(`@w/n${i}`, "2026.01.01.1", [`f${i}`])));
    const map = await readLockfile(path);
    assert.deepEqual(Object.keys(map).sort(), ["@w/n0", "@w/n1", "@w/n2", "@w/n3", "@w/n4"]);
    const leftovers = (await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name).sort();
    assert.deepEqual(leftovers, ["upstream_extensions.json"], "no .lock or .tmp left");
  });
});

Deno.test("writeEntry() gives up with a UserError after ~0.9 s when the .lock exists", async () => {
  await withDir(async (dir) => {
    const path = join(dir, "upstream_extensions.json");
    await Deno.writeTextFile(`${path}.lock`, "");
    const repo = await LockfileRepository.create(path);
    const startMs = performance.now();
    const error = await repo.writeEntry("@a/b", "2026.01.01.1", []).then(() => null, (e) => e);
    const elapsedMs = performance.now() - startMs;
    assert.ok(error instanceof UserError);
    assert.equal(error.message, LOCK_GIVE_UP_MESSAGE);
    assert.equal(error.code, undefined);
    // 9 pauses of 100 ms between 10 attempts; load only stretches it, so no upper bound.
    assert.ok(elapsedMs >= 850, `gave up after ${elapsedMs} ms`);
    assert.ok(await Deno.stat(`${path}.lock`), "a foreign .lock is left alone");
    assert.deepEqual(await readLockfile(path), {});
  });
});

Deno.test("writeEntry() replaces the lockfile by tmp + rename (new inode, no tmp left)", async () => {
  await withDir(async (dir) => {
    const path = join(dir, "upstream_extensions.json");
    const repo = await LockfileRepository.create(path);
    await repo.writeEntry("@a/b", "2026.01.01.1", []);
    const inodeBefore = (await Deno.stat(path)).ino;
    await repo.removeEntry("@a/b");
    assert.notEqual((await Deno.stat(path)).ino, inodeBefore);
    assert.equal(await Deno.readTextFile(path), "{}\n");
    const names = (await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name);
    assert.deepEqual(names, ["upstream_extensions.json"]);
  });
});
