import assert from "node:assert/strict";
import { DEFAULT_PATTERNS as P } from "../rule.ts";
import {
  basename,
  copyPoint,
  isRegistryUrl,
  openPoint,
  pathOf,
  removePoint,
  renamePoint,
  sqlPoint,
  urlOf,
  writePoint,
} from "./_classify.ts";

const LOCKFILE = "/r/extensions/models/upstream_extensions.json";
const LOCK = `${LOCKFILE}.lock`;
const PULLED = "/r/.swamp/pulled-extensions/@a/b/models/main.ts";

Deno.test("pathOf() makes relative paths absolute and reads file URLs", () => {
  assert.equal(pathOf("a/b", () => "/w"), "/w/a/b");
  assert.equal(pathOf("/x", () => "/w"), "/x");
  assert.equal(pathOf(new URL("file:///a%20b/c"), () => "/w"), "/a b/c");
  assert.equal(pathOf(new URL("https://x/y"), () => "/w"), undefined);
  assert.equal(pathOf(3, () => "/w"), undefined);
  assert.equal(pathOf("a/b", () => undefined), "a/b");
});

Deno.test("basename() ignores trailing slashes", () => {
  assert.equal(basename("/a/b.lock"), "b.lock");
  assert.equal(basename("/a/dir/"), "dir");
  assert.equal(basename("file"), "file");
});

Deno.test("openPoint() sees a lock attempt only for createNew on the lock basename", () => {
  assert.equal(openPoint(LOCK, { createNew: true, write: true }, P), "lock.acquire");
  assert.equal(openPoint(LOCK, { read: true }, P), undefined);
  assert.equal(openPoint(LOCK, undefined, P), undefined);
  assert.equal(openPoint(`${LOCK}x`, { createNew: true, write: true }, P), undefined);
  assert.equal(openPoint(LOCKFILE, { write: true, truncate: true }, P), "lockfile.write");
  assert.equal(openPoint(PULLED, { write: true, create: true }, P), "fs.extract");
  assert.equal(openPoint(PULLED, { read: true }, P), undefined);
});

Deno.test("writePoint(), renamePoint(), copyPoint() and removePoint() match by pattern", () => {
  assert.equal(writePoint(LOCKFILE, P), "lockfile.write");
  assert.equal(writePoint("/r/extensions/models/.1234.tmp", P), undefined);
  assert.equal(writePoint(PULLED, P), "fs.extract");
  assert.equal(renamePoint(LOCKFILE, P), "lockfile.write");
  assert.equal(renamePoint("/r/extensions/models/other.json", P), undefined);
  assert.equal(copyPoint(PULLED, P), "fs.extract");
  assert.equal(copyPoint("/tmp/swamp_pull_1/extension/models/main.ts", P), undefined);
  assert.equal(removePoint(LOCK, P), "lock.release");
  assert.equal(removePoint("/r/.swamp/pulled-extensions/@a/b", P), "fs.remove");
  assert.equal(removePoint("/r/.swamp/bundles/x.js", P), undefined);
});

Deno.test("sqlPoint() reads the first keyword and skips savepoint rollbacks", () => {
  assert.equal(sqlPoint("BEGIN"), "catalog.begin");
  assert.equal(sqlPoint("  begin immediate;"), "catalog.begin");
  assert.equal(sqlPoint("COMMIT"), "catalog.commit");
  assert.equal(sqlPoint("END TRANSACTION"), "catalog.commit");
  assert.equal(sqlPoint("ROLLBACK"), "catalog.rollback");
  assert.equal(sqlPoint("ROLLBACK TO sp1"), undefined);
  assert.equal(sqlPoint("ROLLBACK TRANSACTION TO SAVEPOINT sp1"), undefined);
  assert.equal(sqlPoint("BEGINNING"), undefined);
  assert.equal(sqlPoint("SELECT 'BEGIN'"), undefined);
  assert.equal(sqlPoint(undefined), undefined);
});

Deno.test("isRegistryUrl() matches the registry prefix and its origin only", () => {
  const base = "http://127.0.0.1:4100";
  assert.equal(isRegistryUrl(`${base}/api/v1/extensions/%40a%2Fb`, base), true);
  assert.equal(isRegistryUrl(`${base}/archives/a.tgz`, `${base}/api`), true);
  assert.equal(isRegistryUrl("http://127.0.0.1:4101/api", base), false);
  assert.equal(isRegistryUrl(`${base}/api`, undefined), false);
  assert.equal(isRegistryUrl(`${base}/api`, ""), false);
});

Deno.test("urlOf() reads strings, URLs and Requests", () => {
  assert.equal(urlOf("http://h/x"), "http://h/x");
  assert.equal(urlOf(new URL("http://h/y")), "http://h/y");
  assert.equal(urlOf(new Request("http://h/z")), "http://h/z");
  assert.equal(urlOf(42), undefined);
});
