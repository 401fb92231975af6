/**
 * The fault vocabulary shared by the simulator and the shims: points, phases,
 * actions and error codes. This module is imported by the preload shim, so it
 * stays dependency-free and cheap to load.
 *
 * - A **point** is a named step of a lifecycle op that a shim can recognise
 *   (an advisory-lock create, a catalog COMMIT, a file written under the
 *   pulled-extensions tree, ...).
 * - A **phase** says whether an action applies just before the step runs or
 *   just after it returned.
 * - An **action** is what the shim does there: `delay`, `crash`, `error`,
 *   `contend` or `pause`.
 *
 * @module
 */

/** Every point a shim can recognise, in the order a lifecycle op meets them. */
export const POINTS = [
  "process.start",
  "registry.fetch",
  "fs.extract",
  "fs.remove",
  "lock.acquire",
  "lockfile.write",
  "lock.release",
  "catalog.begin",
  "catalog.commit",
  "catalog.rollback",
  "process.exit",
] as const;

/** A named step of a lifecycle op that a shim recognises. */
export type Point = typeof POINTS[number];

/** What each point is, in one line; used by `--help`, the docs and error messages. */
export const POINT_DESCRIPTIONS: Readonly<Record<Point, string>> = {
  "process.start": "the target process starts (before its main module runs)",
  "registry.fetch": "an HTTP request to the registry URL",
  "fs.extract": "a file written under the pulled-extensions tree",
  "fs.remove": "a path removed under the pulled-extensions tree",
  "lock.acquire": "one attempt to exclusively create the advisory lock file",
  "lockfile.write": "the write or rename that replaces the lockfile",
  "lock.release": "the unlink of the advisory lock file",
  "catalog.begin": "a BEGIN statement on the catalog database",
  "catalog.commit": "a COMMIT (or END) statement on the catalog database",
  "catalog.rollback": "a ROLLBACK statement on the catalog database",
  "process.exit": "the target process exits on its own (Deno.exit or end of main)",
};

/** Before the step runs, or right after it returned. */
export const PHASES = ["before", "after"] as const;

/** Before the step runs, or right after it returned. */
export type Phase = typeof PHASES[number];

/** The action kinds a fault rule can take. */
export const ACTION_KINDS = ["delay", "crash", "error", "contend", "pause"] as const;

/** The action kinds a fault rule can take. */
export type ActionKind = typeof ACTION_KINDS[number];

/**
 * Errors the `error` action can raise, each thrown as the runtime's own error
 * for that condition (a Deno filesystem error with its `code`, a `node:sqlite`
 * error, a fetch `TypeError`).
 */
export const ERROR_CODES = ["EIO", "ENOSPC", "EACCES", "SQLITE_BUSY", "ECONNREFUSED"] as const;

/** Errors the `error` action can raise. */
export type ErrorCode = typeof ERROR_CODES[number];

/** Which error codes make sense at which point. */
export const ERRORS_BY_POINT: Readonly<Record<Point, readonly ErrorCode[]>> = {
  "process.start": [],
  "registry.fetch": ["ECONNREFUSED"],
  "fs.extract": ["EIO", "ENOSPC", "EACCES"],
  "fs.remove": ["EIO", "EACCES"],
  "lock.acquire": ["EIO", "ENOSPC", "EACCES"],
  "lockfile.write": ["EIO", "ENOSPC", "EACCES"],
  "lock.release": ["EIO", "EACCES"],
  "catalog.begin": ["SQLITE_BUSY", "EIO"],
  "catalog.commit": ["SQLITE_BUSY", "EIO"],
  "catalog.rollback": ["SQLITE_BUSY", "EIO"],
  "process.exit": [],
};

/** Points at which `contend` is meaningful: the lock looks held. */
export const CONTEND_POINTS: readonly Point[] = ["lock.acquire"];

/**
 * Points that frame the whole process rather than a step of it. They have
 * only the `before` phase (nothing of the target runs after the process
 * started its main module or exited) and take only {@link PROCESS_POINT_ACTIONS}.
 */
export const PROCESS_POINTS: readonly Point[] = ["process.start", "process.exit"];

/** Actions meaningful at {@link PROCESS_POINTS}: hold the process, or kill it there. */
export const PROCESS_POINT_ACTIONS: readonly ActionKind[] = ["delay", "crash", "pause"];

/** The op kinds a target process runs: swamp's command words. */
export const OP_KINDS = ["init", "pull", "rm", "update", "list", "doctor"] as const;

/** The op kinds a target process runs. */
export type OpKind = typeof OP_KINDS[number];

/** Explicit limits, checked wherever rules are accepted. */
export const LIMITS = {
  /** Longest single delay a rule may inject. */
  delayMsMax: 60_000,
  /** Longest a `pause` may park a process before it resumes on its own. */
  pauseTimeoutMsMax: 120_000,
  /** Most lock attempts a `contend` may make look held. */
  contendAttemptsMax: 1_000,
  /** Most rules one process may carry. */
  rulesPerProcessMax: 256,
  /** Most events one process may log before the shim stops logging (and says so). */
  eventsPerProcessMax: 100_000,
  /** Highest hit number a rule may name. */
  hitNthMax: 1_000_000,
} as const;

/** Type guard for {@link Point}. */
export function isPoint(value: unknown): value is Point {
  return typeof value === "string" && (POINTS as readonly string[]).includes(value);
}

/** Type guard for {@link Phase}. */
export function isPhase(value: unknown): value is Phase {
  return typeof value === "string" && (PHASES as readonly string[]).includes(value);
}

/** Type guard for {@link ErrorCode}. */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === "string" && (ERROR_CODES as readonly string[]).includes(value);
}

/** Type guard for {@link OpKind}. */
export function isOpKind(value: unknown): value is OpKind {
  return typeof value === "string" && (OP_KINDS as readonly string[]).includes(value);
}
