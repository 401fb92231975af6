import assert from "node:assert/strict";
import * as nodePath from "node:path";
import {
  bundleNamespace,
  extensionRoot,
  fnv1a32Hex,
  isInsideRepo,
  repoLayout,
  toRepoRelative,
} from "./paths.ts";
import { dirname, join, relative, resolve } from "./posix_path.ts";

Deno.test("fnv1a32Hex() matches the FNV-1a reference values", () => {
  assert.equal(fnv1a32Hex(""), "811c9dc5");
  assert.equal(fnv1a32Hex("a"), "e40c292c");
  assert.equal(fnv1a32Hex("foobar"), "bf9cf968");
});

Deno.test("repoLayout() places catalog, pulled trees, lockfile and bundle namespaces", () => {
  const layout = repoLayout("/r");
  assert.equal(layout.catalogPath, "/r/.swamp/_extension_catalog.db");
  assert.equal(layout.lockfilePath, "/r/extensions/models/upstream_extensions.json");
  assert.equal(layout.lockPath, "/r/extensions/models/upstream_extensions.json.lock");
  assert.equal(extensionRoot(layout, "@a/b/c"), "/r/.swamp/pulled-extensions/@a/b/c");
  assert.equal(
    bundleNamespace(layout, "@a/b", "models"),
    fnv1a32Hex(".swamp/pulled-extensions/@a/b/models"),
  );
  assert.equal(toRepoRelative(layout, "/r/x/y"), "x/y");
  assert.ok(isInsideRepo("/r", "/r/x"));
  assert.ok(!isInsideRepo("/r", "/r"));
  assert.ok(!isInsideRepo("/r", "/r/../etc"));
  assert.equal(
    repoLayout("/r", "/abs/models").lockfilePath,
    "/abs/models/upstream_extensions.json",
  );
});

Deno.test("posix_path functions agree with node:path on POSIX", () => {
  const cases = ["/a/b/../c", "a/./b//c/", "/", ".", "../x", "/a/b/c/"];
  for (const c of cases) {
    assert.equal(
      dirname(c),
      nodePath.dirname(nodePath.normalize(c).replace(/(.)\/$/, "$1")),
      `dirname ${c}`,
    );
    assert.equal(resolve("/base", c), nodePath.resolve("/base", c), `resolve ${c}`);
    assert.equal(join("/x", c), nodePath.join("/x", c).replace(/(.)\/$/, "$1"), `join ${c}`);
  }
  assert.equal(relative("/a/b/c", "/a/d"), nodePath.relative("/a/b/c", "/a/d"));
  assert.equal(relative("/a", "/a/b/c"), "b/c");
  assert.equal(relative("/a", "/a"), "");
});
