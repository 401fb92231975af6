/**
 * Extension aggregates over the catalog: one aggregate is one
 * (extension name, version) with its sources. {@link ExtensionRepository.saveAll}
 * writes a batch in ONE transaction:
 *
 * 1. per aggregate, in array order: the rows of its (name, version) are read
 *    first, then Tombstoned sources are deleted, the others upserted (identity
 *    included), and the rows read that the aggregate no longer lists are
 *    deleted;
 * 2. rows outside `<repo>/` are pruned, except the batch's own sources;
 * 3. a pulled row whose (kind, type) a local row also claims loses its type;
 * 4. I-Repo-1: the second live row with the same `kind::type_normalized`
 *    (source_path order; Tombstoned, empty types and kind `extension` skipped)
 *    raises {@link DuplicateTypeError} and the transaction rolls back.
 *
 * The read comes first as in swamp (`ExtensionRepository.saveAll` and
 * `applyDiffForExtension` in `src/infrastructure/persistence/extension_repository.ts`
 * look the aggregate's current rows up before any write), and it decides how
 * a busy catalog is met: the transaction is a deferred `BEGIN`, so its first
 * statement takes only a read snapshot, and its first write must then upgrade
 * that read transaction to a write one. SQLite does not call the busy handler
 * for such an upgrade (it could deadlock), so while another connection holds
 * the write lock the write fails at once with "database is locked", without
 * waiting in `busy_timeout`; only the catalog's retries of the whole callback
 * (5, about 3.1 s in all) absorb another writer.
 *
 * @module
 */

import { DuplicateTypeError } from "./errors.ts";
import type { CatalogRow, ExtensionCatalogStore } from "./catalog.ts";
import type { LockfileRepository } from "./lockfile.ts";
import { isMutant } from "./mutants.ts";

/** The seven row states. */
export type RowState =
  | "Indexed"
  | "Bundled"
  | "BundleBuildFailed"
  | "ValidationFailed"
  | "EntryPointUnreadable"
  | "OrphanedBundleOnly"
  | "Tombstoned";

/** The row kinds. */
export type SourceKind = "model" | "extension" | "vault" | "driver" | "datastore" | "report";

/** One source file of an aggregate. */
export interface Source {
  sourcePath: string;
  kind: SourceKind;
  /** The normalised type; stored only for Indexed and Bundled sources. */
  typeNormalized: string;
  bundlePath: string;
  state: RowState;
  version: string;
  description: string;
  extendsType: string;
  sourceMtime: string;
  sourceFingerprint: string;
  lastError: string;
}

/** One extension version and its sources. Local sources use name `""` and version `""`. */
export interface ExtensionAggregate {
  name: string;
  version: string;
  sources: Source[];
}

/** The same aggregate with every source Tombstoned. */
export function tombstoneAll(aggregate: ExtensionAggregate): ExtensionAggregate {
  return {
    name: aggregate.name,
    version: aggregate.version,
    sources: aggregate.sources.map((s) => ({ ...s, state: "Tombstoned" as RowState })),
  };
}

/** The row a source is stored as. */
export function sourceToRow(source: Source, aggregate: ExtensionAggregate): CatalogRow {
  const typed = source.state === "Indexed" || source.state === "Bundled";
  return {
    source_path: source.sourcePath,
    type_normalized: typed ? source.typeNormalized : "",
    kind: source.kind,
    bundle_path: source.bundlePath,
    version: source.version,
    description: source.description,
    extends_type: source.extendsType,
    source_mtime: source.sourceMtime,
    source_fingerprint: source.sourceFingerprint,
    state: source.state,
    extension_name: aggregate.name,
    extension_version: aggregate.version,
    last_error: source.lastError,
  };
}

/** The source a row describes. */
export function rowToSource(row: CatalogRow): Source {
  return {
    sourcePath: row.source_path,
    kind: row.kind as SourceKind,
    typeNormalized: row.type_normalized,
    bundlePath: row.bundle_path,
    state: row.state as RowState,
    version: row.version,
    description: row.description,
    extendsType: row.extends_type,
    sourceMtime: row.source_mtime,
    sourceFingerprint: row.source_fingerprint,
    lastError: row.last_error,
  };
}

/** Groups rows into aggregates by (extension name, version), in first-seen order. */
export function groupRows(rows: readonly CatalogRow[]): ExtensionAggregate[] {
  const byKey = new Map<string, ExtensionAggregate>();
  for (const row of rows) {
    const key = `${row.extension_name}\u0000${row.extension_version}`;
    let aggregate = byKey.get(key);
    if (aggregate === undefined) {
      aggregate = { name: row.extension_name, version: row.extension_version, sources: [] };
      byKey.set(key, aggregate);
    }
    aggregate.sources.push(rowToSource(row));
  }
  return [...byKey.values()];
}

/** Aggregate persistence over one catalog connection and one lockfile snapshot. */
export class ExtensionRepository {
  readonly store: ExtensionCatalogStore;
  readonly lockfile: LockfileRepository;
  /** The repo root rows must live under (never realpath'd). */
  readonly repoRoot: string;
  /** `<repo>/.swamp/pulled-extensions`: rows under it are pulled, the others local. */
  readonly pulledRoot: string;
  /** Types cleared by the last save because a local source claims them. */
  lastOriginConflicts: CatalogRow[] = [];

  /** Creates a repository. */
  constructor(
    store: ExtensionCatalogStore,
    lockfile: LockfileRepository,
    roots: { repoRoot: string; pulledRoot: string },
  ) {
    this.store = store;
    this.lockfile = lockfile;
    this.repoRoot = roots.repoRoot;
    this.pulledRoot = roots.pulledRoot;
  }

  /**
   * The aggregates of one extension name. Rows without a version take the
   * lockfile snapshot's, written back outside any transaction.
   */
  loadByName(name: string): ExtensionAggregate[] {
    const rows = this.store.rowsOfExtension(name);
    if (rows.some((r) => r.extension_version === "")) {
      const locked = this.lockfile.getLockedVersion(name);
      if (locked !== null) {
        this.store.backfillVersion(name, locked);
        for (const row of rows) if (row.extension_version === "") row.extension_version = locked;
      }
    }
    return groupRows(rows);
  }

  /** Every aggregate in the catalog. */
  loadAll(): ExtensionAggregate[] {
    return groupRows(this.store.allRows());
  }

  /** Saves a batch of aggregates in one transaction (see the module doc). */
  saveAll(aggregates: readonly ExtensionAggregate[]): void {
    if (isMutant("save-all-per-row")) {
      this.saveAllPerRow(aggregates);
      return;
    }
    this.store.runInTransaction(() => {
      for (const aggregate of aggregates) this.applyDiff(aggregate);
      this.checkBatch(aggregates);
    });
  }

  private saveAllPerRow(aggregates: readonly ExtensionAggregate[]): void {
    for (const aggregate of aggregates) {
      for (const source of aggregate.sources) {
        this.store.runInTransaction(() => {
          if (source.state === "Tombstoned") this.store.removeBySourcePath(source.sourcePath);
          else this.store.upsertRow(sourceToRow(source, aggregate));
        });
      }
      this.store.runInTransaction(() =>
        this.deleteUnlisted(
          aggregate,
          this.store.rowsOfExtensionVersion(aggregate.name, aggregate.version),
        )
      );
    }
    this.store.runInTransaction(() => this.checkBatch(aggregates));
  }

  /** Reads the aggregate's current rows, then writes: the read opens the transaction (module doc). */
  private applyDiff(aggregate: ExtensionAggregate): void {
    const current = this.store.rowsOfExtensionVersion(aggregate.name, aggregate.version);
    for (const source of aggregate.sources) {
      if (source.state === "Tombstoned") this.store.removeBySourcePath(source.sourcePath);
      else this.store.upsertRow(sourceToRow(source, aggregate));
    }
    this.deleteUnlisted(aggregate, current);
  }

  private deleteUnlisted(aggregate: ExtensionAggregate, current: readonly CatalogRow[]): void {
    const listed = new Set(
      aggregate.sources.filter((s) => s.state !== "Tombstoned").map((s) => s.sourcePath),
    );
    for (const row of current) {
      if (!listed.has(row.source_path)) this.store.removeBySourcePath(row.source_path);
    }
  }

  private checkBatch(aggregates: readonly ExtensionAggregate[]): void {
    const batchPaths = new Set<string>();
    for (const aggregate of aggregates) {
      for (const source of aggregate.sources) {
        if (source.state !== "Tombstoned") batchPaths.add(source.sourcePath);
      }
    }
    this.pruneUnreachableSources(batchPaths);
    this.resolveOriginConflicts();
    this.assertIRepo1();
  }

  private pruneUnreachableSources(batchPaths: ReadonlySet<string>): void {
    const prefix = `${this.repoRoot}/`;
    for (const row of this.store.allRows()) {
      if (row.state === "Tombstoned" || batchPaths.has(row.source_path)) continue;
      if (!row.source_path.startsWith(prefix)) this.store.removeBySourcePath(row.source_path);
    }
  }

  private resolveOriginConflicts(): void {
    const pulledPrefix = `${this.pulledRoot}/`;
    const claims = new Map<string, { local: boolean; pulled: CatalogRow[] }>();
    for (const row of this.store.allRows()) {
      if (row.state === "Tombstoned" || row.type_normalized === "") continue;
      const key = `${row.kind}::${row.type_normalized}`;
      let claim = claims.get(key);
      if (claim === undefined) {
        claim = { local: false, pulled: [] };
        claims.set(key, claim);
      }
      if (row.source_path.startsWith(pulledPrefix)) claim.pulled.push(row);
      else claim.local = true;
    }
    this.lastOriginConflicts = [];
    for (const claim of claims.values()) {
      if (!claim.local) continue;
      for (const row of claim.pulled) {
        this.store.clearType(row.source_path);
        this.lastOriginConflicts.push(row);
      }
    }
  }

  private assertIRepo1(): void {
    const seen = new Map<string, CatalogRow>();
    for (const row of this.store.allRows()) {
      if (row.state === "Tombstoned" || row.type_normalized === "" || row.kind === "extension") {
        continue;
      }
      const key = `${row.kind}::${row.type_normalized}`;
      const first = seen.get(key);
      if (first === undefined) {
        seen.set(key, row);
        continue;
      }
      throw new DuplicateTypeError({
        kind: row.kind,
        typeNormalized: row.type_normalized,
        firstSource: {
          extensionName: first.extension_name,
          extensionVersion: first.extension_version,
          canonicalPath: first.source_path,
        },
        secondSource: {
          extensionName: row.extension_name,
          extensionVersion: row.extension_version,
          canonicalPath: row.source_path,
        },
      });
    }
  }
}
