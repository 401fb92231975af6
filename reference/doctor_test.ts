import assert from "node:assert/strict";
import {
  catalogRows,
  lockfilePathOf,
  makeRepo,
  readLockfileJson,
  runIn,
  startTestRegistry,
} from "./_cli_harness.ts";
import { orphanWalkRoot } from "./doctor.ts";
import { dirname, join } from "./posix_path.ts";

Deno.test("orphanWalkRoot() walks the extension dir and bundle namespaces, nothing else", () => {
  const cases: Array<[string, string, string | null]> = [
    [
      ".swamp/pulled-extensions/@fix/alpha/models/main.ts",
      "@fix/alpha",
      ".swamp/pulled-extensions/@fix/alpha",
    ],
    [".swamp/pulled-extensions/@a/b/c/manifest.yaml", "@a/b/c", ".swamp/pulled-extensions/@a/b/c"],
    [".swamp/bundles/a97c15bf/sub/main.js", "@fix/alpha", ".swamp/bundles/a97c15bf"],
    [".swamp/report-bundles/6d662d94/r.js", "@fix/alpha", ".swamp/report-bundles/6d662d94"],
    [".swamp/pulled-extensions/models/legacy.ts", "@fix/alpha", null],
    ["extensions/models/legacy.ts", "@fix/alpha", null],
    [".claude/skills/thing", "@fix/alpha", null],
  ];
  for (const [file, name, root] of cases) assert.equal(orphanWalkRoot(file, name), root, file);
});

Deno.test("main.ts doctor looks for orphans only under lockfile entries and never warns", async () => {
  const registry = await startTestRegistry();
  const repo = await makeRepo();
  try {
    const run = (...args: string[]) => runIn(repo.repoDir, registry.url, args);
    assert.equal((await run("extension", "pull", "@fix/alpha@2026.01.01.1")).code, 0);
    const write = async (rel: string) => {
      await Deno.mkdir(dirname(join(repo.repoDir, rel)), { recursive: true });
      await Deno.writeTextFile(join(repo.repoDir, rel), "x\n");
    };
    await write(".swamp/pulled-extensions/@fix/alpha/files/stray.txt");
    await write(".swamp/bundles/a97c15bf/stray.js");
    // What an rm that crashed in its file step leaves: files of an extension
    // whose lockfile entry is already gone.
    await write(".swamp/pulled-extensions/@fix/gone/models/left.ts");
    const doctor = await run("doctor", "extensions");
    assert.equal(doctor.code, 0, doctor.stderr);
    const report = JSON.parse(doctor.stdout);
    assert.equal(report.overallStatus, "pass", "orphans do not change the status");
    assert.deepEqual(report.orphanFiles, [
      { extensionName: "@fix/alpha", path: ".swamp/bundles/a97c15bf/stray.js" },
      { extensionName: "@fix/alpha", path: ".swamp/pulled-extensions/@fix/alpha/files/stray.txt" },
    ]);
  } finally {
    await repo.dispose();
    await registry.close();
  }
});

Deno.test("main.ts doctor --repair prunes a gone row of an older version as unreachable", async () => {
  const registry = await startTestRegistry();
  const repo = await makeRepo();
  try {
    const run = (...args: string[]) => runIn(repo.repoDir, registry.url, args);
    assert.equal((await run("extension", "pull", "@fix/up@2026.04.01.1")).code, 0);
    // The state a lost pull race leaves: the lockfile at the newer version, the
    // older version's rows in the catalog, one of their files gone.
    const lockfile = (await readLockfileJson(repo.repoDir)) ?? {};
    lockfile["@fix/up"].version = "2026.04.02.1";
    await Deno.writeTextFile(
      lockfilePathOf(repo.repoDir),
      `${JSON.stringify(lockfile, null, 2)}\n`,
    );
    const old = join(repo.repoDir, ".swamp/pulled-extensions/@fix/up/models/old.ts");
    await Deno.remove(old);
    const doctor = await run("doctor", "extensions", "--repair");
    assert.equal(doctor.code, 0, doctor.stderr);
    const report = JSON.parse(doctor.stdout);
    assert.deepEqual(
      report.repairReport.operations.map((o: { kind: string; path: string }) => [o.kind, o.path]),
      [["unreachable-row-pruned", old]],
    );
    assert.equal(report.repairReport.prunedRowCount, 1);
    assert.equal(
      report.repairReport.evictedFileCount,
      0,
      "the pruned row still referenced its bundle",
    );
    assert.deepEqual(
      catalogRows(repo.repoDir).map((
        r,
      ) => [r.source_path.slice(repo.repoDir.length), r.extension_version]),
      [["/.swamp/pulled-extensions/@fix/up/models/keep.ts", "2026.04.02.1"]],
    );
  } finally {
    await repo.dispose();
    await registry.close();
  }
});
