/**
 * The repo layout swamp uses for extensions: marker, catalog, pulled trees,
 * bundle namespaces and the lockfile with its advisory lock. Pure path
 * arithmetic; the repo path is `path.resolve`d and never realpath'd.
 *
 * @module
 */

import { dirname, isAbsolute, join, relative, resolve } from "./posix_path.ts";

/** The marker file that makes a directory a swamp repo. */
export const MARKER_FILE = ".swamp.yaml";

/** The lockfile's file name inside the models dir. */
export const LOCKFILE_NAME = "upstream_extensions.json";

/** The models dir when neither `SWAMP_MODELS_DIR` nor the marker sets one. */
export const DEFAULT_MODELS_DIR = "extensions/models";

/** The seven dirs every pull creates under the per-extension root. */
export const SCAFFOLD_DIRS = [
  "models",
  "workflows",
  "vaults",
  "drivers",
  "datastores",
  "reports",
  "files",
] as const;

/** Archive bundle dirs and the per-extension kind dir whose namespace they use. */
export const BUNDLE_DIRS: Readonly<Record<string, string>> = {
  "bundles": "models",
  "vault-bundles": "vaults",
  "driver-bundles": "drivers",
  "datastore-bundles": "datastores",
  "report-bundles": "reports",
};

/** Every absolute path of one repo that the lifecycle touches. */
export interface RepoLayout {
  repoDir: string;
  markerPath: string;
  swampDir: string;
  catalogPath: string;
  pulledRoot: string;
  modelsDir: string;
  lockfilePath: string;
  lockPath: string;
}

/** Builds the layout of a repo; `modelsDir` may be relative to the repo. */
export function repoLayout(repoDir: string, modelsDir: string = DEFAULT_MODELS_DIR): RepoLayout {
  const root = resolve(repoDir);
  const swampDir = join(root, ".swamp");
  const models = isAbsolute(modelsDir) ? modelsDir : resolve(root, modelsDir);
  const lockfilePath = join(models, LOCKFILE_NAME);
  return {
    repoDir: root,
    markerPath: join(root, MARKER_FILE),
    swampDir,
    catalogPath: join(swampDir, "_extension_catalog.db"),
    pulledRoot: join(swampDir, "pulled-extensions"),
    modelsDir: models,
    lockfilePath,
    lockPath: `${lockfilePath}.lock`,
  };
}

/** The per-extension root `.swamp/pulled-extensions/<@scope>/<name>`. */
export function extensionRoot(layout: RepoLayout, name: string): string {
  return join(layout.pulledRoot, ...name.split("/"));
}

/** A repo-relative path with `/` separators. */
export function toRepoRelative(layout: RepoLayout, absPath: string): string {
  return relative(layout.repoDir, absPath);
}

/** The absolute path of a repo-relative path. */
export function fromRepoRelative(layout: RepoLayout, relPath: string): string {
  return resolve(layout.repoDir, relPath);
}

/** Whether `absPath` is strictly inside the repo root `repoDir`. */
export function isInsideRepo(repoDir: string, absPath: string): boolean {
  const rel = relative(repoDir, resolve(absPath));
  return rel !== "" && !rel.startsWith("..") && !isAbsolute(rel);
}

/**
 * The 32-bit FNV-1a hash (basis 0x811c9dc5, prime 0x01000193) over the UTF-16
 * units of `text`, as 8 hex digits: swamp's bundle namespace.
 */
export function fnv1a32Hex(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, "0");
}

/**
 * The bundle namespace of one extension's kind dir: the hash of its
 * repo-relative path, e.g. `.swamp/pulled-extensions/@a/b/models`.
 */
export function bundleNamespace(layout: RepoLayout, name: string, kindDir: string): string {
  return fnv1a32Hex(toRepoRelative(layout, join(extensionRoot(layout, name), kindDir)));
}

/** The absolute dir `.swamp/<bundleDir>/<ns>` for an archive bundle dir. */
export function bundleNamespaceDir(layout: RepoLayout, name: string, bundleDir: string): string {
  const kindDir = BUNDLE_DIRS[bundleDir];
  if (kindDir === undefined) throw new Error(`Unknown bundle dir "${bundleDir}"`);
  return join(layout.swampDir, bundleDir, bundleNamespace(layout, name, kindDir));
}

/** The bundle dir name that holds bundles of a kind dir (`models` -> `bundles`). */
export function bundleDirOfKindDir(kindDir: string): string {
  for (const [bundleDir, kind] of Object.entries(BUNDLE_DIRS)) {
    if (kind === kindDir) return bundleDir;
  }
  throw new Error(`No bundle dir for kind dir "${kindDir}"`);
}

/** The parent dir of a path (re-exported so callers need one import). */
export function parentDir(path: string): string {
  return dirname(path);
}
