/**
 * The advisory lock next to the lockfile: an exclusive create
 * (`O_CREAT|O_EXCL`, nothing written into it), 10 attempts with a fixed
 * 100 ms pause, no stale-lock detection. Release closes the handle, then
 * unlinks the file, ignoring errors.
 *
 * @module
 */

import { UserError } from "./errors.ts";
import { isMutant } from "./mutants.ts";

/** Attempts per acquire. */
export const LOCK_RETRY_COUNT = 10;

/** Fixed pause between attempts. */
export const LOCK_RETRY_DELAY_MS = 100;

/** The UserError message when every attempt found the lock held. */
export const LOCK_GIVE_UP_MESSAGE =
  "Could not acquire lock on upstream_extensions.json. Another operation may be in progress. Please retry.";

function sleepMs(delayMs: number): Promise<void> {
  return new Promise((done) => setTimeout(done, delayMs));
}

/**
 * Acquires the lock at `lockPath`: one `Deno.open(createNew)` per attempt.
 * Any error other than AlreadyExists is rethrown at once.
 */
export async function acquireLock(lockPath: string): Promise<Deno.FsFile> {
  const attemptCount = isMutant("lock-no-retry") ? 1 : LOCK_RETRY_COUNT;
  for (let attempt = 0; attempt < attemptCount; attempt++) {
    try {
      return await Deno.open(lockPath, { createNew: true, write: true });
    } catch (error) {
      if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
      if (attempt < attemptCount - 1) await sleepMs(LOCK_RETRY_DELAY_MS);
    }
  }
  throw new UserError(LOCK_GIVE_UP_MESSAGE);
}

/** Releases the lock: close the handle, then unlink the file; errors are ignored. */
export async function releaseLock(handle: Deno.FsFile, lockPath: string): Promise<void> {
  try {
    handle.close();
  } catch {
    // Already closed.
  }
  try {
    await Deno.remove(lockPath);
  } catch {
    // Best effort: another process may have removed it.
  }
}
