/**
 * The names of the invariant suite, in one place: the scenario schema, the
 * checker and the reports all use these ids.
 *
 * @module
 */

/** Every invariant the checker evaluates, in report order. */
export const INVARIANT_IDS = [
  "lockfile-well-formed",
  "catalog-lockfile-bijection",
  "files-lockfile-match",
  "catalog-integrity",
  "no-benign-duplicate-type",
  "no-lock-exhaustion",
  "no-busy-exhaustion",
  "no-stale-lock-or-temp",
  "linearizable",
  "op-outcomes-allowed",
  "expected-states",
] as const;

/** The id of one invariant. */
export type InvariantId = typeof INVARIANT_IDS[number];

/** One line per invariant: what it asserts. */
export const INVARIANT_DESCRIPTIONS: Readonly<Record<InvariantId, string>> = {
  "lockfile-well-formed":
    "the lockfile is absent or well-formed JSON matching swamp's entry schema",
  "catalog-lockfile-bijection":
    "every live catalog row belongs to a lockfile entry at the same version, and every entry has its rows",
  "files-lockfile-match":
    "every file listed in the lockfile exists, and nothing unlisted lives under pulled-extensions",
  "catalog-integrity":
    "PRAGMA integrity_check is ok and no two live rows share kind + type (I-Repo-1)",
  "no-benign-duplicate-type":
    "no op failed with DuplicateTypeError unless the fixture has a genuine type conflict",
  "no-lock-exhaustion":
    "no op gave up on the advisory lock's retry budget (10 attempts, 100 ms apart)",
  "no-busy-exhaustion":
    "no op gave up on the catalog's SQLITE_BUSY budget (busy_timeout plus retries)",
  "no-stale-lock-or-temp":
    "after clean exits, no advisory lock file and no stray lockfile temp file remain",
  linearizable:
    "every op's answer and the final lockfile are given by some order of the ops that respects real time (per extension, and over the whole repo for list and update)",
  "op-outcomes-allowed": "every op ended with an outcome the scenario allows",
  "expected-states":
    "every extension's layer state (files, lockfile, catalog) is one the scenario allows",
};
