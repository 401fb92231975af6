/**
 * Atomic text writes as swamp does them: write `.<randomUUID>.tmp` in the
 * target's dir, then rename it over the target; the tmp file is removed on
 * error. No fsync of the file or the dir. The two steps are exported apart so
 * the lockfile writer can place its unlock between them when a mutant asks.
 *
 * @module
 */

import { dirname, join } from "./posix_path.ts";

/** Writes `text` to a fresh tmp file beside `targetPath` and returns the tmp path. */
export async function writeTmpBeside(targetPath: string, text: string): Promise<string> {
  const tmpPath = join(dirname(targetPath), `.${crypto.randomUUID()}.tmp`);
  try {
    await Deno.writeTextFile(tmpPath, text);
  } catch (error) {
    await removeQuietly(tmpPath);
    throw error;
  }
  return tmpPath;
}

/** Renames a tmp file over its target; the tmp file is removed on error. */
export async function renameOver(tmpPath: string, targetPath: string): Promise<void> {
  try {
    await Deno.rename(tmpPath, targetPath);
  } catch (error) {
    await removeQuietly(tmpPath);
    throw error;
  }
}

/** Writes `text` to `targetPath` atomically (tmp file, then rename). */
export async function atomicWriteTextFile(targetPath: string, text: string): Promise<void> {
  const tmpPath = await writeTmpBeside(targetPath, text);
  await renameOver(tmpPath, targetPath);
}

async function removeQuietly(path: string): Promise<void> {
  try {
    await Deno.remove(path);
  } catch {
    // The tmp file may never have been created.
  }
}
