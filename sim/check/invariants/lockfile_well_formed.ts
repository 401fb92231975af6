/**
 * `lockfile-well-formed`: the lockfile is absent, or well-formed JSON that
 * matches swamp's entry schema, with sorted `files` and swamp's 2-space
 * serialisation.
 *
 * @module
 */

import { LOCKFILE_PATH } from "../../shared/layout.ts";
import { lockEntries } from "../../record/layers.ts";
import {
  type LockEntry,
  lockEntrySchema,
  lockfileFormatProblems,
} from "../../record/lockfile_schema.ts";
import { invalid, type Invariant, listSome, valid } from "./verdict.ts";

/** The lockfile is absent or well-formed and schema-valid. */
export const lockfileWellFormed: Invariant = {
  id: "lockfile-well-formed",
  check(ctx) {
    const lf = ctx.snapshot.lockfile;
    if (lf.state === "absent") {
      return valid("There is no lockfile (no extension was ever installed).");
    }
    if (lf.state === "malformed") {
      const head = lf.raw.slice(0, 120).replace(/\n/g, "\\n");
      return invalid(
        `${LOCKFILE_PATH} is not valid JSON (${lf.error}); it starts with "${head}".`,
        {
          paths: [LOCKFILE_PATH],
        },
      );
    }
    const entries = lockEntries(ctx.snapshot);
    if (!entries.ok) {
      return invalid(`${LOCKFILE_PATH} is valid JSON but ${entries.reason}.`, {
        paths: [LOCKFILE_PATH],
      });
    }
    // The parsed JSON as written: the schema's output reorders fields, which
    // would pass a misordered entry off as a whitespace problem.
    const written = lf.data as Record<string, LockEntry>;
    const problems = [...fieldOrderProblems(written), ...lockfileFormatProblems(lf.raw, written)];
    if (problems.length > 0) {
      return invalid(`${LOCKFILE_PATH} is valid JSON but ${listSome(problems)}.`, {
        paths: [LOCKFILE_PATH],
        entries: Object.keys(entries.entries),
      });
    }
    const count = Object.keys(entries.entries).length;
    return valid(`${LOCKFILE_PATH} is well-formed with ${count} entr${count === 1 ? "y" : "ies"}.`);
  },
};

/** swamp's write order of an entry's fields. */
const WRITE_ORDER: readonly string[] = Object.keys(lockEntrySchema.shape);

/** Entries whose fields are not in swamp's write order. */
function fieldOrderProblems(data: Record<string, LockEntry>): string[] {
  const problems: string[] = [];
  for (const [name, entry] of Object.entries(data)) {
    const keys = Object.keys(entry);
    const expected = WRITE_ORDER.filter((k) => keys.includes(k));
    if (keys.join() !== expected.join()) {
      problems.push(
        `${name}: fields are ordered ${keys.join(", ")}, not in swamp's write order ${
          expected.join(", ")
        }`,
      );
    }
  }
  return problems;
}
