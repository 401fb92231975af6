/**
 * `lockfile-well-formed`: the lockfile is absent, or well-formed JSON that
 * matches swamp's entry schema, with sorted `files` and swamp's 2-space
 * serialisation.
 *
 * @module
 */

import { LOCKFILE_PATH } from "../layout.ts";
import { lockEntries } from "../layers.ts";
import { lockfileFormatProblems } from "../lockfile_schema.ts";
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
    if (!entries.ok) return invalid(`${entries.reason}.`, { paths: [LOCKFILE_PATH] });
    const problems = lockfileFormatProblems(lf.raw, entries.entries);
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
