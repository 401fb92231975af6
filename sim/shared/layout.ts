/**
 * swamp's repo layout as the simulator reads it (contract §2–§3). The target
 * keeps its own copy of these facts; the simulator checks the target against
 * this one, so a target that writes elsewhere shows up as a violation rather
 * than being silently followed.
 *
 * @module
 */

/** Repo marker file. */
export const MARKER_FILE = ".swamp.yaml";
/** Lockfile, relative to the repo (default `modelsDir`). */
export const LOCKFILE_PATH = "extensions/models/upstream_extensions.json";
/** Advisory lock file, relative to the repo. */
export const LOCK_PATH = `${LOCKFILE_PATH}.lock`;
/** Directory that holds the lockfile (and any stray atomic-write temp files). */
export const LOCKFILE_DIR = "extensions/models";
/** Catalog database, relative to the repo. */
export const CATALOG_PATH = ".swamp/_extension_catalog.db";
/** Root of the pulled trees, relative to the repo. */
export const PULLED_DIR = ".swamp/pulled-extensions";
/** Bundle roots, relative to the repo. */
export const BUNDLE_DIRS = [
  ".swamp/bundles",
  ".swamp/vault-bundles",
  ".swamp/driver-bundles",
  ".swamp/datastore-bundles",
  ".swamp/report-bundles",
] as const;
/** Name pattern of swamp's atomic-write temp files (`.<uuid>.tmp`). */
export const TEMP_FILE_PATTERN = /^\..+\.tmp$/;
