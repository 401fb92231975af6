import assert from "node:assert/strict";
import {
  catalogRows,
  exists,
  jsonDocuments,
  lockfilePathOf,
  makeRepo,
  readLockfileJson,
  runCli,
  runIn,
  startTestRegistry,
} from "./_cli_harness.ts";
import { parseArgs } from "./cli.ts";
import { UsageError } from "./errors.ts";
import { join } from "./posix_path.ts";
import { MARKER_CONTENT } from "./repo.ts";

/** What pull reports it wrote, in copy order (models, bundles, ..., the manifest last), as swamp does. */
const ALPHA_FILES = [
  ".swamp/pulled-extensions/@fix/alpha/models/main.ts",
  ".swamp/bundles/a97c15bf/main.js",
  ".swamp/pulled-extensions/@fix/alpha/manifest.yaml",
];

Deno.test("parseArgs() reads commands and global flags anywhere, and rejects bad command lines", () => {
  const parsed = parseArgs([
    "--json",
    "extension",
    "pull",
    "@a/b@2026.01.01.1",
    "--repo-dir=/r",
    "-y",
    "--channel",
    "rc",
  ]);
  assert.deepEqual(parsed.command, { name: "pull", ref: "@a/b@2026.01.01.1", channel: "rc" });
  assert.equal(parsed.flags.json, true);
  assert.equal(parsed.flags.repoDir, "/r");
  assert.equal(parsed.flags.yes, true);
  assert.deepEqual(parseArgs(["extension", "ls"]).command, { name: "list" });
  assert.deepEqual(parseArgs(["extension", "remove", "@a/b", "-f"]).command, {
    name: "rm",
    ref: "@a/b",
  });
  assert.deepEqual(parseArgs(["doctor", "extensions", "--repair", "--dry-run"]).command, {
    name: "doctor",
    repair: true,
    dryRun: true,
  });
  assert.throws(() => parseArgs(["extension", "frobnicate"]), UsageError);
  assert.throws(() => parseArgs(["extension", "rm", "@a/b", "@c/d"]), UsageError);
  assert.throws(() => parseArgs(["extension", "pull"]), UsageError);
  assert.throws(() => parseArgs(["extension", "list", "--check"]), UsageError);
});

Deno.test("main.ts exits 2 on usage errors, 1 on a missing marker and an unknown mutant; init is deterministic", async () => {
  const repo = await makeRepo();
  try {
    const plain = join(repo.dir, "plain");
    await Deno.mkdir(plain);
    const [unknown, tooMany, noRepo, badMutant, initAgain] = await Promise.all([
      runCli(["bogus", "--json"]),
      runCli(["extension", "rm", "@a/b", "@c/d"]),
      runCli(["extension", "list", "--json", "--repo-dir", plain]),
      runCli(["extension", "list", "--repo-dir", repo.repoDir], {
        env: { SWAMP_REF_MUTANT: "nope" },
      }),
      runCli(["init", repo.repoDir, "--json"]),
    ]);
    assert.equal(unknown.code, 2);
    assert.match(JSON.parse(unknown.stderr).error, /Unknown command "bogus"/);
    assert.equal(tooMany.code, 2);
    assert.equal(noRepo.code, 1);
    const noRepoError = JSON.parse(noRepo.stderr);
    assert.match(noRepoError.error, /^Not a swamp repository: /);
    assert.equal(noRepoError.stack, undefined, "a UserError carries no stack");
    assert.equal(badMutant.code, 1);
    assert.match(badMutant.stderr, /Unknown mutant "nope".*lockfile-unlocked-write/);
    assert.equal(initAgain.code, 0);
    assert.deepEqual(JSON.parse(initAgain.stdout), { repoDir: repo.repoDir, created: false });
    assert.equal(await Deno.readTextFile(join(repo.repoDir, ".swamp.yaml")), MARKER_CONTENT);
  } finally {
    await repo.dispose();
  }
});

Deno.test("main.ts pull, list, update, doctor, rm and a second rm keep the three layers in step", async () => {
  const registry = await startTestRegistry();
  const repo = await makeRepo();
  try {
    const run = (...args: string[]) => runIn(repo.repoDir, registry.url, args);
    const pulled = await run("extension", "pull", "@fix/alpha@2026.01.01.1");
    assert.equal(pulled.code, 0, pulled.stderr);
    assert.deepEqual(jsonDocuments(pulled.stdout), [
      { name: "@fix/alpha", version: "2026.01.01.1", description: "Fixture extension @fix/alpha" },
      { integrity: "verified", name: "@fix/alpha", version: "2026.01.01.1" },
      { name: "@fix/alpha", version: "2026.01.01.1", extractedFiles: ALPHA_FILES },
    ]);
    const entry = (await readLockfileJson(repo.repoDir))?.["@fix/alpha"];
    assert.deepEqual(Object.keys(entry ?? {}), [
      "version",
      "pulledAt",
      "files",
      "checksum",
      "filesChecksum",
      "serverUrl",
    ]);
    assert.equal(entry?.serverUrl, registry.url);
    assert.match(String(entry?.checksum), /^[0-9a-f]{64}$/);
    for (
      const dir of ["models", "workflows", "vaults", "drivers", "datastores", "reports", "files"]
    ) {
      assert.ok(await exists(join(repo.repoDir, ".swamp/pulled-extensions/@fix/alpha", dir)), dir);
    }
    for (const dir of ["bundles", "vault-bundles", "driver-bundles", "datastore-bundles"]) {
      assert.equal(
        (await Array.fromAsync(Deno.readDir(join(repo.repoDir, ".swamp", dir)))).length,
        1,
      );
    }
    const manifest = join(repo.repoDir, ALPHA_FILES[2]);
    assert.equal((await Deno.stat(manifest)).mode! & 0o777, 0o444);
    assert.match(await Deno.readTextFile(manifest), /^# .*read-only.*\nmanifestVersion: 1\n/);
    assert.deepEqual(
      catalogRows(repo.repoDir).map((r) => [r.type_normalized, r.state, r.extension_version]),
      [
        ["@fix/alpha/main", "Indexed", "2026.01.01.1"],
      ],
    );

    const again = await run("extension", "pull", "@fix/alpha@2026.01.01.1");
    assert.equal(again.code, 1);
    assert.deepEqual(jsonDocuments(again.stdout), [{ conflicts: ALPHA_FILES.slice(0, 2) }]);
    assert.equal(JSON.parse(again.stderr).error, "Files already exist. Use --force to overwrite.");

    const listed = await run("extension", "list");
    assert.equal(listed.code, 0);
    assert.deepEqual(JSON.parse(listed.stdout), {
      extensions: [{
        name: "@fix/alpha",
        version: "2026.01.01.1",
        pulledAt: entry?.pulledAt,
        files: [...ALPHA_FILES].sort(),
      }],
    });

    const updated = await run("extension", "update");
    assert.equal(updated.code, 0, updated.stderr);
    const updateDocs = jsonDocuments(updated.stdout);
    assert.deepEqual(updateDocs[0], {
      status: "updating",
      name: "@fix/alpha",
      from: "2026.01.01.1",
      to: "2026.01.02.1",
    });
    assert.deepEqual(updateDocs.at(-1), {
      extensions: [{
        status: "updated",
        name: "@fix/alpha",
        previousVersion: "2026.01.01.1",
        newVersion: "2026.01.02.1",
      }],
      summary: { total: 1, upToDate: 0, updated: 1, failed: 0 },
    });
    assert.deepEqual(catalogRows(repo.repoDir).map((r) => r.extension_version), ["2026.01.02.1"]);
    assert.notEqual(
      (await readLockfileJson(repo.repoDir))?.["@fix/alpha"].pulledAt,
      entry?.pulledAt,
    );

    const doctor = await run("doctor", "extensions", "--repair");
    assert.equal(doctor.code, 0, doctor.stderr);
    const report = JSON.parse(doctor.stdout);
    assert.equal(report.overallStatus, "pass");
    assert.deepEqual(Object.keys(report.registries), ["model", "vault", "datastore", "report"]);
    assert.deepEqual(report.registries.model, { registry: "model", status: "pass" });
    assert.deepEqual(report.orphanFiles, []);
    assert.deepEqual(report.repairReport, {
      mode: "applied",
      operations: [],
      prunedRowCount: 0,
      evictedFileCount: 0,
      repulledExtensionCount: 0,
    });

    const removed = await run("extension", "rm", "@fix/alpha");
    assert.equal(removed.code, 0, removed.stderr);
    const payload = JSON.parse(removed.stdout);
    // 7 scaffold dirs, the extension's two levels and pulled-extensions, and 5 bundle
    // namespace dirs with their 5 parents: the 20 swamp reports.
    assert.deepEqual(payload.removed, {
      name: "@fix/alpha",
      version: "2026.01.02.1",
      filesDeleted: 3,
      filesSkipped: 0,
      dirsRemoved: 20,
    });
    assert.deepEqual(await readLockfileJson(repo.repoDir), {});
    assert.deepEqual(catalogRows(repo.repoDir), []);
    assert.ok(!(await exists(join(repo.repoDir, ".swamp/pulled-extensions/@fix/alpha"))));

    const second = await run("extension", "rm", "@fix/alpha");
    assert.equal(second.code, 1);
    assert.deepEqual(JSON.parse(second.stderr), {
      error: "Extension @fix/alpha is not installed.",
    });
  } finally {
    await repo.dispose();
    await registry.close();
  }
});

Deno.test("main.ts pull of a genuine type conflict rolls back files and lockfile (DuplicateTypeUserError)", async () => {
  const registry = await startTestRegistry();
  const repo = await makeRepo();
  try {
    const run = (...args: string[]) => runIn(repo.repoDir, registry.url, args);
    assert.equal((await run("extension", "pull", "@fix/alpha")).code, 0);
    const clash = await run("extension", "pull", "@fix/clash");
    assert.equal(clash.code, 1);
    const error = JSON.parse(clash.stderr);
    assert.deepEqual(Object.keys(error), ["error", "duplicateType"]);
    assert.match(
      error.error,
      /^Type "@fix\/alpha\/main" \(kind=model\) is already claimed by @fix\/alpha@2026\.01\.02\.1 at /,
    );
    assert.match(error.error, /filesystem changes rolled back/);
    assert.deepEqual(error.duplicateType, {
      kind: "model",
      type: "@fix/alpha/main",
      isGhostRow: false,
      existing: {
        extensionName: "@fix/alpha",
        extensionVersion: "2026.01.02.1",
        canonicalPath: join(repo.repoDir, ALPHA_FILES[0]),
      },
      conflicting: {
        extensionName: "@fix/clash",
        extensionVersion: "2026.02.01.1",
        canonicalPath: join(repo.repoDir, ".swamp/pulled-extensions/@fix/clash/models/x.ts"),
      },
    });
    assert.deepEqual(Object.keys((await readLockfileJson(repo.repoDir)) ?? {}), ["@fix/alpha"]);
    assert.ok(
      !(await exists(join(repo.repoDir, ".swamp/pulled-extensions/@fix/clash/models/x.ts"))),
    );
    assert.ok(
      !(await exists(join(repo.repoDir, ".swamp/pulled-extensions/@fix/clash/manifest.yaml"))),
    );
    assert.deepEqual(catalogRows(repo.repoDir).map((r) => r.extension_name), ["@fix/alpha"]);
  } finally {
    await repo.dispose();
    await registry.close();
  }
});

Deno.test("main.ts pull of an invalid model is partially applied and doctor then fails", async () => {
  const registry = await startTestRegistry();
  const repo = await makeRepo();
  try {
    const run = (...args: string[]) => runIn(repo.repoDir, registry.url, args);
    const broken = await run("extension", "pull", "@fix/broken");
    assert.equal(broken.code, 1);
    assert.match(
      JSON.parse(broken.stderr).error,
      /^Install partially applied for @fix\/broken — files extracted but the catalog write failed \(Validation failed for .*not CalVer.*\)\. Run `swamp doctor extensions` to inspect, or retry `swamp extension pull @fix\/broken` to reconcile\.$/,
    );
    assert.deepEqual(Object.keys((await readLockfileJson(repo.repoDir)) ?? {}), ["@fix/broken"]);
    assert.ok(
      await exists(join(repo.repoDir, ".swamp/pulled-extensions/@fix/broken/models/main.ts")),
    );
    assert.deepEqual(catalogRows(repo.repoDir), []);
    const doctor = await run("doctor", "extensions");
    assert.equal(doctor.code, 1);
    const report = JSON.parse(doctor.stdout);
    assert.equal(report.overallStatus, "fail");
    assert.equal(report.registries.model.status, "fail");
    assert.equal(report.recentTransitions[0].toState, "ValidationFailed");
  } finally {
    await repo.dispose();
    await registry.close();
  }
});

Deno.test("main.ts fails every repo command at startup on a malformed lockfile (raw SyntaxError)", async () => {
  const repo = await makeRepo();
  try {
    await Deno.mkdir(join(repo.repoDir, "extensions/models"), { recursive: true });
    await Deno.writeTextFile(lockfilePathOf(repo.repoDir), "{ broken");
    const [list, rm] = await Promise.all([
      runCli(["extension", "list", "--json", "--repo-dir", repo.repoDir]),
      runCli(["extension", "rm", "@fix/alpha", "--repo-dir", repo.repoDir]),
    ]);
    assert.equal(list.code, 1);
    const error = JSON.parse(list.stderr);
    assert.match(error.error, /JSON/);
    assert.ok(
      typeof error.stack === "string" && error.stack.includes("at "),
      "an internal error has a stack",
    );
    assert.equal(rm.code, 1);
    assert.match(rm.stderr, /SyntaxError/);
  } finally {
    await repo.dispose();
  }
});
