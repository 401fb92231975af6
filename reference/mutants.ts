/**
 * Named mutants: deliberate deviations from swamp's lifecycle contract, one
 * per bug class, selected by the environment variable `SWAMP_REF_MUTANT`.
 * Each mutant is one small `if (isMutant("..."))` branch at the one place it
 * changes; the simulator's scenario library must tell every mutant from the
 * clean reference.
 *
 * | name | bug class | claim it breaks | single-process demonstration |
 * | --- | --- | --- | --- |
 * | `lockfile-unlocked-write` | missing mutual exclusion | lockfile mutations are serialised by the advisory lock (lost updates between concurrent writers) | a pre-existing `.lock`: clean pull fails with the lock error, the mutant succeeds |
 * | `lockfile-in-place-write` | non-atomic write | the lockfile is replaced atomically (a crash mid-write leaves truncated JSON) | the mutant keeps the lockfile's inode across a write, the clean write replaces it |
 * | `install-catalog-first` | wrong layer order on install | install writes filesystem, then lockfile, then catalog (a crash leaves rows without a lockfile entry) | a held `.lock`: the mutant leaves catalog rows without a lockfile entry, clean leaves none |
 * | `remove-files-first` | wrong layer order on remove | rm goes catalog, lockfile, filesystem (a crash leaves rows pointing at deleted files) | a held `.lock`: the mutant deletes the files and keeps the rows, clean deletes the rows and keeps the files |
 * | `no-duplicate-rollback` | missing compensation | a DuplicateTypeError rolls back extracted files and the lockfile entry | a genuine type conflict: the mutant leaves the files and the lockfile entry behind |
 * | `upgrade-no-tombstone` | missing tombstone | an upgrade swaps the old version's rows for the new ones in one transaction | an upgrade whose new version drops a file: the old version's row stays |
 * | `catalog-no-busy-handling` | no contention handling | a busy catalog is retried (about 3.1 s for saveAll, which never waits in busy_timeout) before an op fails | another connection holds `BEGIN IMMEDIATE` (1.5 s in the test, so a loaded machine still reaches phase 8 inside it): the mutant fails before it is released, clean retries and succeeds |
 * | `save-all-per-row` | broken transaction boundary | one `saveAll` is one transaction: a failure leaves the pre-save state | a type conflict: the mutant leaves a committed row behind |
 * | `lock-no-retry` | missing retry | the advisory lock is retried 10 times at 100 ms | a `.lock` deleted after 500 ms: the mutant fails, clean succeeds |
 * | `lock-early-release` | lock released too early | the lock covers the whole read-merge-write (lost updates when the rename lands after another writer's) | none in one process: the window between unlock and rename needs a second writer; the scenario library shows it |
 * | `rm-idempotent-success` | a lying answer (success for work not done) | an op's answer is one some serial order gives: an rm of an extension with no lockfile entry answers "not installed" | rm of an extension that is not installed: clean exits 1 with "is not installed", the mutant exits 0 printing `{removed}` and changes nothing |
 * | `list-stale-cache` | a stale read | list answers the lockfile as it is when list runs | list, then rm, then list: the mutant's second list still shows the removed extension, the lockfile does not |
 *
 * @module
 */

import { UserError } from "./errors.ts";

/** The environment variable that selects a mutant. */
export const MUTANT_ENV = "SWAMP_REF_MUTANT";

/** Every known mutant name. */
export const MUTANT_NAMES = [
  "lockfile-unlocked-write",
  "lockfile-in-place-write",
  "install-catalog-first",
  "remove-files-first",
  "no-duplicate-rollback",
  "upgrade-no-tombstone",
  "catalog-no-busy-handling",
  "save-all-per-row",
  "lock-no-retry",
  "lock-early-release",
  "rm-idempotent-success",
  "list-stale-cache",
] as const;

/** A known mutant name. */
export type MutantName = typeof MUTANT_NAMES[number];

let active: MutantName | null | undefined;

/**
 * Reads `SWAMP_REF_MUTANT` once and returns the selected mutant, or null.
 * An unknown name is a UserError that names the known ones.
 */
export function activeMutant(): MutantName | null {
  if (active !== undefined) return active;
  const raw = Deno.env.get(MUTANT_ENV) ?? "";
  if (raw === "") {
    active = null;
    return active;
  }
  if (!(MUTANT_NAMES as readonly string[]).includes(raw)) {
    throw new UserError(
      `Unknown mutant "${raw}" in ${MUTANT_ENV}: known mutants are ${MUTANT_NAMES.join(", ")}`,
    );
  }
  active = raw as MutantName;
  return active;
}

/** Whether the named mutant is the selected one. */
export function isMutant(name: MutantName): boolean {
  return activeMutant() === name;
}
