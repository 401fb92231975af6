import { strict as assert } from "node:assert";
import { CATALOG_PATH, PULLED_DIR } from "../../shared/layout.ts";
import type { Snapshot } from "../../record/snapshot.ts";
import {
  ALPHA,
  assertMentions,
  assertStatus,
  BETA,
  catalogRow,
  catalogRowsOf,
  checkContext,
  CLASH,
  conflictFixture,
  installedSnapshot,
  REPO_DIR,
  V1,
  V2,
  verdictOf,
  withCatalogRows,
} from "./_fixtures.ts";
import { catalogIntegrity } from "./catalog_integrity.ts";

const installed = installedSnapshot({ [ALPHA]: V2, [BETA]: V1 });
const rows = installed.catalog.state === "present" ? installed.catalog.rows : [];
const clashRow = catalogRowsOf(CLASH, V1, conflictFixture())[0];
const alphaMain = `${REPO_DIR}/${PULLED_DIR}/${ALPHA}/models/main.ts`;

function check(snapshot: Snapshot) {
  return verdictOf(catalogIntegrity, checkContext({ snapshot }));
}

Deno.test("catalogIntegrity holds for a sound catalog with one claimant per type", () => {
  const verdict = check(installed);
  assertStatus(verdict, "valid");
  assertMentions(verdict.explanation, ["integrity_check is ok", "4 kind+type key(s)"]);
  assertStatus(check({ ...installed, catalog: { state: "absent" } }), "valid");
});

Deno.test("catalogIntegrity exempts Tombstoned rows, empty types and kind extension", () => {
  const verdict = check(withCatalogRows(installed, [
    ...rows,
    { ...clashRow, state: "Tombstoned" },
    { ...clashRow, source_path: `${clashRow.source_path}.a`, type_normalized: "" },
    { ...clashRow, source_path: `${clashRow.source_path}.b`, kind: "extension" },
    // The same type under another kind is another key.
    { ...clashRow, source_path: `${clashRow.source_path}.c`, kind: "vault" },
  ]));
  assertStatus(verdict, "valid");
});

Deno.test("catalogIntegrity names both rows that claim one kind+type", () => {
  const verdict = check(withCatalogRows(installed, [...rows, clashRow]));
  assertStatus(verdict, "invalid");
  assertMentions(verdict.explanation, [
    "I-Repo-1 is broken: model::@fix/alpha/main is claimed by",
    `${alphaMain} (${ALPHA}@${V2})`,
    `${clashRow.source_path} (${CLASH}@${V1})`,
  ]);
  assert.deepEqual(verdict.evidence.rows, [alphaMain, clashRow.source_path]);
});

Deno.test("catalogIntegrity shows a local row that collides as local", () => {
  const local = catalogRow({
    source_path: `${REPO_DIR}/extensions/models/mine.ts`,
    type_normalized: "@fix/alpha/main",
  });
  const verdict = check(withCatalogRows(installed, [...rows, local]));
  assertStatus(verdict, "invalid");
  assertMentions(verdict.explanation, [`${local.source_path} (local@-)`]);
});

Deno.test("catalogIntegrity reports what integrity_check found, a few lines of it", () => {
  const lines = ["row 1 missing from index a", "row 2 missing", "page 7 is never used", "x", "y"];
  const verdict = check({
    ...installed,
    catalog: { state: "present", integrity: lines, rows, meta: {} },
  });
  assertStatus(verdict, "invalid");
  assertMentions(verdict.explanation, [
    "PRAGMA integrity_check reports: row 1 missing from index a, row 2 missing, page 7 is never used and 2 more",
  ]);
  assert.deepEqual(verdict.evidence.paths, [CATALOG_PATH]);
});

Deno.test("catalogIntegrity reports a catalog that cannot be opened", () => {
  const verdict = check({
    ...installed,
    catalog: { state: "unreadable", error: "file is not a database" },
  });
  assertStatus(verdict, "invalid");
  assertMentions(verdict.explanation, [`${CATALOG_PATH} cannot be read: file is not a database`]);
});
