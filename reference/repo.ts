/**
 * Repo resolution: which dir a command acts on (`--repo-dir`, then
 * `SWAMP_REPO_DIR`, then the nearest ancestor of the cwd holding `.swamp.yaml`,
 * then the cwd), the marker check, the models dir, `init`, and the manifest
 * identity that decides whether the startup reconcile runs.
 *
 * Manifest identity: the hex SHA-256 of the `.swamp.yaml` bytes. swamp derives
 * it from the marker too; any change of the marker re-runs the reconcile.
 *
 * @module
 */

import { dirname, join, resolve } from "./posix_path.ts";
import yaml from "js-yaml";
import { UserError } from "./errors.ts";
import { DEFAULT_MODELS_DIR, MARKER_FILE, type RepoLayout, repoLayout } from "./paths.ts";

/** The marker content `init` writes: deterministic, no ids or timestamps. */
export const MARKER_CONTENT = "# swamp repository marker\nswampVersion: reference\n";

/** What the marker may set. */
export interface MarkerData {
  modelsDir?: string;
}

/** A resolved repo: its layout and the raw marker bytes. */
export interface RepoContext {
  layout: RepoLayout;
  markerBytes: Uint8Array;
}

function hasMarker(dir: string): boolean {
  try {
    return Deno.statSync(join(dir, MARKER_FILE)).isFile;
  } catch {
    return false;
  }
}

/** Resolves the repo dir; the result is `path.resolve`d, never realpath'd. */
export function resolveRepoDir(flag: string | undefined, cwd?: string): string {
  if (flag !== undefined) return cwd === undefined ? resolve(flag) : resolve(cwd, flag);
  const fromEnv = Deno.env.get("SWAMP_REPO_DIR");
  if (fromEnv !== undefined && fromEnv !== "") {
    return cwd === undefined ? resolve(fromEnv) : resolve(cwd, fromEnv);
  }
  const start = cwd ?? Deno.cwd();
  let dir = resolve(start);
  for (let depth = 0; depth < 256; depth++) {
    if (hasMarker(dir)) return dir;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return resolve(start);
}

/** Parses marker bytes; anything that is not a mapping reads as no settings. */
export function parseMarker(bytes: Uint8Array): MarkerData {
  const parsed: unknown = yaml.load(new TextDecoder().decode(bytes));
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) return {};
  const modelsDir = (parsed as Record<string, unknown>).modelsDir;
  return typeof modelsDir === "string" && modelsDir !== "" ? { modelsDir } : {};
}

/** The models dir: `SWAMP_MODELS_DIR`, else the marker's, else `extensions/models`. */
export function resolveModelsDir(marker: MarkerData): string {
  const fromEnv = Deno.env.get("SWAMP_MODELS_DIR");
  if (fromEnv !== undefined && fromEnv !== "") return fromEnv;
  return marker.modelsDir ?? DEFAULT_MODELS_DIR;
}

/** Reads the marker or fails with "Not a swamp repository". */
export async function requireRepo(repoDir: string): Promise<RepoContext> {
  let markerBytes: Uint8Array;
  try {
    markerBytes = await Deno.readFile(join(repoDir, MARKER_FILE));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new UserError(
        `Not a swamp repository: ${repoDir}. To initialize a new repository, run 'swamp repo init', ` +
          `or specify an existing repository with 'swamp <command> --repo-dir /path/to/repo'.`,
      );
    }
    throw error;
  }
  const marker = parseMarker(markerBytes);
  return { layout: repoLayout(repoDir, resolveModelsDir(marker)), markerBytes };
}

/** The hex SHA-256 of the marker bytes. */
export async function manifestIdentity(markerBytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", markerBytes as Uint8Array<ArrayBuffer>);
  return hexOf(new Uint8Array(digest));
}

/** Lower-case hex of bytes. */
export function hexOf(bytes: Uint8Array): string {
  let out = "";
  for (const byte of bytes) out += byte.toString(16).padStart(2, "0");
  return out;
}

/** What `init` did. */
export interface InitResult {
  repoDir: string;
  created: boolean;
}

/**
 * Initialises a repo: writes the marker (unless present) and creates `.swamp/`.
 * An existing marker is left as it is.
 */
export async function initRepo(repoDir: string): Promise<InitResult> {
  const layout = repoLayout(repoDir);
  await Deno.mkdir(layout.swampDir, { recursive: true });
  if (hasMarker(layout.repoDir)) return { repoDir: layout.repoDir, created: false };
  await Deno.writeTextFile(layout.markerPath, MARKER_CONTENT);
  return { repoDir: layout.repoDir, created: true };
}
