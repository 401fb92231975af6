/**
 * `swamp doctor extensions`: invalidate the `populated:*` flags, reconcile
 * from disk (errors swallowed into `warnings`, except a DuplicateTypeError,
 * which becomes a UserError naming both sides), build the report and, with
 * `--repair`, repair (applied unless `--dry-run`):
 *
 * - `catalog-row-pruned`: Tombstoned and OrphanedBundleOnly rows;
 * - `unreachable-row-pruned`: other rows whose `source_path` is missing;
 * - `bundle-file-evicted`: `.js` files in the five bundle dirs no row references;
 * - `pulled-extension-repulled`: pulled extensions with ValidationFailed or
 *   BundleBuildFailed rows, re-pulled with force.
 *
 * Doctor never touches the lockfile, pulled sources or a stale `.lock`.
 * `overallStatus` is `fail` when a loader error exists or any row is
 * ValidationFailed, BundleBuildFailed or EntryPointUnreadable; `warn` when
 * orphan files or warnings exist; `pass` otherwise.
 *
 * @module
 */

import { join } from "./posix_path.ts";
import type { CatalogRow, ExtensionCatalogStore } from "./catalog.ts";
import { DuplicateTypeError, errorMessage, UserError } from "./errors.ts";
import type { LockfileRepository } from "./lockfile.ts";
import { BUNDLE_DIRS, type RepoLayout, toRepoRelative } from "./paths.ts";
import { reconcileFromDisk, type Transition } from "./reconcile.ts";
import type { ExtensionRepository } from "./repository.ts";
import { listFiles, pathExists } from "./walk.ts";

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

/** The doctor's JSON document. */
export interface DoctorReport {
  overallStatus: "pass" | "warn" | "fail";
  registries: Record<string, { registry: string; status: "ok" | "degraded" }>;
  orphanFiles: string[];
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
  const referenced = new Set(
    rows.filter((r) => !pruned.has(r.source_path)).map((r) => r.bundle_path),
  );
  for (const bundleDir of Object.keys(BUNDLE_DIRS)) {
    for (const file of await listFiles(join(deps.layout.swampDir, bundleDir))) {
      if (file.endsWith(".js") && !referenced.has(file)) {
        operations.push({
          kind: "bundle-file-evicted",
          path: file,
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

async function applyRepair(
  operations: readonly RepairOperation[],
  deps: DoctorDeps,
): Promise<void> {
  const rowPaths = operations
    .filter((o) => o.kind === "catalog-row-pruned" || o.kind === "unreachable-row-pruned")
    .map((o) => o.path);
  deps.store.deleteBySourcePaths(rowPaths);
  for (const operation of operations) {
    if (operation.kind === "bundle-file-evicted") {
      await Deno.remove(operation.path).catch(() => {});
    } else if (operation.kind === "pulled-extension-repulled") {
      const entry = deps.lockfile.getEntry(operation.path);
      if (entry !== null) await deps.repull(operation.path, entry.version);
    }
  }
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
    const failing = rows.some((r) => kinds.includes(r.kind) && FAILING_STATES.includes(r.state));
    registries[registry] = { registry, status: failing ? "degraded" : "ok" };
  }
  const listed = new Set<string>();
  for (const entry of Object.values(deps.lockfile.getAllEntries())) {
    for (const file of entry.files ?? []) listed.add(file);
  }
  const pulledFiles = await listFiles(deps.layout.pulledRoot);
  const orphanFiles = pulledFiles.map((f) => toRepoRelative(deps.layout, f))
    .filter((rel) => !listed.has(rel))
    .sort();
  const failing = Object.keys(loaderErrors).length > 0 ||
    rows.some((r) => FAILING_STATES.includes(r.state));
  const report: DoctorReport = {
    overallStatus: failing
      ? "fail"
      : orphanFiles.length > 0 || warnings.length > 0
      ? "warn"
      : "pass",
    registries,
    orphanFiles,
    aggregateState: buildAggregateState(rows),
    loaderErrors,
    warnings,
    recentTransitions,
  };
  if (deps.repair) {
    const operations = await planRepair(rows, deps);
    if (!deps.dryRun) await applyRepair(operations, deps);
    report.repairReport = {
      mode: deps.dryRun ? "dry-run" : "applied",
      operations,
      prunedRowCount: operations.filter((o) =>
        o.kind === "catalog-row-pruned" || o.kind === "unreachable-row-pruned"
      ).length,
      evictedFileCount: operations.filter((o) =>
        o.kind === "bundle-file-evicted"
      ).length,
      repulledExtensionCount: operations.filter((o) => o.kind === "pulled-extension-repulled")
        .length,
    };
  }
  return report;
}
