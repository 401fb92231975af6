import assert from "node:assert/strict";
import { bundleShim, SHIM_BUNDLE_PATH } from "./bundle.ts";
import { SHIM_MODULE_PATH } from "./command.ts";

Deno.test("bundleShim() reproduces the checked-in shim.bundle.js that targets preload", async () => {
  assert.equal(SHIM_MODULE_PATH, SHIM_BUNDLE_PATH);
  const fresh = await bundleShim();
  const checkedIn = await Deno.readTextFile(SHIM_BUNDLE_PATH);
  assert.ok(
    fresh === checkedIn,
    "faults/preload/shim.bundle.js is stale: run `deno run -A faults/preload/bundle.ts`",
  );
  assert.match(fresh, /import ?\{ ?DatabaseSync( as \w+)? ?\} ?from ?"node:sqlite";?/);
});
