/**
 * `swamp doctor extensions`: invalidate the `populated:*` flags, reconcile
 * from disk (errors swallowed into `warnings`, except a DuplicateTypeError,
 * which becomes a UserError naming both sides), build the report and, with
 * `--repair`, repair (applied unless `--dry-run`):
 *
 * - `catalog-row-pruned`: Tombstoned and OrphanedBundleOnly rows (the
 *   latter's bundle evicted with it);
 * - `unreachable-row-pruned`: other rows whose `source_path` is missing;
 * - `bundle-file-evicted`: `.js` files in the five bundle dirs (repo-relative)
 *   that no row with a bundle references, a row about to be pruned included;
 * - `pulled-extension-repulled`: pulled extensions with ValidationFailed or
 *   BundleBuildFailed rows, re-pulled with force.
 *
 * An applied repair reports what it did: rows actually deleted, files
 * actually removed (swamp `src/libswamp/extensions/doctor_repair.ts`).
 *
 * Doctor never touches the lockfile, pulled sources or a stale `.lock`.
 * A registry's status is `fail` when its loader failed or one of its rows is
 * ValidationFailed, BundleBuildFailed or EntryPointUnreadable, `pass`
 * otherwise; `overallStatus` is `fail` when any registry fails and `pass`
 * otherwise. There is no third status: orphan files and warnings are reported
 * but never change it (swamp `src/libswamp/extensions/doctor.ts`).
 *
 * Orphan files are looked for only under the roots of extensions that are in
 * the lockfile: for each entry, the per-extension dir and the bundle
 * namespace dirs its `files[]` lie in are walked, and a file there that the
 * entry does not list is an orphan of that extension (swamp `doctor.ts`,
 * `detectOrphanFiles`, with `extractTopLevelRootMulti` in `layout.ts`). Files
 * left behind by an extension that is no longer in the lockfile (an rm that
 * crashed in its file step) are therefore not reported.
 *
 * @module
 */

import { join } from "./posix_path.ts";
import type { CatalogRow, ExtensionCatalogStore } from "./catalog.ts";
import { DuplicateTypeError, errorMessage, UserError } from "./errors.ts";
import type { LockfileRepository } from "./lockfile.ts";
import { BUNDLE_DIRS, fromRepoRelative, type RepoLayout, toRepoRelative } from "./paths.ts";
import { reconcileFromDisk, type Transition } from "./reconcile.ts";
import type { ExtensionRepository } from "./repository.ts";
import { listFiles, pathExists } from "./walk.ts";

/** Row states that carry a bundle path (the others have none to reference). */
export const BUNDLE_STATES = ["Indexed", "Bundled", "ValidationFailed", "OrphanedBundleOnly"];

/** Row states that make the doctor fail. */
export const FAILING_STATES = ["ValidationFailed", "BundleBuildFailed", "EntryPointUnreadable"];

/** The registries the doctor reports on, and the row kinds that feed each. */
export const REGISTRY_KINDS: Readonly<Record<string, readonly string[]>> = {
  model: ["model", "extension"],
  vault: ["vault"],
  datastore: ["datastore"],
  report: ["report"],
};

/** One repair step. */
export interface RepairOperation {
  kind:
    | "catalog-row-pruned"
    | "unreachable-row-pruned"
    | "bundle-file-evicted"
    | "pulled-extension-repulled";
  path: string;
  reason: string;
}

/** What `--repair` did or would do. */
export interface RepairReport {
  mode: "dry-run" | "applied";
  operations: RepairOperation[];
  prunedRowCount: number;
  evictedFileCount: number;
  repulledExtensionCount: number;
}

/** A file under a lockfile entry's roots that the entry does not list. */
export interface OrphanFile {
  extensionName: string;
  /** Repo-relative path. */
  path: string;
}

/** The doctor's JSON document. */
export interface DoctorReport {
  overallStatus: "pass" | "fail";
  registries: Record<string, { registry: string; status: "pass" | "fail" }>;
  orphanFiles: OrphanFile[];
  aggregateState: {
    rowCount: number;
    states: Record<string, number>;
    extensions: Array<{ name: string; version: string; rowCount: number }>;
  };
  repairReport?: RepairReport;
  loaderErrors: Record<string, string>;
  warnings: string[];
  recentTransitions: Transition[];
}

/** What the doctor needs. */
export interface DoctorDeps {
  layout: RepoLayout;
  store: ExtensionCatalogStore;
  lockfile: LockfileRepository;
  repository: ExtensionRepository;
  manifestIdentity: string;
  repair: boolean;
  dryRun: boolean;
  /** Re-pulls one extension at one version, with force. */
  repull: (name: string, version: string) => Promise<void>;
}

function buildAggregateState(rows: readonly CatalogRow[]): DoctorReport["aggregateState"] {
  const states: Record<string, number> = {};
  const extensions = new Map<string, { name: string; version: string; rowCount: number }>();
  for (const row of rows) {
    states[row.state] = (states[row.state] ?? 0) + 1;
    const key = `${row.extension_name}\u0000${row.extension_version}`;
    const entry = extensions.get(key) ??
      { name: row.extension_name, version: row.extension_version, rowCount: 0 };
    entry.rowCount++;
    extensions.set(key, entry);
  }
  return { rowCount: rows.length, states, extensions: [...extensions.values()] };
}

async function planRepair(
  rows: readonly CatalogRow[],
  deps: DoctorDeps,
): Promise<RepairOperation[]> {
  const operations: RepairOperation[] = [];
  const pruned = new Set<string>();
  for (const row of rows) {
    if (row.state === "Tombstoned" || row.state === "OrphanedBundleOnly") {
      operations.push({
        kind: "catalog-row-pruned",
        path: row.source_path,
        reason: `row is ${row.state}`,
      });
      pruned.add(row.source_path);
      if (row.state === "OrphanedBundleOnly" && row.bundle_path !== "") {
        operations.push({
          kind: "bundle-file-evicted",
          path: row.bundle_path,
          reason: "its source is deleted",
        });
      }
    }
  }
  for (const row of rows) {
    if (pruned.has(row.source_path)) continue;
    if (!(await pathExists(row.source_path))) {
      operations.push({
        kind: "unreachable-row-pruned",
        path: row.source_path,
        reason: "source file missing",
      });
      pruned.add(row.source_path);
    }
  }
  // Every row whose state carries a bundle references it, pruned rows included
  // (swamp `doctor_aggregate.ts` collects them before the repair runs).
  const referenced = new Set(
    rows.filter((r) => BUNDLE_STATES.includes(r.state)).map((r) => r.bundle_path),
  );
  for (const bundleDir of Object.keys(BUNDLE_DIRS)) {
    for (const file of await listFiles(join(deps.layout.swampDir, bundleDir))) {
      if (file.endsWith(".js") && !referenced.has(file)) {
        operations.push({
          kind: "bundle-file-evicted",
          path: toRepoRelative(deps.layout, file),
          reason: "no catalog row references it",
        });
      }
    }
  }
  const repull = new Set<string>();
  for (const row of rows) {
    if (
      row.source_path.startsWith(`${deps.layout.pulledRoot}/`) && row.extension_name !== "" &&
      (row.state === "ValidationFailed" || row.state === "BundleBuildFailed")
    ) {
      repull.add(row.extension_name);
    }
  }
  for (const name of [...repull].sort()) {
    if (deps.lockfile.getEntry(name) === null) continue;
    operations.push({
      kind: "pulled-extension-repulled",
      path: name,
      reason: "sources failed to load",
    });
  }
  return operations;
}

/** What an applied repair actually did: rows deleted, files removed, extensions re-pulled. */
interface RepairCounts {
  pruned: number;
  evicted: number;
  repulled: number;
}

async function applyRepair(
  operations: readonly RepairOperation[],
  deps: DoctorDeps,
): Promise<RepairCounts> {
  const rowPaths = operations
    .filter((o) => o.kind === "catalog-row-pruned" || o.kind === "unreachable-row-pruned")
    .map((o) => o.path);
  const counts: RepairCounts = {
    pruned: deps.store.deleteBySourcePaths(rowPaths),
    evicted: 0,
    repulled: 0,
  };
  for (const operation of operations) {
    if (operation.kind === "bundle-file-evicted") {
      try {
        await Deno.remove(fromRepoRelative(deps.layout, operation.path));
        counts.evicted++;
      } catch {
        // Already gone, or not removable: not counted, as in swamp.
      }
    } else if (operation.kind === "pulled-extension-repulled") {
      const entry = deps.lockfile.getEntry(operation.path);
      if (entry !== null) {
        await deps.repull(operation.path, entry.version);
        counts.repulled++;
      }
    }
  }
  return counts;
}

/**
 * The dir a lockfile `files[]` path is walked from for orphans, or null: the
 * per-extension dir for a path in `.swamp/pulled-extensions/<@scope>/<name>/`,
 * the namespace dir for a path in a bundle dir, nothing for any other path.
 */
export function orphanWalkRoot(file: string, extensionName: string): string | null {
  const pulledPrefix = ".swamp/pulled-extensions/";
  if (file.startsWith(pulledPrefix)) {
    const segments = file.slice(pulledPrefix.length).split("/");
    const nameSegments = extensionName.split("/");
    if (!segments[0].startsWith("@") || segments.length < nameSegments.length) return null;
    return `${pulledPrefix}${segments.slice(0, nameSegments.length).join("/")}`;
  }
  for (const bundleDir of Object.keys(BUNDLE_DIRS)) {
    const prefix = `.swamp/${bundleDir}/`;
    if (!file.startsWith(prefix)) continue;
    const namespace = file.slice(prefix.length).split("/")[0];
    return namespace === "" ? null : `${prefix}${namespace}`;
  }
  return null;
}

/** Files under each lockfile entry's walk roots that the entry does not list, in entry order. */
async function detectOrphanFiles(
  layout: RepoLayout,
  lockfile: LockfileRepository,
): Promise<OrphanFile[]> {
  const orphans: OrphanFile[] = [];
  for (const [extensionName, entry] of Object.entries(lockfile.getAllEntries())) {
    const tracked = new Set(entry.files ?? []);
    const roots = new Set<string>();
    for (const file of tracked) {
      const root = orphanWalkRoot(file, extensionName);
      if (root !== null) roots.add(root);
    }
    for (const root of roots) {
      for (const file of await listFiles(join(layout.repoDir, root))) {
        const path = toRepoRelative(layout, file);
        if (!tracked.has(path)) orphans.push({ extensionName, path });
      }
    }
  }
  return orphans;
}

/** Runs the doctor and returns its report. */
export async function runDoctor(deps: DoctorDeps): Promise<DoctorReport> {
  deps.store.invalidateAll();
  const warnings: string[] = [];
  const loaderErrors: Record<string, string> = {};
  let recentTransitions: Transition[] = [];
  try {
    const result = await reconcileFromDisk(deps);
    recentTransitions = result.transitions;
    warnings.push(...result.warnings);
  } catch (error) {
    if (error instanceof DuplicateTypeError) {
      throw new UserError(
        `Type "${error.typeNormalized}" (kind=${error.kind}) is claimed by both ` +
          `${error.firstSource.extensionName}@${error.firstSource.extensionVersion} at ${error.firstSource.canonicalPath} and ` +
          `${error.secondSource.extensionName}@${error.secondSource.extensionVersion} at ${error.secondSource.canonicalPath}. ` +
          `Run \`swamp extension rm\` on one of them.`,
        { cause: error },
      );
    }
    warnings.push(`Reconcile failed: ${errorMessage(error)}`);
  }
  const rows = deps.store.allRows();
  const registries: DoctorReport["registries"] = {};
  for (const [registry, kinds] of Object.entries(REGISTRY_KINDS)) {
    const failing = registry in loaderErrors ||
      rows.some((r) => kinds.includes(r.kind) && FAILING_STATES.includes(r.state));
    registries[registry] = { registry, status: failing ? "fail" : "pass" };
  }
  const orphanFiles = await detectOrphanFiles(deps.layout, deps.lockfile);
  const report: DoctorReport = {
    overallStatus: Object.values(registries).some((r) => r.status === "fail") ? "fail" : "pass",
    registries,
    orphanFiles,
    aggregateState: buildAggregateState(rows),
    loaderErrors,
    warnings,
    recentTransitions,
  };
  if (deps.repair) {
    const operations = await planRepair(rows, deps);
    const planned: RepairCounts = {
      pruned: operations.filter((o) =>
        o.kind === "catalog-row-pruned" || o.kind === "unreachable-row-pruned"
      ).length,
      evicted: operations.filter((o) =>
        o.kind === "bundle-file-evicted"
      ).length,
      repulled: operations.filter((o) => o.kind === "pulled-extension-repulled").length,
    };
    const counts = deps.dryRun ? planned : await applyRepair(operations, deps);
    report.repairReport = {
      mode: deps.dryRun ? "dry-run" : "applied",
      operations,
      prunedRowCount: counts.pruned,
      evictedFileCount: counts.evicted,
      repulledExtensionCount: counts.repulled,
    };
  }
  return report;
}
