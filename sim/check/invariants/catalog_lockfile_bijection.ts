/**
 * `catalog-lockfile-bijection`: every live catalog row belongs to a lockfile
 * entry at the same version, and every entry has exactly the rows its
 * version's sources call for (one per indexable source file of the fixture).
 *
 * @module
 */

import { findVersion, sourcesOf } from "../../scenario/fixture.ts";
import { PULLED_DIR } from "../../shared/layout.ts";
import { liveRowsByExtension, lockEntries } from "../../record/layers.ts";
import { invalid, type Invariant, listSome, unknown, valid } from "./verdict.ts";

/** Live catalog rows <-> lockfile entries, versions equal. */
export const catalogLockfileBijection: Invariant = {
  id: "catalog-lockfile-bijection",
  check(ctx) {
    const entries = lockEntries(ctx.snapshot);
    if (!entries.ok) return unknown(`Cannot compare: ${entries.reason}.`);
    const catalog = ctx.snapshot.catalog;
    if (catalog.state === "unreadable") {
      return unknown(`Cannot compare: the catalog is unreadable (${catalog.error}).`);
    }
    const rowsByName = liveRowsByExtension(ctx.snapshot);
    const problems: string[] = [];
    const rows: string[] = [];
    const names: string[] = [];

    for (const [name, entry] of Object.entries(entries.entries)) {
      const live = rowsByName.get(name) ?? [];
      const found = findVersion(ctx.fixture, name, entry.version);
      const expected = found === undefined ? undefined : new Set(
        sourcesOf(found.version, name).map((s) =>
          `${ctx.snapshot.repoDir}/${PULLED_DIR}/${name}/${s.file}`
        ),
      );
      const wrongVersion = live.filter((r) => r.extension_version !== entry.version);
      if (wrongVersion.length > 0) {
        names.push(name);
        rows.push(...wrongVersion.map((r) => r.source_path));
        problems.push(
          `the lockfile has ${name} at ${entry.version} but ${wrongVersion.length} live row(s) say ${
            listSome([...new Set(wrongVersion.map((r) => r.extension_version))])
          }`,
        );
      }
      if (expected === undefined) {
        if (live.length === 0) {
          names.push(name);
          problems.push(
            `the lockfile has ${name} at ${entry.version} but the catalog has no live rows for it`,
          );
        }
        continue;
      }
      const present = new Set(live.map((r) => r.source_path));
      const missing = [...expected].filter((p) => !present.has(p));
      const extra = live.filter((r) => !expected.has(r.source_path));
      if (missing.length > 0) {
        names.push(name);
        rows.push(...missing);
        problems.push(
          `the lockfile has ${name} at ${entry.version} but the catalog lacks ${missing.length} of its ${expected.size} row(s) (${
            listSome(missing.map((p) => p.slice(ctx.snapshot.repoDir.length + 1)), 3)
          })`,
        );
      }
      if (extra.length > 0) {
        names.push(name);
        rows.push(...extra.map((r) => r.source_path));
        problems.push(
          `the catalog has ${extra.length} live row(s) for ${name} that its ${entry.version} sources do not explain`,
        );
      }
    }
    for (const [name, live] of rowsByName) {
      if (name in entries.entries) continue;
      names.push(name);
      rows.push(...live.map((r) => r.source_path));
      problems.push(
        `the catalog has ${live.length} live row(s) for ${name} (version ${
          listSome([...new Set(live.map((r) => r.extension_version))])
        }) but the lockfile has no entry for it`,
      );
    }
    if (problems.length > 0) {
      return invalid(`${capitalise(listSome(problems, 4))}.`, {
        entries: [...new Set(names)],
        rows,
      });
    }
    const count = Object.keys(entries.entries).length;
    return valid(
      `All ${count} lockfile entr${
        count === 1 ? "y has" : "ies have"
      } exactly their live rows at the same version.`,
    );
  },
};

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
