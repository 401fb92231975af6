/**
 * `files-lockfile-match`: every file a lockfile entry lists exists, and every
 * file under the pulled-extensions tree is listed by some entry.
 *
 * @module
 */

import { LOCKFILE_PATH, PULLED_DIR } from "../../shared/layout.ts";
import { lockEntries } from "../../record/layers.ts";
import { invalid, type Invariant, listSome, unknown, valid } from "./verdict.ts";

/** File tree <-> lockfile. */
export const filesLockfileMatch: Invariant = {
  id: "files-lockfile-match",
  check(ctx) {
    const entries = lockEntries(ctx.snapshot);
    if (!entries.ok) return unknown(`Cannot compare: ${entries.reason}.`);
    const listed = new Map<string, string>();
    const dangling: string[] = [];
    const danglingOwners = new Set<string>();
    for (const [name, entry] of Object.entries(entries.entries)) {
      for (const file of entry.files ?? []) {
        listed.set(file, name);
        if (ctx.snapshot.listedExists[file] !== true) {
          dangling.push(file);
          danglingOwners.add(name);
        }
      }
    }
    const orphans = ctx.snapshot.pulledFiles.filter((f) => !isListed(f, listed));
    const problems: string[] = [];
    if (dangling.length > 0) {
      problems.push(
        `${LOCKFILE_PATH} lists ${dangling.length} file(s) of ${
          listSome([...danglingOwners])
        } that do not exist (${listSome(dangling, 3)})`,
      );
    }
    if (orphans.length > 0) {
      problems.push(
        `${orphans.length} file(s) under ${PULLED_DIR} belong to no lockfile entry (${
          listSome(orphans, 3)
        })`,
      );
    }
    if (problems.length > 0) {
      return invalid(`${problems.join("; ")}.`, {
        paths: [...dangling, ...orphans],
        entries: [...danglingOwners],
      });
    }
    return valid(`All ${listed.size} listed file(s) exist and ${PULLED_DIR} holds nothing else.`);
  },
};

/** A file is listed itself, or lies under a listed directory root (swamp records skill dirs by root). */
function isListed(file: string, listed: ReadonlyMap<string, string>): boolean {
  if (listed.has(file)) return true;
  for (let cut = file.lastIndexOf("/"); cut > 0; cut = file.lastIndexOf("/", cut - 1)) {
    if (listed.has(file.slice(0, cut))) return true;
  }
  return false;
}
