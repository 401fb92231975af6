import assert from "node:assert/strict";
import { chmodAdvisory } from "./install.ts";
import { join } from "./posix_path.ts";

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
