import { strict as assert } from "node:assert";
import { PULLED_DIR } from "../../shared/layout.ts";
import {
  ALPHA,
  assertMentions,
  assertStatus,
  BETA,
  catalogRow,
  catalogRowsOf,
  checkContext,
  GAMMA,
  installedSnapshot,
  lockEntryOf,
  REPO_DIR,
  V1,
  V2,
  V3,
  verdictOf,
  withCatalogRows,
  withLockEntries,
  withLockfileText,
} from "./_fixtures.ts";
import { catalogLockfileBijection } from "./catalog_lockfile_bijection.ts";
import type { Snapshot } from "../../record/snapshot.ts";

const installed = installedSnapshot({ [ALPHA]: V2, [BETA]: V1 });
const rows = installed.catalog.state === "present" ? installed.catalog.rows : [];
const extraPath = `${REPO_DIR}/${PULLED_DIR}/${ALPHA}/models/extra.ts`;

function check(snapshot: Snapshot) {
  return verdictOf(catalogLockfileBijection, checkContext({ snapshot }));
}

Deno.test("catalogLockfileBijection holds when every entry has exactly its rows", () => {
  const verdict = check(installed);
  assertStatus(verdict, "valid");
  assertMentions(verdict.explanation, ["All 2 lockfile entries have exactly their live rows"]);
  assertStatus(check(installedSnapshot({})), "valid");
});

Deno.test("catalogLockfileBijection ignores Tombstoned rows and local rows", () => {
  const verdict = check(withCatalogRows(installed, [
    ...rows,
    { ...catalogRowsOf(GAMMA, V1)[0], state: "Tombstoned" },
    catalogRow({
      source_path: `${REPO_DIR}/extensions/models/local.ts`,
      type_normalized: "my/local",
    }),
  ]));
  assertStatus(verdict, "valid");
});

Deno.test("catalogLockfileBijection names the row missing for an entry", () => {
  const verdict = check(
    withCatalogRows(installed, rows.filter((r) => r.source_path !== extraPath)),
  );
  assertStatus(verdict, "invalid");
  assertMentions(verdict.explanation, [
    `The lockfile has ${ALPHA} at ${V2} but the catalog lacks 1 of its 2 row(s)`,
    `${PULLED_DIR}/${ALPHA}/models/extra.ts`,
  ]);
  assert.deepEqual(verdict.evidence.entries, [ALPHA]);
  assert.deepEqual(verdict.evidence.rows, [extraPath]);
});

Deno.test("catalogLockfileBijection reports entries without rows when the catalog is absent", () => {
  // A crash between the lockfile write and the catalog save leaves this state.
  const verdict = check({ ...installed, catalog: { state: "absent" } });
  assertStatus(verdict, "invalid");
  assertMentions(verdict.explanation, [
    `${ALPHA} at ${V2} but the catalog lacks 2 of its 2 row(s)`,
    `${BETA} at ${V1} but the catalog lacks 2 of its 2 row(s)`,
  ]);
  assert.deepEqual(verdict.evidence.entries, [ALPHA, BETA]);
});

Deno.test("catalogLockfileBijection names live rows of an extension the lockfile lacks", () => {
  // rm that removed the lockfile entry but whose catalog step was lost.
  const verdict = check(withCatalogRows(installed, [...rows, ...catalogRowsOf(GAMMA, V1)]));
  assertStatus(verdict, "invalid");
  assertMentions(verdict.explanation, [
    `The catalog has 1 live row(s) for ${GAMMA} (version ${V1}) but the lockfile has no entry for it`,
  ]);
  assert.deepEqual(verdict.evidence.entries, [GAMMA]);
  assert.deepEqual(verdict.evidence.rows, [`${REPO_DIR}/${PULLED_DIR}/${GAMMA}/models/main.ts`]);
});

Deno.test("catalogLockfileBijection names rows whose version differs from the entry", () => {
  const stale = rows.map((r) => r.source_path === extraPath ? { ...r, extension_version: V1 } : r);
  const verdict = check(withCatalogRows(installed, stale));
  assertStatus(verdict, "invalid");
  assertMentions(verdict.explanation, [
    `The lockfile has ${ALPHA} at ${V2} but 1 live row(s) say ${V1}`,
  ]);
  assert.deepEqual(verdict.evidence.entries, [ALPHA]);
  assert.deepEqual(verdict.evidence.rows, [extraPath]);
});

Deno.test("catalogLockfileBijection reports an upgrade whose old rows were not tombstoned", () => {
  // The lockfile moved to V3 (one model); the catalog still holds V2's two rows.
  const snapshot = withLockEntries(installed, {
    [ALPHA]: lockEntryOf(ALPHA, V3),
    [BETA]: lockEntryOf(BETA, V1),
  });
  const verdict = check(snapshot);
  assertStatus(verdict, "invalid");
  assertMentions(verdict.explanation, [
    `${ALPHA} at ${V3} but 2 live row(s) say ${V2}`,
    `the catalog has 1 live row(s) for ${ALPHA} that its ${V3} sources do not explain`,
  ]);
  assert.ok(verdict.evidence.rows?.includes(extraPath));
});

Deno.test("catalogLockfileBijection reports an entry at a version the fixture lacks and no rows", () => {
  const snapshot = withCatalogRows(
    withLockEntries(installed, { [GAMMA]: { ...lockEntryOf(GAMMA, V1), version: "2027.01.01.1" } }),
    [],
  );
  const verdict = check(snapshot);
  assertStatus(verdict, "invalid");
  assertMentions(verdict.explanation, [
    `${GAMMA} at 2027.01.01.1 but the catalog has no live rows`,
  ]);
});

Deno.test("catalogLockfileBijection cannot decide over a malformed lockfile or catalog", () => {
  const malformed = check(withLockfileText(installed, '{"@fix/alpha": {'));
  assertStatus(malformed, "unknown");
  assertMentions(malformed.explanation, ["Cannot compare", "the lockfile is malformed"]);

  const offSchema = check(withLockEntries(installed, { [ALPHA]: { version: "latest" } }));
  assertStatus(offSchema, "unknown");
  assertMentions(offSchema.explanation, ["does not match its schema at @fix/alpha.version"]);

  const unreadable = check({
    ...installed,
    catalog: { state: "unreadable", error: "file is not a database" },
  });
  assertStatus(unreadable, "unknown");
  assertMentions(unreadable.explanation, ["the catalog is unreadable (file is not a database)"]);
});
