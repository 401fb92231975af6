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
  sleepMs,
  startTestRegistry,
  type TempRepo,
} from "./_cli_harness.ts";
import { LOCK_GIVE_UP_MESSAGE } from "./lock.ts";
import { MUTANT_NAMES } from "./mutants.ts";
import { join } from "./posix_path.ts";
import type { Registry } from "../sim/run/registry.ts";

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

Deno.test("mutant catalog-no-busy-handling fails at once while another writer holds the catalog", async () => {
  await withPair(async (registry, clean, mutant) => {
    const dbs = [clean, mutant].map((repo) =>
      new DatabaseSync(join(repo.repoDir, ".swamp/_extension_catalog.db"))
    );
    try {
      await Promise.all(
        [clean, mutant].map((repo) => runIn(repo.repoDir, registry.url, ["extension", "list"])),
      );
      for (const db of dbs) db.exec("BEGIN IMMEDIATE");
      let mutantDoneMs = Infinity;
      const runs = Promise.all([
        runIn(clean.repoDir, registry.url, ["extension", "pull", "@fix/alpha"]),
        runIn(
          mutant.repoDir,
          registry.url,
          ["extension", "pull", "@fix/alpha"],
          "catalog-no-busy-handling",
        )
          .then((run) => {
            mutantDoneMs = performance.now();
            return run;
          }),
      ]);
      await sleepMs(1500);
      const releasedMs = performance.now();
      for (const db of dbs) db.exec("COMMIT");
      const [c, m] = await runs;
      assert.ok(
        mutantDoneMs < releasedMs,
        "the mutant gave up while the writer still held the catalog",
      );
      assert.equal(c.code, 0, c.stderr);
      assert.equal(m.code, 1);
      assert.match(
        JSON.parse(m.stderr).error,
        /^Install partially applied for @fix\/alpha .*database is locked/,
      );
    } finally {
      for (const db of dbs) db.close();
    }
  });
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

Deno.test("mutant lock-no-retry fails on a .lock that goes away after 500 ms, clean waits it out", async () => {
  await withPair(async (registry, clean, mutant) => {
    await Promise.all([holdLock(clean), holdLock(mutant)]);
    const runs = Promise.all([
      runIn(clean.repoDir, registry.url, ["extension", "pull", "@fix/alpha"]),
      runIn(mutant.repoDir, registry.url, ["extension", "pull", "@fix/alpha"], "lock-no-retry"),
    ]);
    await sleepMs(500);
    await Promise.all(
      [clean, mutant].map((repo) => Deno.remove(`${lockfilePathOf(repo.repoDir)}.lock`)),
    );
    const [c, m] = await runs;
    assert.equal(c.code, 0, c.stderr);
    assert.equal(m.code, 1);
    assert.deepEqual(JSON.parse(m.stderr), { error: LOCK_GIVE_UP_MESSAGE });
  });
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
