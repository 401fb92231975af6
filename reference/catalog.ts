/**
 * The extension catalog `.swamp/_extension_catalog.db` (`node:sqlite`).
 *
 * Opening sets `PRAGMA busy_timeout=5000`, reads `journal_mode` and switches
 * to WAL only when it is not WAL already (the switch needs an exclusive
 * lock), creates the schema (table `bundle_types` with three non-unique
 * indexes, table `bundle_meta`) and records the migration markers. Lock
 * errors (`/database is (locked|busy)/i`) are retried in init, `upsert` and
 * {@link ExtensionCatalogStore.runInTransaction} up to {@link MAX_RETRIES}
 * times, sleeping 100·2^n ms plus 0–49 ms with a blocking `Atomics.wait`.
 * Transactions are a plain (DEFERRED) `BEGIN` ... `COMMIT`, `ROLLBACK` on
 * error; a retry runs the whole callback again (swamp
 * `src/infrastructure/persistence/extension_catalog_store.ts`,
 * `runInTransaction`).
 *
 * `busy_timeout` only helps a statement that needs a lock it does not hold
 * yet. A transaction whose first statement is a read (the aggregate save, see
 * `repository.ts`) holds a read snapshot when it first writes, and SQLite
 * answers that upgrade with "database is locked" at once while another
 * connection holds the write lock; the retries (100 + 200 + 400 + 800 + 1600
 * ms plus jitter, about 3.1 s) are then the whole budget.
 *
 * @module
 */

import { dirname } from "./posix_path.ts";
import { DatabaseSync, type StatementSync } from "node:sqlite";
import { isMutant } from "./mutants.ts";

/** Retries after the first attempt (so up to 6 attempts). */
export const MAX_RETRIES = 5;

/** `busy_timeout` set on every connection. */
export const BUSY_TIMEOUT_MS = 5000;

/** The bundle layout version recorded in `bundle_meta`. */
export const BUNDLE_LAYOUT_VERSION = "per-extension-aggregate-v4";

/** The source kinds whose registries are marked populated. */
export const POPULATED_KINDS = ["model", "vault", "datastore", "report"] as const;

/** Migration markers a fresh catalog records (the migrations themselves are no-ops here). */
export const MIGRATION_MARKERS = [
  "migration_applied:per-extension-aggregate-v3",
  "migration_applied:validation-failed-dropped-v1",
  "migration_applied:extension-extends-type-backfill-v1",
  "migration_applied:dedup-non-canonical-source-paths-v1",
] as const;

const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS bundle_types (
  source_path        TEXT NOT NULL PRIMARY KEY,
  type_normalized    TEXT NOT NULL,
  kind               TEXT NOT NULL DEFAULT 'model',
  bundle_path        TEXT NOT NULL,
  version            TEXT NOT NULL DEFAULT '',
  description        TEXT NOT NULL DEFAULT '',
  extends_type       TEXT NOT NULL DEFAULT '',
  source_mtime       TEXT NOT NULL DEFAULT '',
  source_fingerprint TEXT NOT NULL DEFAULT '',
  state              TEXT NOT NULL DEFAULT 'Indexed',
  extension_name     TEXT NOT NULL DEFAULT '',
  extension_version  TEXT NOT NULL DEFAULT '',
  last_error         TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS idx_bundle_types_kind ON bundle_types(kind);
CREATE INDEX IF NOT EXISTS idx_bundle_types_extends ON bundle_types(extends_type);
CREATE INDEX IF NOT EXISTS idx_bundle_types_type ON bundle_types(type_normalized, kind);
CREATE TABLE IF NOT EXISTS bundle_meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
`;

/** Every column of `bundle_types`, in table order. */
export const ROW_COLUMNS = [
  "source_path",
  "type_normalized",
  "kind",
  "bundle_path",
  "version",
  "description",
  "extends_type",
  "source_mtime",
  "source_fingerprint",
  "state",
  "extension_name",
  "extension_version",
  "last_error",
] as const;

/** One `bundle_types` row. */
export type CatalogRow = Record<typeof ROW_COLUMNS[number], string>;

/** Whether an error is SQLite's transient lock error. */
export function isLockError(error: unknown): boolean {
  return error instanceof Error && /database is (locked|busy)/i.test(error.message);
}

/** The pause before retry `attempt` (0-based): 100·2^attempt ms plus 0–49 ms. */
export function retryDelayMs(
  attempt: number,
  jitterMs: number = Math.floor(Math.random() * 50),
): number {
  return 100 * 2 ** attempt + jitterMs;
}

function sleepBlockingMs(delayMs: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, delayMs);
}

function toRow(raw: Record<string, unknown>): CatalogRow {
  const row = {} as CatalogRow;
  for (const column of ROW_COLUMNS) row[column] = String(raw[column] ?? "");
  return row;
}

const UPSERT_SQL = `INSERT INTO bundle_types (${ROW_COLUMNS.join(", ")})
VALUES (${ROW_COLUMNS.map(() => "?").join(", ")})
ON CONFLICT(source_path) DO UPDATE SET ${
  ROW_COLUMNS.filter((c) => c !== "source_path").map((c) => `${c} = excluded.${c}`).join(", ")
}`;

/** One connection to the extension catalog. */
export class ExtensionCatalogStore {
  readonly path: string;
  readonly db: DatabaseSync;
  private readonly statements = new Map<string, StatementSync>();
  private readonly maxRetries: number;
  /** Lock-error retries taken on this connection so far (each one slept before it). */
  lockRetryCount = 0;

  /** Opens (and if needed creates) the catalog at `path`. */
  static open(path: string): ExtensionCatalogStore {
    return new ExtensionCatalogStore(path);
  }

  private constructor(path: string) {
    this.path = path;
    this.maxRetries = isMutant("catalog-no-busy-handling") ? 0 : MAX_RETRIES;
    Deno.mkdirSync(dirname(path), { recursive: true });
    this.db = new DatabaseSync(path);
    if (!isMutant("catalog-no-busy-handling")) {
      this.db.exec(`PRAGMA busy_timeout=${BUSY_TIMEOUT_MS}`);
    }
    this.withRetry(() => this.init());
  }

  private init(): void {
    const mode = this.db.prepare("PRAGMA journal_mode").get() as Record<string, unknown>;
    if (String(mode.journal_mode ?? "").toLowerCase() !== "wal") {
      this.db.exec("PRAGMA journal_mode=WAL");
    }
    this.db.exec(SCHEMA_SQL);
    const missing = MIGRATION_MARKERS.filter((key) => this.getMeta(key) === null);
    if (missing.length > 0) {
      this.transactionOnce(() => {
        for (const key of missing) this.setMeta(key, "true");
      });
    }
  }

  /** Runs `fn` and retries it on lock errors with exponential backoff. */
  withRetry<T>(fn: () => T): T {
    for (let attempt = 0;; attempt++) {
      try {
        return fn();
      } catch (error) {
        if (!isLockError(error) || attempt >= this.maxRetries) throw error;
        this.lockRetryCount++;
        sleepBlockingMs(retryDelayMs(attempt));
      }
    }
  }

  /** `BEGIN` ... `COMMIT` around `fn`, `ROLLBACK` on error, the whole thing retried on lock errors. */
  runInTransaction<T>(fn: () => T): T {
    return this.withRetry(() => this.transactionOnce(fn));
  }

  private transactionOnce<T>(fn: () => T): T {
    this.db.exec("BEGIN");
    try {
      const result = fn();
      this.db.exec("COMMIT");
      return result;
    } catch (error) {
      try {
        this.db.exec("ROLLBACK");
      } catch {
        // No transaction is active when BEGIN or COMMIT already ended it.
      }
      throw error;
    }
  }

  private statement(sql: string): StatementSync {
    let statement = this.statements.get(sql);
    if (statement === undefined) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  /** Inserts or replaces (every column, identity included) one row; no retry, no transaction. */
  upsertRow(row: CatalogRow): void {
    this.statement(UPSERT_SQL).run(...ROW_COLUMNS.map((c) => row[c]));
  }

  /** The warm-path upsert: one row with lock-error retry, outside any explicit transaction. */
  upsert(row: CatalogRow): void {
    this.withRetry(() => this.upsertRow(row));
  }

  /** Deletes the row at `sourcePath`. */
  removeBySourcePath(sourcePath: string): void {
    this.statement("DELETE FROM bundle_types WHERE source_path = ?").run(sourcePath);
  }

  /** Deletes the rows at `sourcePaths` in one transaction; returns how many rows it deleted. */
  deleteBySourcePaths(sourcePaths: readonly string[]): number {
    if (sourcePaths.length === 0) return 0;
    return this.runInTransaction(() => {
      let deleted = 0;
      for (const sourcePath of sourcePaths) {
        const result = this.statement("DELETE FROM bundle_types WHERE source_path = ?").run(
          sourcePath,
        );
        deleted += Number(result.changes);
      }
      return deleted;
    });
  }

  /** Every row, ordered by `source_path`. */
  allRows(): CatalogRow[] {
    const raw = this.statement("SELECT * FROM bundle_types ORDER BY source_path").all();
    return raw.map((r) => toRow(r as Record<string, unknown>));
  }

  /** The rows of one extension name, ordered by `source_path`. */
  rowsOfExtension(name: string): CatalogRow[] {
    const raw = this.statement(
      "SELECT * FROM bundle_types WHERE extension_name = ? ORDER BY source_path",
    ).all(name);
    return raw.map((r) => toRow(r as Record<string, unknown>));
  }

  /** The rows of one (extension name, version), ordered by `source_path`. */
  rowsOfExtensionVersion(name: string, version: string): CatalogRow[] {
    const raw = this.statement(
      "SELECT * FROM bundle_types WHERE extension_name = ? AND extension_version = ? ORDER BY source_path",
    ).all(name, version);
    return raw.map((r) => toRow(r as Record<string, unknown>));
  }

  /** Sets `extension_version` of the rows of `name` that have none (outside any transaction). */
  backfillVersion(name: string, version: string): void {
    this.withRetry(() =>
      this.statement(
        "UPDATE bundle_types SET extension_version = ? WHERE extension_name = ? AND extension_version = ''",
      ).run(version, name)
    );
  }

  /** Clears `type_normalized` of one row. */
  clearType(sourcePath: string): void {
    this.statement("UPDATE bundle_types SET type_normalized = '' WHERE source_path = ?").run(
      sourcePath,
    );
  }

  /** A `bundle_meta` value, or null. */
  getMeta(key: string): string | null {
    const row = this.statement("SELECT value FROM bundle_meta WHERE key = ?").get(key) as
      | Record<string, unknown>
      | undefined;
    return row === undefined ? null : String(row.value);
  }

  /** Sets a `bundle_meta` value. */
  setMeta(key: string, value: string): void {
    this.statement(
      "INSERT INTO bundle_meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
    ).run(key, value);
  }

  /** Whether every `populated:<kind>` flag is set. */
  allPopulated(): boolean {
    return POPULATED_KINDS.every((kind) => this.getMeta(`populated:${kind}`) === "true");
  }

  /** Clears `populated:<kind>` for all four kinds in one transaction. */
  invalidateAll(): void {
    this.runInTransaction(() => {
      for (const kind of POPULATED_KINDS) {
        this.statement("DELETE FROM bundle_meta WHERE key = ?").run(`populated:${kind}`);
      }
    });
  }

  /** Marks the four kinds populated and records the layout and manifest identity, in one transaction. */
  markPopulated(manifestIdentity: string): void {
    this.runInTransaction(() => {
      for (const kind of POPULATED_KINDS) this.setMeta(`populated:${kind}`, "true");
      this.setMeta("bundle_layout", BUNDLE_LAYOUT_VERSION);
      this.setMeta("manifest_identity", manifestIdentity);
    });
  }

  /** Closes the connection. */
  close(): void {
    this.statements.clear();
    this.db.close();
  }
}
