/**
 * Directory walking shared by install, reconcile, safety and doctor. A
 * missing dir reads as empty. Callers that probe several optional child dirs
 * list the parent once with {@link childNames} and descend only into the
 * children that exist: a thrown NotFound per missing dir costs start-up time.
 *
 * @module
 */

import { join } from "./posix_path.ts";

/** Whether anything (file, dir or symlink, not followed) exists at `path`. */
export async function pathExists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch {
    return false;
  }
}

/** Deepest dir nesting a walk follows. */
export const WALK_DEPTH_MAX = 64;

/** Names of the entries of `dir`; empty when `dir` is missing or not a dir. */
export async function childNames(dir: string): Promise<Set<string>> {
  try {
    const names = new Set<string>();
    for await (const entry of Deno.readDir(dir)) names.add(entry.name);
    return names;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound || error instanceof Deno.errors.NotADirectory) {
      return new Set();
    }
    throw error;
  }
}

/** Options of {@link listFiles}. */
export interface ListFilesOptions {
  /** Skip dirs whose name starts with this prefix (e.g. `_`). */
  skipDirPrefix?: string;
  /** Keep only files whose name ends with this suffix (e.g. `.ts`). */
  suffix?: string;
}

/** Every file under `dir`, recursively, sorted; `[]` when `dir` is missing. */
export async function listFiles(dir: string, options: ListFilesOptions = {}): Promise<string[]> {
  const found: string[] = [];
  async function walk(current: string, depth: number): Promise<void> {
    if (depth > WALK_DEPTH_MAX) throw new Error(`Directory tree too deep at "${current}"`);
    let entries: Deno.DirEntry[];
    try {
      entries = await Array.fromAsync(Deno.readDir(current));
    } catch (error) {
      if (error instanceof Deno.errors.NotFound || error instanceof Deno.errors.NotADirectory) {
        return;
      }
      throw error;
    }
    for (const entry of entries) {
      const path = join(current, entry.name);
      if (entry.isDirectory) {
        if (options.skipDirPrefix === undefined || !entry.name.startsWith(options.skipDirPrefix)) {
          await walk(path, depth + 1);
        }
      } else if (entry.isFile || entry.isSymlink) {
        if (options.suffix === undefined || entry.name.endsWith(options.suffix)) found.push(path);
      }
    }
  }
  await walk(dir, 0);
  return found.sort();
}

/** {@link listFiles} over the children of `root` named in `subdirs` that exist, in `subdirs` order. */
export async function listFilesIn(
  root: string,
  subdirs: readonly string[],
  options: ListFilesOptions = {},
): Promise<Map<string, string[]>> {
  const present = await childNames(root);
  const result = new Map<string, string[]>();
  for (const subdir of subdirs) {
    result.set(subdir, present.has(subdir) ? await listFiles(join(root, subdir), options) : []);
  }
  return result;
}
