/**
 * swamp's safety analyser over the `.ts` files of an extracted archive's
 * models, vaults, drivers, datastores and reports dirs: no `eval(`, no
 * `new Function(`, at most 150 files, none over 1 MB, at most 10 MB in total.
 *
 * @module
 */

import { relative } from "./posix_path.ts";
import { UserError } from "./errors.ts";
import { listFilesIn } from "./walk.ts";

/** The dirs whose `.ts` files are analysed. */
export const ANALYSED_DIRS = ["models", "vaults", "drivers", "datastores", "reports"] as const;

/** Most files analysed per extension. */
export const SAFETY_FILE_COUNT_MAX = 150;

/** Largest single file. */
export const SAFETY_FILE_BYTES_MAX = 1024 * 1024;

/** Largest total size. */
export const SAFETY_TOTAL_BYTES_MAX = 10 * 1024 * 1024;

/** Throws a UserError naming the first safety violation under `root`. */
export async function analyzeSafety(root: string): Promise<void> {
  const listed = await listFilesIn(root, ANALYSED_DIRS, { suffix: ".ts" });
  const files = [...listed.values()].flat();
  if (files.length > SAFETY_FILE_COUNT_MAX) {
    throw new UserError(
      `Extension failed safety checks: ${files.length} files exceeds the maximum of ${SAFETY_FILE_COUNT_MAX}`,
    );
  }
  let totalBytes = 0;
  for (const file of files.sort()) {
    const text = await Deno.readTextFile(file);
    const bytes = new TextEncoder().encode(text).length;
    const rel = relative(root, file);
    if (bytes > SAFETY_FILE_BYTES_MAX) {
      throw new UserError(`Extension failed safety checks: "${rel}" is larger than 1 MB`);
    }
    totalBytes += bytes;
    if (/\beval\s*\(/.test(text)) {
      throw new UserError(`Extension failed safety checks: "${rel}" calls eval(`);
    }
    if (/new\s+Function\s*\(/.test(text)) {
      throw new UserError(`Extension failed safety checks: "${rel}" calls new Function(`);
    }
  }
  if (totalBytes > SAFETY_TOTAL_BYTES_MAX) {
    throw new UserError("Extension failed safety checks: total size exceeds 10 MB");
  }
}
