/**
 * `catalog-integrity`: `PRAGMA integrity_check` says ok, and no two live rows
 * claim the same kind + type (swamp's I-Repo-1: Tombstoned rows, empty types
 * and kind `extension` are exempt).
 *
 * @module
 */

import { CATALOG_PATH } from "../../shared/layout.ts";
import type { CatalogRow } from "../../record/snapshot.ts";
import { invalid, type Invariant, listSome, valid } from "./verdict.ts";

/** SQLite integrity and I-Repo-1. */
export const catalogIntegrity: Invariant = {
  id: "catalog-integrity",
  check(ctx) {
    const catalog = ctx.snapshot.catalog;
    if (catalog.state === "absent") return valid("There is no catalog yet.");
    if (catalog.state === "unreadable") {
      return invalid(`${CATALOG_PATH} cannot be read: ${catalog.error}.`, {
        paths: [CATALOG_PATH],
      });
    }
    if (catalog.integrity.length !== 1 || catalog.integrity[0] !== "ok") {
      return invalid(`PRAGMA integrity_check reports: ${listSome(catalog.integrity, 3)}.`, {
        paths: [CATALOG_PATH],
      });
    }
    const byType = new Map<string, CatalogRow[]>();
    for (const row of catalog.rows) {
      if (row.state === "Tombstoned" || row.type_normalized === "" || row.kind === "extension") {
        continue;
      }
      const key = `${row.kind}::${row.type_normalized}`;
      const list = byType.get(key) ?? [];
      list.push(row);
      byType.set(key, list);
    }
    const dups = [...byType].filter(([, rows]) => rows.length > 1);
    if (dups.length > 0) {
      const label = (row: CatalogRow) =>
        `${row.source_path} (${row.extension_name || "local"}@${row.extension_version || "-"})`;
      const text = dups.map(([key, rows]) =>
        `${key} is claimed by ${rows.map(label).join(" and ")}`
      );
      // Evidence rows are source paths, the table's key, as in the other invariants.
      return invalid(`I-Repo-1 is broken: ${listSome(text, 3)}.`, {
        rows: dups.flatMap(([, rows]) => rows.map((r) => r.source_path)),
      });
    }
    return valid(
      `integrity_check is ok and ${byType.size} kind+type key(s) are each claimed once.`,
    );
  },
};
