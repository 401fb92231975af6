/**
 * RemoveExtensionService: catalog, then lockfile, then filesystem.
 *
 * 1. The CLI preview decides "not installed" from the lockfile snapshot alone.
 * 2. Catalog: every version's rows tombstoned in one `saveAll`; a failure is a
 *    UserError and nothing else changed.
 * 3. Lockfile: `removeEntry` under the lock.
 * 4. Files: each snapshot `files[]` path removed (NotFound counts as skipped).
 * 5. Dirs: the deleted files' dirs, the seven scaffold dirs and the five
 *    bundle namespace dirs, each climbed and removed while empty (checked by
 *    listing it first), longest path first, never the repo root or above.
 *
 * @module
 */

import { dirname, join, resolve } from "./posix_path.ts";
import yaml from "js-yaml";
import { errorMessage, UserError } from "./errors.ts";
import type { LockfileEntry, LockfileRepository } from "./lockfile.ts";
import { isMutant } from "./mutants.ts";
import {
  BUNDLE_DIRS,
  bundleNamespaceDir,
  extensionRoot,
  isInsideRepo,
  type RepoLayout,
  SCAFFOLD_DIRS,
} from "./paths.ts";
import { type ExtensionRepository, tombstoneAll } from "./repository.ts";

/** The JSON payload of a successful rm. */
export interface RemoveResult {
  name: string;
  version: string;
  filesDeleted: number;
  filesSkipped: number;
  dirsRemoved: number;
}

/** What a remove needs. */
export interface RemoveDeps {
  layout: RepoLayout;
  lockfile: LockfileRepository;
  repository: ExtensionRepository;
}

/** The UserError message for an extension without a lockfile entry. */
export function notInstalledMessage(name: string): string {
  return `Extension ${name} is not installed.`;
}

/** The CLI preview: the snapshot entry, or the "not installed" UserError. */
export function previewRemove(name: string, lockfile: LockfileRepository): LockfileEntry {
  const entry = lockfile.getEntry(name);
  if (entry === null) throw new UserError(notInstalledMessage(name));
  if (entry.files === undefined) {
    throw new UserError(
      `Extension ${name} has no file list in upstream_extensions.json. Re-pull it with \`swamp extension pull ${name} --force\` before removing it.`,
    );
  }
  return entry;
}

/** Other installed extensions whose on-disk manifest lists `name` as a dependency. */
export async function findDependents(
  name: string,
  layout: RepoLayout,
  lockfile: LockfileRepository,
): Promise<string[]> {
  const dependents: string[] = [];
  for (const other of Object.keys(lockfile.getAllEntries())) {
    if (other === name) continue;
    let text: string;
    try {
      text = await Deno.readTextFile(join(extensionRoot(layout, other), "manifest.yaml"));
    } catch {
      continue;
    }
    const parsed: unknown = yaml.load(text);
    if (parsed === null || typeof parsed !== "object") continue;
    const list = (parsed as Record<string, unknown>).dependencies;
    if (!Array.isArray(list)) continue;
    if (list.some((d) => typeof d === "string" && (d === name || d.startsWith(`${name}@`)))) {
      dependents.push(other);
    }
  }
  return dependents.sort();
}

/** The deepest climb {@link pruneEmptyDirs} makes from one dir. */
export const PRUNE_CLIMB_MAX = 256;

/**
 * Removes every empty dir among `dirs` and their ancestors, longest path
 * first (ties in the order given); each climb lists the dir and removes it
 * only when it is empty, so no remove ever fails on a non-empty dir; a climb
 * stops at the first non-empty or unreadable dir and never reaches the repo
 * root. Returns how many dirs were removed. As swamp's `pruneEmptyDirs`
 * (`src/libswamp/extensions/remove_extension_service.ts`).
 */
export async function pruneEmptyDirs(dirs: readonly string[], repoRoot: string): Promise<number> {
  const root = resolve(repoRoot);
  const ordered = [...new Set(dirs.map((d) => resolve(d)))].sort((a, b) => b.length - a.length);
  let removed = 0;
  for (const start of ordered) {
    let dir = start;
    for (let depth = 0; depth < PRUNE_CLIMB_MAX && isInsideRepo(root, dir); depth++) {
      try {
        let empty = true;
        for await (const _entry of Deno.readDir(dir)) {
          empty = false;
          break;
        }
        if (!empty) break;
        await Deno.remove(dir);
        removed++;
      } catch {
        break;
      }
      dir = dirname(dir);
    }
  }
  return removed;
}

/** What the file step did: counts, and the parent dir of every file it deleted. */
interface DeletedFiles {
  deleted: number;
  skipped: number;
  parentDirs: string[];
}

async function deleteFiles(layout: RepoLayout, files: readonly string[]): Promise<DeletedFiles> {
  let deleted = 0;
  let skipped = 0;
  const parentDirs: string[] = [];
  for (const rel of files) {
    const path = join(layout.repoDir, rel);
    if (!isInsideRepo(layout.repoDir, path)) {
      throw new UserError(`Refusing to delete "${rel}": it is outside the repository`);
    }
    let info: Deno.FileInfo;
    try {
      info = await Deno.lstat(path);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) {
        skipped++;
        continue;
      }
      throw error;
    }
    try {
      await Deno.remove(path, { recursive: info.isDirectory });
      deleted++;
      parentDirs.push(dirname(path));
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
      skipped++;
    }
  }
  return { deleted, skipped, parentDirs };
}

function tombstoneCatalog(name: string, deps: RemoveDeps): void {
  const aggregates = deps.repository.loadByName(name);
  if (aggregates.length === 0) return;
  try {
    deps.repository.saveAll(aggregates.map(tombstoneAll));
  } catch (error) {
    throw new UserError(
      `Remove failed for ${name} during catalog write (${
        errorMessage(error)
      }). The catalog was rolled back; ` +
        `the extension is unchanged. Retry \`swamp extension rm ${name}\`.`,
      { cause: error },
    );
  }
}

/** Removes one extension whose snapshot entry is `entry`. */
export async function removeExtension(
  name: string,
  entry: LockfileEntry,
  deps: RemoveDeps,
): Promise<RemoveResult> {
  const files = entry.files ?? [];
  let counts: DeletedFiles;
  if (isMutant("remove-files-first")) {
    counts = await deleteFiles(deps.layout, files);
    await deps.lockfile.removeEntry(name);
    tombstoneCatalog(name, deps);
  } else {
    tombstoneCatalog(name, deps);
    await deps.lockfile.removeEntry(name);
    counts = await deleteFiles(deps.layout, files);
  }
  // The dirs of the deleted files, then the scaffold and bundle namespace dirs
  // pull creates for every extension (swamp counts them all in dirsRemoved).
  const extDir = extensionRoot(deps.layout, name);
  const candidates = [
    ...counts.parentDirs,
    ...SCAFFOLD_DIRS.map((d) => join(extDir, d)),
    ...Object.keys(BUNDLE_DIRS).map((d) => bundleNamespaceDir(deps.layout, name, d)),
  ];
  const dirsRemoved = await pruneEmptyDirs(candidates, deps.layout.repoDir);
  return {
    name,
    version: entry.version,
    filesDeleted: counts.deleted,
    filesSkipped: counts.skipped,
    dirsRemoved,
  };
}
