import assert from "node:assert/strict";
import { chmodAdvisory } from "./install.ts";
import { join } from "./posix_path.ts";
import { jsonDocuments, makeRepo, readLockfileJson, runIn } from "./_cli_harness.ts";
import { startRegistry } from "../sim/run/registry.ts";

Deno.test("chmodAdvisory() sets the mode, and ignores a file removed before it", async () => {
  const dir = await Deno.makeTempDir({ prefix: "swamp_ref_install_" });
  try {
    const path = join(dir, "manifest.yaml");
    await Deno.writeTextFile(path, "x\n");
    await chmodAdvisory(path, 0o444);
    assert.equal((await Deno.stat(path)).mode! & 0o777, 0o444);
    await Deno.remove(path);
    await chmodAdvisory(path, 0o444);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("pull skips a dependency already in the lockfile and installs one that is not", async () => {
  const registry = await startRegistry({
    extensions: [
      { name: "@fix/lib", versions: [{ version: "2026.01.01.1" }, { version: "2026.01.02.1" }] },
      { name: "@fix/app", versions: [{ version: "2026.02.01.1", dependencies: ["@fix/lib"] }] },
    ],
  });
  const first = await makeRepo();
  const second = await makeRepo();
  try {
    // Installed already: swamp skips it, so a pull without --force meets no conflict on it.
    const lib = await runIn(first.repoDir, registry.url, [
      "extension",
      "pull",
      "@fix/lib@2026.01.01.1",
    ]);
    assert.equal(lib.code, 0, lib.stderr);
    const app = await runIn(first.repoDir, registry.url, ["extension", "pull", "@fix/app"]);
    assert.equal(app.code, 0, app.stderr);
    assert.ok(
      !jsonDocuments(app.stdout).some((d) =>
        (d as { status?: string }).status === "pulling_dependency"
      ),
      app.stdout,
    );
    assert.equal((await readLockfileJson(first.repoDir))?.["@fix/lib"].version, "2026.01.01.1");
    // Not installed: pulled as a dependency at the registry's latest version.
    const fresh = await runIn(second.repoDir, registry.url, ["extension", "pull", "@fix/app"]);
    assert.equal(fresh.code, 0, fresh.stderr);
    assert.equal((await readLockfileJson(second.repoDir))?.["@fix/lib"].version, "2026.01.02.1");
  } finally {
    await first.dispose();
    await second.dispose();
    await registry.close();
  }
});
