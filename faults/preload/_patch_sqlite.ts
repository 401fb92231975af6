/**
 * Patches `node:sqlite` so that BEGIN, COMMIT/END and ROLLBACK on the catalog
 * database are points: `DatabaseSync#exec`, and `run`/`all`/`get` of the
 * statements `DatabaseSync#prepare` returns for such SQL. Other databases and
 * other SQL go straight to the originals.
 *
 * @module
 */

import { DatabaseSync } from "node:sqlite";
import type { PointPatterns } from "../rule.ts";
import { basename, sqlPoint } from "./_classify.ts";
import { type SqliteCondition, sqliteError } from "./_errors.ts";
import type { ErrorFactory, ShimRuntime } from "./_runtime.ts";
import { type Method, ownerOf, replaceMethod, shadowMethod } from "./_wrap.ts";

const STATEMENT_METHODS = ["run", "all", "get"] as const;

function errorsFor(via: "exec" | "statement"): ErrorFactory {
  return (code) => {
    if (code !== "SQLITE_BUSY" && code !== "EIO") {
      throw new Error(`Cannot raise "${code}" from a catalog statement: not a SQLite error`);
    }
    return sqliteError(code satisfies SqliteCondition, via);
  };
}

/** Installs the catalog patches on `DatabaseSync`. */
export function patchSqlite(runtime: ShimRuntime, patterns: PointPatterns): void {
  const proto = DatabaseSync.prototype as unknown as Record<string, unknown>;
  const location = Reflect.get(ownerOf(proto, "location"), "location") as Method;
  /** Per database: its file path when it is the catalog, `null` when it is not. */
  const catalogs = new WeakMap<object, string | null>();

  function catalogPath(db: unknown): string | undefined {
    if (typeof db !== "object" || db === null) return undefined;
    const cached = catalogs.get(db);
    if (cached !== undefined) return cached ?? undefined;
    let path: unknown;
    try {
      path = location.call(db);
    } catch {
      return undefined; // not open yet: decide at the next call
    }
    const catalog = typeof path === "string" && basename(path) === patterns.catalog ? path : null;
    catalogs.set(db, catalog);
    return catalog ?? undefined;
  }

  const execErrors = errorsFor("exec");
  replaceMethod(
    ownerOf(proto, "exec"),
    "exec",
    (original: Method): Method =>
      function (this: unknown, ...args: unknown[]): unknown {
        const point = sqlPoint(args[0]);
        const path = point === undefined ? undefined : catalogPath(this);
        if (point === undefined || path === undefined) return original.apply(this, args);
        return runtime.runSync(point, path, () => original.apply(this, args), execErrors);
      },
  );

  const statementErrors = errorsFor("statement");
  replaceMethod(
    ownerOf(proto, "prepare"),
    "prepare",
    (original: Method): Method =>
      function (this: unknown, ...args: unknown[]): unknown {
        const statement = original.apply(this, args);
        const point = sqlPoint(args[0]);
        const path = point === undefined ? undefined : catalogPath(this);
        if (point === undefined || path === undefined) return statement;
        if (typeof statement !== "object" || statement === null) return statement;
        for (const key of STATEMENT_METHODS) {
          shadowMethod(statement, key, (method: Method): Method =>
            function (this: unknown, ...callArgs: unknown[]): unknown {
              const step = () =>
                method.apply(this, callArgs);
              return runtime.runSync(point, path, step, statementErrors);
            });
        }
        return statement;
      },
  );
}
