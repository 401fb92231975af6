/**
 * `catalog-integrity`: `PRAGMA integrity_check` says ok, and no two live rows
 * claim the same kind + type (swamp's I-Repo-1: Tombstoned rows, empty types
 * and kind `extension` are exempt).
 *
 * @module
 */

import { CATALOG_PATH } from "../layout.ts";
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
    const byType = new Map<string, string[]>();
    for (const row of catalog.rows) {
      if (row.state === "Tombstoned" || row.type_normalized === "" || row.kind === "extension") {
        continue;
      }
      const key = `${row.kind}::${row.type_normalized}`;
      const list = byType.get(key) ?? [];
      list.push(
        `${row.source_path} (${row.extension_name || "local"}@${row.extension_version || "-"})`,
      );
      byType.set(key, list);
    }
    const dups = [...byType].filter(([, rows]) => rows.length > 1);
    if (dups.length > 0) {
      const text = dups.map(([key, rows]) => `${key} is claimed by ${rows.join(" and ")}`);
      return invalid(`I-Repo-1 is broken: ${listSome(text, 3)}.`, {
        rows: dups.flatMap(([, rows]) => rows),
      });
    }
    return valid(
      `integrity_check is ok and ${byType.size} kind+type key(s) are each claimed once.`,
    );
  },
};
