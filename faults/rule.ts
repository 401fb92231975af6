/**
 * Fault rules: what a scenario declares (`FaultRule`) and what travels to one
 * target process (`ShimConfig`, a list of `ShimRule`s already resolved for
 * that process by the planner). The shim validates what it receives with
 * {@link parseShimConfig}; the simulator validated the scenario before.
 *
 * Dependency-free: the preload shim imports this module.
 *
 * @module
 */

import {
  CONTEND_POINTS,
  type ErrorCode,
  ERRORS_BY_POINT,
  isErrorCode,
  isOpKind,
  isPhase,
  isPoint,
  LIMITS,
  type OpKind,
  type Phase,
  type Point,
  POINTS,
  PROCESS_POINT_ACTIONS,
  PROCESS_POINTS,
} from "./vocabulary.ts";

/**
 * A point another process must reach before a pause releases: process
 * `process` hit `point` for the `hit`-th time and got to `phase` (for
 * `after`: the step returned).
 */
export interface EventRef {
  process: number;
  point: Point;
  phase: Phase;
  hit: number;
}

/** A point this process announces (with a marker file) when it reaches it, for other processes' pauses. */
export interface PublishedEvent {
  point: Point;
  phase: Phase;
  hit: number;
}

/** The marker file that says process `process` reached `point`/`phase` for the `hit`-th time. */
export function eventMarkerPath(controlDir: string, process: number, e: PublishedEvent): string {
  return `${controlDir}/event-${process}-${e.point}-${e.phase}-${e.hit}`;
}

/** How often a pause checks whether it may end (the shim's pauses and the simulator's held starts). */
export const PAUSE_POLL_MS = 10;

/** The marker file the runner leaves once process `process` exited, for pauses waiting on it. */
export function exitMarkerPath(controlDir: string, process: number): string {
  return `${controlDir}/exited-${process}`;
}

/**
 * Whether a pause may end: every process in `untilExitOf` has exited and
 * every event in `untilEvents` was announced (their marker files exist).
 */
export function pauseReleased(
  controlDir: string,
  pause: { untilExitOf: readonly number[]; untilEvents?: readonly EventRef[] },
  exists: (path: string) => boolean,
): boolean {
  return pause.untilExitOf.every((p) => exists(exitMarkerPath(controlDir, p))) &&
    (pause.untilEvents ?? []).every((e) => exists(eventMarkerPath(controlDir, e.process, e)));
}

/** An action as a scenario declares it. */
export type Action =
  | { kind: "delay"; delayMs: number }
  | { kind: "delay"; delayMsMin: number; delayMsMax: number }
  | { kind: "crash" }
  | { kind: "error"; error: ErrorCode }
  | { kind: "contend"; attempts: number }
  | PauseAction;

/**
 * A pause: park the process until every process in `untilExitOf` exited and
 * every event in `untilEvents` was announced, or `timeoutMs` passed.
 * `release: "timeout"` says the timeout is the intended release (the
 * scenario justifies it); such a pause derives no witness.
 */
export interface PauseAction {
  kind: "pause";
  timeoutMs: number;
  untilExitOf: number[];
  untilEvents?: EventRef[];
  release?: "timeout";
}

/** Which hits of a point a rule fires on (hits count from 1, per process and point). */
export type HitSelector =
  | { nth: number }
  | { every: true }
  | { probability: number };

/** A fault rule as a scenario declares it. */
export interface FaultRule {
  /** The point this rule watches. */
  at: Point;
  /** Before the step runs, or after it returned. */
  when: Phase;
  /** What to do there. */
  action: Action;
  /** Which hits fire; `contend` makes `attempts` hits in a row look held, starting at `nth`. */
  hit: HitSelector;
  /** Only these process indices (default: all). */
  processes?: number[];
  /** Only processes running these ops (default: all). */
  ops?: OpKind[];
  /** Only these iterations (default: all). */
  iterations?: number[];
}

/** An action resolved for one process: a delay range carries its seed. */
export type ShimAction =
  | { kind: "delay"; delayMs: number }
  | { kind: "delay"; delayMsMin: number; delayMsMax: number; seed: number }
  | { kind: "crash" }
  | { kind: "error"; error: ErrorCode }
  | { kind: "contend"; attempts: number }
  | PauseAction;

/** A hit selector resolved for one process: a probability carries its seed. */
export type ShimHit =
  | { nth: number }
  | { every: true }
  | { probability: number; seed: number };

/** One rule as it travels to one process. */
export interface ShimRule {
  /** Where the rule came from, e.g. `faults[2]`; echoed in events. */
  id: string;
  at: Point;
  when: Phase;
  action: ShimAction;
  hit: ShimHit;
}

/**
 * How the preload shim recognises points by path and URL. Defaults are
 * swamp's own layout ({@link DEFAULT_PATTERNS}); a scenario may override each.
 */
export interface PointPatterns {
  /** Basename of the lockfile (`lockfile.write`). */
  lockfile: string;
  /** Basename of the advisory lock file (`lock.acquire`, `lock.release`). */
  lock: string;
  /** Basename of the catalog database (`catalog.*`). */
  catalog: string;
  /** Path fragment of the pulled-extensions tree (`fs.extract`, `fs.remove`). */
  extractDir: string;
  /** Environment variable holding the registry base URL (`registry.fetch`). */
  registryUrlEnv: string;
}

/** swamp's own layout, per the lifecycle contract. */
export const DEFAULT_PATTERNS: Readonly<PointPatterns> = {
  lockfile: "upstream_extensions.json",
  lock: "upstream_extensions.json.lock",
  catalog: "_extension_catalog.db",
  extractDir: "/.swamp/pulled-extensions/",
  registryUrlEnv: "SWAMP_CLUB_URL",
};

/** Format tag of {@link ShimConfig}; bump on any incompatible change. */
export const SHIM_CONFIG_FORMAT = "swamp-sim.shim/1";

/** Environment variable that carries the path of a process's {@link ShimConfig} file. */
export const SHIM_CONFIG_ENV = "SWAMP_SIM_SHIM_CONFIG";

/**
 * Exit code of a target process whose shim config is unreadable or invalid;
 * the main module never ran. The simulator classifies it as outcome `shim-error`.
 */
export const SHIM_CONFIG_EXIT_CODE = 86;

/** Everything one target process needs to know about its faults. */
export interface ShimConfig {
  format: typeof SHIM_CONFIG_FORMAT;
  /** Process index in the plan (set-up and recovery processes run without a shim). */
  process: number;
  /** The op this process runs. */
  op: OpKind;
  /** Absolute path of the JSON-lines event log this process appends to. */
  eventsPath: string;
  /**
   * Absolute control directory: the runner drops `exited-<process>` there as a
   * process exits, and processes announce their `publish` points as
   * `event-<process>-<point>-<phase>-<hit>` files; pauses poll both.
   */
  controlDir: string;
  patterns: PointPatterns;
  rules: ShimRule[];
  /** Points this process announces for other processes' pauses (default none). */
  publish?: PublishedEvent[];
}

/** A rule or shim config that does not validate; `path` names the field. */
export class RuleError extends Error {
  readonly path: string;
  constructor(path: string, message: string) {
    super(`${path}: ${message}`);
    this.name = "RuleError";
    this.path = path;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function checkKeys(value: Record<string, unknown>, allowed: readonly string[], path: string): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) throw new RuleError(`${path}.${key}`, "unknown field");
  }
}

function intIn(value: unknown, min: number, max: number, path: string): number {
  if (typeof value !== "number" || !Number.isInteger(value)) {
    throw new RuleError(path, `must be an integer, got ${JSON.stringify(value)}`);
  }
  if (value < min || value > max) {
    throw new RuleError(path, `must be between ${min} and ${max}, got ${value}`);
  }
  return value;
}

function str(value: unknown, path: string): string {
  if (typeof value !== "string" || value.length === 0) {
    throw new RuleError(path, "must be a non-empty string");
  }
  return value;
}

/**
 * Checks that an action may be taken at a point and phase; shared by the
 * scenario loader and the shim so both sides agree. Returns a message, or
 * `undefined` when the combination is allowed.
 */
export function actionProblem(
  at: Point,
  when: Phase,
  action: Action | ShimAction,
): string | undefined {
  if (PROCESS_POINTS.includes(at)) {
    if (when !== "before") return `"${at}" has only the before phase`;
    if (!PROCESS_POINT_ACTIONS.includes(action.kind)) {
      return `${action.kind} cannot be taken at "${at}" (allowed: ${
        PROCESS_POINT_ACTIONS.join(", ")
      })`;
    }
  }
  switch (action.kind) {
    case "error": {
      const allowed = ERRORS_BY_POINT[at];
      if (!allowed.includes(action.error)) {
        return allowed.length === 0
          ? `error cannot be raised at "${at}"`
          : `error "${action.error}" cannot be raised at "${at}" (allowed: ${allowed.join(", ")})`;
      }
      return undefined;
    }
    case "contend":
      if (!CONTEND_POINTS.includes(at)) {
        return `contend only applies at ${CONTEND_POINTS.join(", ")}`;
      }
      if (when !== "before") return `contend only applies before the step`;
      return undefined;
    case "delay":
      if ("delayMs" in action) return undefined;
      if (action.delayMsMin > action.delayMsMax) return "delayMsMin must not exceed delayMsMax";
      return undefined;
    case "crash":
    case "pause":
      return undefined;
  }
}

function parseShimAction(value: unknown, path: string): ShimAction {
  if (!isRecord(value)) throw new RuleError(path, "must be an object");
  switch (value.kind) {
    case "delay":
      if ("delayMs" in value) {
        checkKeys(value, ["kind", "delayMs"], path);
        return {
          kind: "delay",
          delayMs: intIn(value.delayMs, 0, LIMITS.delayMsMax, `${path}.delayMs`),
        };
      }
      checkKeys(value, ["kind", "delayMsMin", "delayMsMax", "seed"], path);
      return {
        kind: "delay",
        delayMsMin: intIn(value.delayMsMin, 0, LIMITS.delayMsMax, `${path}.delayMsMin`),
        delayMsMax: intIn(value.delayMsMax, 0, LIMITS.delayMsMax, `${path}.delayMsMax`),
        seed: intIn(value.seed, 0, 0xffff_ffff, `${path}.seed`),
      };
    case "crash":
      checkKeys(value, ["kind"], path);
      return { kind: "crash" };
    case "error":
      checkKeys(value, ["kind", "error"], path);
      if (!isErrorCode(value.error)) {
        throw new RuleError(`${path}.error`, `unknown error code ${JSON.stringify(value.error)}`);
      }
      return { kind: "error", error: value.error };
    case "contend":
      checkKeys(value, ["kind", "attempts"], path);
      return {
        kind: "contend",
        attempts: intIn(value.attempts, 1, LIMITS.contendAttemptsMax, `${path}.attempts`),
      };
    case "pause": {
      checkKeys(value, ["kind", "timeoutMs", "untilExitOf", "untilEvents", "release"], path);
      if (value.release !== undefined && value.release !== "timeout") {
        throw new RuleError(`${path}.release`, 'must be "timeout" when given');
      }
      const until = value.untilExitOf;
      if (!Array.isArray(until)) throw new RuleError(`${path}.untilExitOf`, "must be an array");
      const events = value.untilEvents ?? [];
      if (!Array.isArray(events)) throw new RuleError(`${path}.untilEvents`, "must be an array");
      return {
        kind: "pause",
        timeoutMs: intIn(value.timeoutMs, 1, LIMITS.pauseTimeoutMsMax, `${path}.timeoutMs`),
        untilExitOf: until.map((p, i) => intIn(p, 0, 1_000_000, `${path}.untilExitOf[${i}]`)),
        ...(events.length === 0
          ? {}
          : { untilEvents: events.map((e, i) => parseEventRef(e, `${path}.untilEvents[${i}]`)) }),
        ...(value.release === undefined ? {} : { release: "timeout" as const }),
      };
    }
    default:
      throw new RuleError(`${path}.kind`, `unknown action ${JSON.stringify(value.kind)}`);
  }
}

function parsePublished(value: unknown, path: string): PublishedEvent {
  if (!isRecord(value)) throw new RuleError(path, "must be an object");
  checkKeys(value, ["point", "phase", "hit"], path);
  if (!isPoint(value.point)) {
    throw new RuleError(`${path}.point`, `unknown point ${JSON.stringify(value.point)}`);
  }
  if (!isPhase(value.phase)) throw new RuleError(`${path}.phase`, `must be "before" or "after"`);
  return {
    point: value.point,
    phase: value.phase,
    hit: intIn(value.hit, 1, LIMITS.hitNthMax, `${path}.hit`),
  };
}

function parseEventRef(value: unknown, path: string): EventRef {
  if (!isRecord(value)) throw new RuleError(path, "must be an object");
  checkKeys(value, ["process", "point", "phase", "hit"], path);
  const { process: _process, ...rest } = value;
  return {
    process: intIn(value.process, 0, 1_000_000, `${path}.process`),
    ...parsePublished(rest, path),
  };
}

function parseShimHit(value: unknown, path: string): ShimHit {
  if (!isRecord(value)) throw new RuleError(path, "must be an object");
  if ("nth" in value) {
    checkKeys(value, ["nth"], path);
    return { nth: intIn(value.nth, 1, LIMITS.hitNthMax, `${path}.nth`) };
  }
  if ("every" in value) {
    checkKeys(value, ["every"], path);
    if (value.every !== true) throw new RuleError(`${path}.every`, "must be true");
    return { every: true };
  }
  if ("probability" in value) {
    checkKeys(value, ["probability", "seed"], path);
    const p = value.probability;
    if (typeof p !== "number" || !(p >= 0 && p <= 1)) {
      throw new RuleError(
        `${path}.probability`,
        `must be a number in [0, 1], got ${JSON.stringify(p)}`,
      );
    }
    return { probability: p, seed: intIn(value.seed, 0, 0xffff_ffff, `${path}.seed`) };
  }
  throw new RuleError(path, "must have one of nth, every, probability");
}

function parseShimRule(value: unknown, path: string): ShimRule {
  if (!isRecord(value)) throw new RuleError(path, "must be an object");
  checkKeys(value, ["id", "at", "when", "action", "hit"], path);
  if (!isPoint(value.at)) {
    throw new RuleError(
      `${path}.at`,
      `unknown point ${JSON.stringify(value.at)} (known: ${POINTS.join(", ")})`,
    );
  }
  if (!isPhase(value.when)) throw new RuleError(`${path}.when`, `must be "before" or "after"`);
  const action = parseShimAction(value.action, `${path}.action`);
  const problem = actionProblem(value.at, value.when, action);
  if (problem !== undefined) throw new RuleError(`${path}.action`, problem);
  return {
    id: str(value.id, `${path}.id`),
    at: value.at,
    when: value.when,
    action,
    hit: parseShimHit(value.hit, `${path}.hit`),
  };
}

function parsePatterns(value: unknown, path: string): PointPatterns {
  if (!isRecord(value)) throw new RuleError(path, "must be an object");
  checkKeys(value, Object.keys(DEFAULT_PATTERNS), path);
  return {
    lockfile: str(value.lockfile, `${path}.lockfile`),
    lock: str(value.lock, `${path}.lock`),
    catalog: str(value.catalog, `${path}.catalog`),
    extractDir: str(value.extractDir, `${path}.extractDir`),
    registryUrlEnv: str(value.registryUrlEnv, `${path}.registryUrlEnv`),
  };
}

function parsePublishList(value: unknown): PublishedEvent[] {
  if (!Array.isArray(value)) throw new RuleError("$.publish", "must be an array");
  return value.map((e, i) => parsePublished(e, `$.publish[${i}]`));
}

/**
 * Validates a shim config received by a target process. Throws a
 * {@link RuleError} naming the first bad field.
 */
export function parseShimConfig(value: unknown): ShimConfig {
  if (!isRecord(value)) throw new RuleError("$", "must be an object");
  checkKeys(
    value,
    ["format", "process", "op", "eventsPath", "controlDir", "patterns", "rules", "publish"],
    "$",
  );
  if (value.format !== SHIM_CONFIG_FORMAT) {
    throw new RuleError(
      "$.format",
      `must be "${SHIM_CONFIG_FORMAT}", got ${JSON.stringify(value.format)}`,
    );
  }
  if (!isOpKind(value.op)) throw new RuleError("$.op", `unknown op ${JSON.stringify(value.op)}`);
  const rules = value.rules;
  if (!Array.isArray(rules)) throw new RuleError("$.rules", "must be an array");
  if (rules.length > LIMITS.rulesPerProcessMax) {
    throw new RuleError(
      "$.rules",
      `at most ${LIMITS.rulesPerProcessMax} rules per process, got ${rules.length}`,
    );
  }
  return {
    format: SHIM_CONFIG_FORMAT,
    process: intIn(value.process, 0, 1_000_000, "$.process"),
    op: value.op,
    eventsPath: str(value.eventsPath, "$.eventsPath"),
    controlDir: str(value.controlDir, "$.controlDir"),
    patterns: parsePatterns(value.patterns, "$.patterns"),
    rules: rules.map((r, i) => parseShimRule(r, `$.rules[${i}]`)),
    ...(value.publish === undefined ? {} : { publish: parsePublishList(value.publish) }),
  };
}
