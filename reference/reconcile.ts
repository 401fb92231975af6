/**
 * ReconcileFromDisk (W3): rebuilds the catalog from what is on disk.
 *
 * 1. `loadAll()`. 2. Walk the local `extensions/{models,vaults,datastores,
 * reports}` dirs and, for each lockfile entry only, its pulled tree at the
 * lockfile version. 3. Diff disk against the catalog:
 *
 * | origin | disk | catalog / lockfile | new state |
 * | --- | --- | --- | --- |
 * | local | present | absent | Indexed |
 * | local | gone | present | OrphanedBundleOnly if its bundle exists, else Tombstoned |
 * | pulled | present | absent | Indexed |
 * | pulled | gone | lockfile entry present (same version) | EntryPointUnreadable |
 * | pulled | any | name not in lockfile | Tombstoned (rows deleted) |
 * | pulled | gone | lockfile entry at another version | unchanged |
 *
 * The last row follows swamp (`reconcilePulled` in
 * `src/libswamp/extensions/reconcile_from_disk_service.ts`): for a name in the
 * lockfile only the aggregate at the lockfile version is reconciled, so a row
 * of another version whose file is gone stays as it is; `doctor --repair`
 * then prunes it as an unreachable row (its source file is missing). A row of
 * another version whose file is still there is upserted at the lockfile
 * version, because the save is keyed by source path. 4. One `saveAll`,
 * pulled aggregates first, unless
 * the guardrail trips: more than 50 % of at least 10 existing rows would
 * transition. 5. The four kinds are marked populated (also after the
 * guardrail tripped) with `bundle_layout` and `manifest_identity`.
 *
 * @module
 */

import { join } from "./posix_path.ts";
import type { ExtensionCatalogStore } from "./catalog.ts";
import type { LockfileRepository } from "./lockfile.ts";
import { extensionRoot, type RepoLayout } from "./paths.ts";
import type { ExtensionAggregate, ExtensionRepository, RowState, Source } from "./repository.ts";
import { buildAggregate } from "./sources.ts";
import { pathExists } from "./walk.ts";

/** Fewest existing rows for the guardrail to apply. */
export const GUARDRAIL_ROW_COUNT_MIN = 10;

/** Largest share of existing rows that may transition in one reconcile. */
export const GUARDRAIL_TRANSITION_SHARE_MAX = 0.5;

/** The state a source had before it existed in the catalog. */
export const ABSENT_STATE = "Absent";

/** One row's change of state. */
export interface Transition {
  sourcePath: string;
  fromState: RowState | typeof ABSENT_STATE;
  toState: RowState;
  reason: string;
}

/** What a reconcile did. */
export interface ReconcileResult {
  transitions: Transition[];
  saved: boolean;
  warnings: string[];
}

/** What a reconcile needs. */
export interface ReconcileDeps {
  layout: RepoLayout;
  lockfile: LockfileRepository;
  repository: ExtensionRepository;
  store: ExtensionCatalogStore;
  manifestIdentity: string;
}

/** Whether the startup path must reconcile: a `populated:*` flag missing or the identity changed. */
export function needsReconcile(store: ExtensionCatalogStore, manifestIdentity: string): boolean {
  return !store.allPopulated() || store.getMeta("manifest_identity") !== manifestIdentity;
}

/** Whether the guardrail stops a save of `changedRowCount` transitions among `existingRowCount` rows. */
export function guardrailTrips(changedRowCount: number, existingRowCount: number): boolean {
  return existingRowCount >= GUARDRAIL_ROW_COUNT_MIN &&
    changedRowCount > existingRowCount * GUARDRAIL_TRANSITION_SHARE_MAX;
}

interface Existing {
  source: Source;
  name: string;
  version: string;
}

/** Runs one reconcile (see the module doc). Errors propagate. */
export async function reconcileFromDisk(deps: ReconcileDeps): Promise<ReconcileResult> {
  const { layout } = deps;
  const existing = new Map<string, Existing>();
  for (const aggregate of deps.repository.loadAll()) {
    for (const source of aggregate.sources) {
      existing.set(source.sourcePath, { source, name: aggregate.name, version: aggregate.version });
    }
  }
  const pulledPrefix = `${layout.pulledRoot}/`;
  const transitions: Transition[] = [];
  const planned = new Map<string, RowState>();
  const note = (source: Source, reason: string): void => {
    planned.set(source.sourcePath, source.state);
    const before = existing.get(source.sourcePath);
    const fromState = before === undefined ? ABSENT_STATE : before.source.state;
    if (fromState !== source.state) {
      transitions.push({ sourcePath: source.sourcePath, fromState, toState: source.state, reason });
    }
  };

  const pulled: ExtensionAggregate[] = [];
  const entries = deps.lockfile.getAllEntries();
  for (const [name, entry] of Object.entries(entries)) {
    const root = extensionRoot(layout, name);
    const { aggregate } = await buildAggregate({
      layout,
      name,
      version: entry.version,
      readRoot: root,
      recordRoot: root,
    });
    for (const source of aggregate.sources) {
      note(source, source.state === "Indexed" ? "pulled source on disk" : source.lastError);
    }
    pulled.push(aggregate);
  }

  const tombstoned = new Map<string, ExtensionAggregate>();
  const tombstone = (row: Existing, reason: string): void => {
    const key = `${row.name}\u0000${row.version}`;
    let aggregate = tombstoned.get(key);
    if (aggregate === undefined) {
      aggregate = { name: row.name, version: row.version, sources: [] };
      tombstoned.set(key, aggregate);
    }
    const source: Source = { ...row.source, state: "Tombstoned" };
    aggregate.sources.push(source);
    note(source, reason);
  };

  const localRoot = join(layout.repoDir, "extensions");
  const { aggregate: local } = await buildAggregate({
    layout,
    name: "",
    version: "",
    readRoot: localRoot,
    recordRoot: localRoot,
  });
  for (const source of local.sources) {
    note(source, source.state === "Indexed" ? "local source on disk" : source.lastError);
  }

  for (const row of existing.values()) {
    const path = row.source.sourcePath;
    if (planned.has(path)) continue;
    if (path.startsWith(pulledPrefix)) {
      const entry = entries[row.name];
      if (entry === undefined) {
        tombstone(row, `extension ${row.name} is not in the lockfile`);
      } else if (entry.version !== row.version) {
        continue;
      } else {
        const source: Source = {
          ...row.source,
          state: "EntryPointUnreadable",
          lastError: "source file missing",
        };
        pulled.find((a) => a.name === row.name)?.sources.push(source);
        note(source, "pulled source file missing");
      }
    } else if (
      row.name === "" && row.source.state !== "Tombstoned" && row.source.bundlePath !== "" &&
      await pathExists(row.source.bundlePath)
    ) {
      const source: Source = { ...row.source, state: "OrphanedBundleOnly" };
      local.sources.push(source);
      note(source, "local source deleted; bundle remains");
    } else {
      tombstone(row, "local source deleted");
    }
  }

  const changedRowCount = transitions.filter((t) => t.fromState !== ABSENT_STATE).length;
  const warnings: string[] = [];
  let saved = false;
  if (guardrailTrips(changedRowCount, existing.size)) {
    warnings.push(
      `Reconcile skipped: ${changedRowCount} of ${existing.size} catalog rows would change state ` +
        `(more than ${GUARDRAIL_TRANSITION_SHARE_MAX * 100}%); nothing was saved`,
    );
  } else {
    deps.repository.saveAll([...pulled, ...tombstoned.values(), local]);
    saved = true;
  }
  deps.store.markPopulated(deps.manifestIdentity);
  return { transitions, saved, warnings };
}
