/**
 * A snapshot of the three layers of a repo (file tree, lockfile, catalog),
 * taken after the target processes exited. Reading never throws: whatever
 * cannot be read is recorded as such, and the invariant that needs it says
 * `unknown`.
 *
 * @module
 */

import { DatabaseSync } from "node:sqlite";
import {
  BUNDLE_DIRS,
  CATALOG_PATH,
  LOCK_PATH,
  LOCKFILE_DIR,
  LOCKFILE_PATH,
  PULLED_DIR,
  TEMP_FILE_PATTERN,
} from "../shared/layout.ts";

/** One row of `bundle_types`, as stored. */
export interface CatalogRow {
  source_path: string;
  type_normalized: string;
  kind: string;
  bundle_path: string;
  version: string;
  extension_name: string;
  extension_version: string;
  state: string;
  last_error: string;
}

/** The lockfile as found. */
export type LockfileSnapshot =
  | { state: "absent" }
  | { state: "malformed"; raw: string; error: string }
  | { state: "present"; raw: string; data: unknown };

/** The catalog as found. */
export type CatalogSnapshot =
  | { state: "absent" }
  | { state: "unreadable"; error: string }
  | { state: "present"; integrity: string[]; rows: CatalogRow[]; meta: Record<string, string> };

/** The three layers of one repo at one instant. */
export interface Snapshot {
  repoDir: string;
  lockfile: LockfileSnapshot;
  /** Whether the advisory lock file exists. */
  lockPresent: boolean;
  /** Repo-relative stray temp files next to the lockfile. */
  tempFiles: string[];
  catalog: CatalogSnapshot;
  /** Repo-relative files under the pulled-extensions tree, sorted. */
  pulledFiles: string[];
  /** Repo-relative files under the bundle dirs, sorted. */
  bundleFiles: string[];
  /** Per pulled extension dir (`@scope/name`): the version its manifest.yaml names, or null. */
  manifests: Record<string, string | null>;
  /** For every path any lockfile entry lists in `files`: whether it exists. */
  listedExists: Record<string, boolean>;
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch {
    return false;
  }
}

/** Lists files (not dirs) under `root`, repo-relative, following no symlinks. */
export async function listFiles(repoDir: string, rel: string): Promise<string[]> {
  const out: string[] = [];
  async function walk(relDir: string): Promise<void> {
    let entries: Deno.DirEntry[];
    try {
      entries = await Array.fromAsync(Deno.readDir(`${repoDir}/${relDir}`));
    } catch {
      return;
    }
    for (const entry of entries) {
      const child = `${relDir}/${entry.name}`;
      if (entry.isDirectory) await walk(child);
      else out.push(child);
    }
  }
  await walk(rel);
  return out.sort();
}

async function readLockfile(repoDir: string): Promise<LockfileSnapshot> {
  let raw: string;
  try {
    raw = await Deno.readTextFile(`${repoDir}/${LOCKFILE_PATH}`);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return { state: "absent" };
    return { state: "malformed", raw: "", error: (error as Error).message };
  }
  try {
    return { state: "present", raw, data: JSON.parse(raw) };
  } catch (error) {
    return { state: "malformed", raw, error: (error as Error).message };
  }
}

function readCatalog(repoDir: string): CatalogSnapshot {
  const path = `${repoDir}/${CATALOG_PATH}`;
  try {
    Deno.statSync(path);
  } catch {
    return { state: "absent" };
  }
  let db: DatabaseSync | undefined;
  try {
    db = new DatabaseSync(path, { readOnly: true });
    db.exec("PRAGMA busy_timeout=5000");
    const integrity = (db.prepare("PRAGMA integrity_check").all() as Array<Record<string, unknown>>)
      .map((r) => String(Object.values(r)[0]));
    const tables = new Set(
      (db.prepare("SELECT name FROM sqlite_master WHERE type='table'").all() as Array<
        { name: string }
      >)
        .map((r) => r.name),
    );
    const rows = tables.has("bundle_types")
      ? (db.prepare(
        `SELECT source_path, type_normalized, kind, bundle_path, version, extension_name,
                extension_version, state, last_error
           FROM bundle_types ORDER BY source_path`,
      ).all() as unknown as CatalogRow[]).map((r) => ({ ...r }))
      : [];
    const meta: Record<string, string> = {};
    if (tables.has("bundle_meta")) {
      for (
        const r of db.prepare("SELECT key, value FROM bundle_meta").all() as Array<
          { key: string; value: string }
        >
      ) {
        meta[r.key] = r.value;
      }
    }
    return { state: "present", integrity, rows, meta };
  } catch (error) {
    return { state: "unreadable", error: (error as Error).message };
  } finally {
    db?.close();
  }
}

function manifestVersion(text: string): string | null {
  const match = text.match(/^version:\s*["']?([^"'\s#]+)["']?\s*(#.*)?$/m);
  return match === null ? null : match[1];
}

/** Takes a snapshot of the repo at `repoDir` (absolute). */
export async function takeSnapshot(repoDir: string): Promise<Snapshot> {
  const lockfile = await readLockfile(repoDir);
  const lockPresent = await exists(`${repoDir}/${LOCK_PATH}`);
  const tempFiles: string[] = [];
  try {
    for await (const entry of Deno.readDir(`${repoDir}/${LOCKFILE_DIR}`)) {
      if (entry.isFile && TEMP_FILE_PATTERN.test(entry.name)) {
        tempFiles.push(`${LOCKFILE_DIR}/${entry.name}`);
      }
    }
  } catch {
    // No lockfile dir yet: no temp files.
  }
  const pulledFiles = await listFiles(repoDir, PULLED_DIR);
  const bundleFiles = (await Promise.all(BUNDLE_DIRS.map((d) => listFiles(repoDir, d)))).flat()
    .sort();
  const manifests: Record<string, string | null> = {};
  for (const file of pulledFiles) {
    if (!file.endsWith("/manifest.yaml")) continue;
    const dir = file.slice(PULLED_DIR.length + 1, -"/manifest.yaml".length);
    let text = "";
    try {
      text = await Deno.readTextFile(`${repoDir}/${file}`);
    } catch {
      // Unreadable manifest: recorded as null below.
    }
    manifests[dir] = manifestVersion(text);
  }
  const listedExists: Record<string, boolean> = {};
  for (const path of listedPaths(lockfile)) {
    listedExists[path] = !path.startsWith("/") && !path.split("/").includes("..") &&
      await exists(`${repoDir}/${path}`);
  }
  return {
    repoDir,
    lockfile,
    lockPresent,
    tempFiles: tempFiles.sort(),
    catalog: readCatalog(repoDir),
    pulledFiles,
    bundleFiles,
    manifests,
    listedExists,
  };
}

function listedPaths(lockfile: LockfileSnapshot): string[] {
  if (lockfile.state !== "present") return [];
  const data = lockfile.data;
  if (typeof data !== "object" || data === null) return [];
  const out = new Set<string>();
  for (const entry of Object.values(data as Record<string, unknown>)) {
    const files = (entry as { files?: unknown } | null)?.files;
    if (!Array.isArray(files)) continue;
    for (const f of files) if (typeof f === "string") out.add(f);
  }
  return [...out].sort();
}
