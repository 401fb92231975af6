/**
 * Scenario loading: YAML text in, a validated {@link Scenario} with every
 * default resolved out. Every problem is a {@link ScenarioError} naming the
 * file, line, column and field path; nothing is spawned before a scenario
 * loads cleanly.
 *
 * @module
 */

import {
  type Document,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseDocument,
  visit,
} from "yaml";
import type { z } from "zod";
import {
  straceCannotAnnounce,
  straceMapping,
  UnsupportedRuleError,
} from "../../faults/strace/support.ts";
import {
  type Action,
  actionProblem,
  DEFAULT_PATTERNS,
  type FaultRule,
  type HitSelector,
  type PointPatterns,
  type ShimAction,
  type ShimHit,
} from "../../faults/rule.ts";
import { type Phase, type Point, POINTS } from "../../faults/vocabulary.ts";
import { type FixtureSpec, typeConflicts, validateFixture } from "./fixture.ts";
import { INVARIANT_IDS, type InvariantId } from "../shared/invariant_ids.ts";
import {
  type FaultInput,
  type OpSpec,
  type PhaseExpectation,
  type RecoveryStep,
  SCENARIO_LIMITS,
  type ScenarioInput,
  scenarioSchema,
} from "./schema.ts";

export type { OpSpec, PhaseExpectation, RecoveryStep };

/** A scenario that does not load; the message is one line naming file, line and field. */
export class ScenarioError extends Error {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly fieldPath: string;
  readonly detail: string;
  constructor(file: string, line: number, column: number, fieldPath: string, detail: string) {
    const where = line > 0 ? `${file}:${line}:${column}` : file;
    const oneLine = detail.replace(/\r?\n/g, "\\n");
    super(`${where}: error: ${fieldPath === "" ? "" : `${fieldPath}: `}${oneLine}`);
    this.name = "ScenarioError";
    this.file = file;
    this.line = line;
    this.column = column;
    this.fieldPath = fieldPath;
    this.detail = detail;
  }
}

/** The target, with defaults resolved. */
export interface ResolvedTarget {
  kind: "reference" | "deno" | "command";
  /** Reference only: the selected mutant. */
  mutant?: string;
  /** deno: absolute entry module. */
  entry?: string;
  /** deno: absolute deno.json for the entry. */
  config?: string;
  denoFlags: string[];
  /** command: the argv that runs swamp. */
  argv?: string[];
  env: Record<string, string>;
  backend: "preload" | "strace" | "none";
  patterns: PointPatterns;
}

/** An op with its start offset. */
export type PlannedOpSpec = OpSpec & { startMs: number };

/** The workload, with defaults resolved. */
export type Workload =
  | { kind: "explicit"; processes: PlannedOpSpec[]; startJitterMs: { min: number; max: number } }
  | {
    kind: "mix";
    count: number;
    mix: Array<OpSpec & { weight: number }>;
    startJitterMs: { min: number; max: number };
  };

/** One case of a sweep: an op crashed (or otherwise faulted) at one point and phase. */
export interface SweepCase {
  op: OpSpec;
  at: Point;
  when: Phase;
  action: Action;
}

/** A fault rule with its id (`faults[i]`). */
export type ScenarioFault = FaultRule & { id: string };

/** A loaded, validated scenario with every default resolved. */
export interface Scenario {
  /** The path as given on the command line (used in replay commands). */
  file: string;
  /** Absolute path of the scenario file. */
  path: string;
  name: string;
  proves: string;
  exploratory: boolean;
  /** Whether runs of one iteration must leave the same history shape (`--repeat`); see `determinism.ts`. */
  deterministic: boolean;
  seed: number;
  iterations: number;
  target: ResolvedTarget;
  fixture: { spec: FixtureSpec; installed: string[]; populate: boolean };
  workload: Workload;
  /** Sweep cases, one per iteration, when the scenario sweeps. */
  sweep?: SweepCase[];
  faults: ScenarioFault[];
  recovery: RecoveryStep[];
  expect: {
    afterRun: PhaseExpectation;
    afterRecovery: PhaseExpectation;
    typeConflict: boolean;
  };
  limits: { processTimeoutMs: number; runTimeoutMs: number };
}

/** Defaults applied where a scenario is silent. */
export const SCENARIO_DEFAULTS = {
  processTimeoutMs: 60_000,
  runTimeoutMs: 30 * 60 * 1000,
  iterations: 1,
} as const;

type PathSegment = string | number;

/** A path segment that reads unambiguously after a dot; anything else is quoted in brackets. */
const PLAIN_SEGMENT = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

function formatPath(path: readonly PathSegment[]): string {
  let out = "";
  for (const seg of path) {
    if (typeof seg === "number") out += `[${seg}]`;
    else if (!PLAIN_SEGMENT.test(seg)) out += `[${JSON.stringify(seg)}]`;
    else out += out === "" ? seg : `.${seg}`;
  }
  return out;
}

/**
 * Finds the YAML node at a field path: the deepest node that exists; `key`
 * picks the key node, and so does a mapping or list value.
 */
function locate(root: Node | null, path: readonly PathSegment[], key: boolean): Node | null {
  let node: Node | null = root;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i];
    const last = i === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
      if (pair === undefined) return node;
      // A whole section (a block mapping or list) is reported at its key's line.
      const section = isMap(pair.value) || isSeq(pair.value);
      if (last && (key || section) && isScalar(pair.key)) return pair.key;
      node = (pair.value as Node | null) ?? (pair.key as Node);
    } else if (isSeq(node) && typeof seg === "number") {
      const item = node.items[seg] as Node | undefined;
      if (item === undefined) return node;
      node = item;
    } else {
      return node;
    }
  }
  return node;
}

class Locator {
  readonly #root: Node | null;
  readonly #lines: LineCounter;
  readonly #file: string;
  constructor(root: Node | null, lines: LineCounter, file: string) {
    this.#root = root;
    this.#lines = lines;
    this.#file = file;
  }
  error(path: readonly PathSegment[], detail: string, key = false): ScenarioError {
    const node = locate(this.#root, path, key);
    const offset = node?.range?.[0];
    // An empty document has no node at all: point at its start.
    const pos = offset === undefined ? { line: 1, col: 1 } : this.#lines.linePos(offset);
    return new ScenarioError(this.#file, pos.line, pos.col, formatPath(path), detail);
  }
}

/** Records keyed by a fixed vocabulary: an unknown key names the vocabulary, not a field. */
const KEYED_RECORDS: Readonly<Record<string, { noun: string; known: readonly string[] }>> = {
  invariants: { noun: "invariant", known: INVARIANT_IDS },
  outcomes: { noun: "op", known: ["pull", "rm", "update", "list", "doctor"] },
};

const TYPE_NAMES: Readonly<Record<string, string>> = {
  int: "an integer",
  number: "a number",
  string: "a string",
  boolean: "true or false",
  array: "a list",
  object: "a mapping",
};

function valueAt(data: unknown, path: readonly PathSegment[]): unknown {
  let value = data;
  for (const seg of path) {
    if (typeof value !== "object" || value === null) return undefined;
    value = (value as Record<string, unknown>)[seg];
  }
  return value;
}

function shown(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  return JSON.stringify(value) ?? String(value);
}

function boundDetail(issue: z.core.$ZodIssueTooBig | z.core.$ZodIssueTooSmall): string {
  const small = issue.code === "too_small";
  const bound = small ? issue.minimum : issue.maximum;
  const inclusive = issue.inclusive ?? true;
  const relation = small
    ? (inclusive ? "at least" : "more than")
    : (inclusive ? "at most" : "less than");
  if (issue.origin === "array") return `needs ${relation} ${bound} item(s)`;
  if (issue.origin === "string") return `needs ${relation} ${bound} character(s)`;
  return `must be ${relation} ${bound}, got ${shown(issue.input)}`;
}

function segmentsOf(path: readonly PropertyKey[]): PathSegment[] {
  return path.filter((p): p is PathSegment => typeof p !== "symbol");
}

/** Whether a union branch rejected the value as a whole (wrong type or other kind/op). */
function rejectsWhole(issue: z.core.$ZodIssue): boolean {
  if (issue.path.length === 0) return issue.code !== "unrecognized_keys";
  const discriminator = issue.path.length === 1 &&
    (issue.path[0] === "kind" || issue.path[0] === "op");
  return discriminator && issue.code === "invalid_value";
}

/**
 * The issue to report for a union: the first issue of the branch that took
 * the value's kind (or op) and failed least, when any did; else the union's own.
 */
function unionIssue(
  issue: z.core.$ZodIssue,
  path: PathSegment[],
): { issue: z.core.$ZodIssue; path: PathSegment[] } {
  if (issue.code !== "invalid_union") return { issue, path };
  const branches = issue.errors.filter((b) => b.length > 0 && !b.some(rejectsWhole));
  if (branches.length === 0) return { issue, path };
  const best = branches.reduce((a, b) => (b.length < a.length ? b : a));
  return unionIssue(best[0], [...path, ...segmentsOf(best[0].path)]);
}

function zodDetail(
  topIssue: z.core.$ZodIssue,
  data: unknown,
): { path: PathSegment[]; detail: string; key: boolean } {
  const { issue, path } = unionIssue(topIssue, segmentsOf(topIssue.path));
  const value = valueAt(data, path);
  if (value === undefined && issue.code !== "unrecognized_keys") {
    return { path, detail: "required field is missing", key: false };
  }
  // zod's own messages start with a capitalised summary; a schema's custom message is kept as is.
  const custom = !/^(Invalid input|Invalid option|Too small|Too big)\b/.test(issue.message);
  if (custom && issue.code === "invalid_union") {
    const kind = typeof value === "object" && value !== null && "kind" in value
      ? `kind ${shown(value.kind)}`
      : shown(value);
    return { path, detail: `${issue.message}, got ${kind}`, key: false };
  }
  if (custom && issue.code !== "unrecognized_keys" && issue.code !== "invalid_key") {
    return { path, detail: issue.message, key: false };
  }
  switch (issue.code) {
    case "unrecognized_keys": {
      const first = issue.keys[0];
      const keyed = KEYED_RECORDS[String(path.at(-1))];
      const detail = keyed === undefined
        ? `unknown field ${JSON.stringify(first)}`
        : `unknown ${keyed.noun} ${JSON.stringify(first)} (known: ${keyed.known.join(", ")})`;
      return { path: [...path, first], detail, key: true };
    }
    case "invalid_type":
      return {
        path,
        detail: `must be ${TYPE_NAMES[issue.expected] ?? issue.expected}, got ${shown(value)}`,
        key: false,
      };
    case "invalid_value":
      return {
        path,
        detail: `must be one of ${issue.values.map((v) => shown(v)).join(", ")}, got ${
          shown(value)
        }`,
        key: false,
      };
    case "too_big":
    case "too_small":
      return { path, detail: boundDetail({ ...issue, input: value }), key: false };
    case "invalid_key": {
      const inner = issue.issues[0]?.message ?? "invalid key";
      return { path, detail: `key ${shown(path.at(-1))} ${inner}`, key: true };
    }
    default:
      return { path, detail: issue.message.replace(/^Invalid input: /, ""), key: false };
  }
}

function normalizeAction(action: NonNullable<FaultInput["action"]>): Action {
  if (action === "crash") return { kind: "crash" };
  if (action.kind === "pause") {
    return {
      kind: "pause",
      timeoutMs: action.timeoutMs,
      untilExitOf: action.untilExitOf ?? [],
      ...(action.untilEvents === undefined ? {} : {
        untilEvents: action.untilEvents.map((e) => ({
          process: e.process,
          point: e.at,
          phase: e.when ?? "before",
          hit: e.hit ?? 1,
        })),
      }),
    };
  }
  return action;
}

function normalizeHit(hit: FaultInput["hit"]): HitSelector {
  if (hit === undefined) return { nth: 1 };
  if (typeof hit === "number") return { nth: hit };
  if (hit === "every") return { every: true };
  return hit;
}

/** `rel` resolved against the dir `base` (an absolute `rel` stays as it is), as target paths are. */
export function resolvePath(base: string, rel: string): string {
  return new URL(rel, `file://${base.endsWith("/") ? base : `${base}/`}`).pathname;
}

/** The dir of an absolute file path. */
export function dirOf(path: string): string {
  return path.slice(0, path.lastIndexOf("/")) || "/";
}

/** The document as plain data; an alias that does not resolve (or resolves too often) is an error. */
function documentData(doc: Document, lines: LineCounter, file: string): unknown {
  try {
    return doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    let offset: number | undefined;
    visit(doc, {
      Alias(_key, alias) {
        if (alias.resolve(doc) !== undefined) return undefined;
        offset = alias.range?.[0];
        return visit.BREAK;
      },
    });
    const pos = offset === undefined ? { line: 1, col: 1 } : lines.linePos(offset);
    const detail = (error as Error).message.split("\n")[0];
    throw new ScenarioError(file, pos.line, pos.col, "", `invalid YAML: ${detail}`);
  }
}

/** Parses and validates scenario text; `file` names it in errors. Pure apart from path resolution. */
export function parseScenario(text: string, file: string, absPath: string): Scenario {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const error = doc.errors[0];
    const pos = error.linePos?.[0] ?? lines.linePos(error.pos[0]);
    const detail = error.code === "MULTIPLE_DOCS"
      ? "a scenario file holds one YAML document"
      : error.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");
    throw new ScenarioError(file, pos.line, pos.col, "", `invalid YAML: ${detail}`);
  }
  const at = new Locator(doc.contents as Node | null, lines, file);
  const data = documentData(doc, lines, file);
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    throw at.error([], "a scenario must be a YAML mapping");
  }
  const parsed = scenarioSchema.safeParse(data);
  if (!parsed.success) {
    const { path, detail, key } = zodDetail(parsed.error.issues[0], data);
    throw at.error(path, detail, key);
  }
  return resolveScenario(parsed.data, at, file, absPath);
}

function resolveScenario(
  input: ScenarioInput,
  at: Locator,
  file: string,
  absPath: string,
): Scenario {
  const dir = dirOf(absPath);
  const target = resolveTarget(input, at, dir);
  const spec: FixtureSpec = { extensions: input.fixture.registry };
  const fixtureProblems = validateFixture(spec);
  if (fixtureProblems.length > 0) {
    const problem = fixtureProblems[0];
    throw at.error(["fixture", "registry", ...pathSegments(problem.path)], problem.message);
  }
  const known = new Set(spec.extensions.map((e) => e.name));
  (input.fixture.installed ?? []).forEach((ref, i) => {
    const name = ref.slice(0, ref.indexOf("@", 1) === -1 ? undefined : ref.indexOf("@", 1));
    if (!known.has(name)) {
      throw at.error(["fixture", "installed", i], `"${name}" is not in fixture.registry`);
    }
  });

  if (input.workload === undefined && input.sweep === undefined) {
    throw at.error([], "a scenario needs a workload or a sweep");
  }
  if (input.workload !== undefined && input.sweep !== undefined) {
    throw at.error(["sweep"], "a scenario has either a workload or a sweep, not both");
  }
  const workload = resolveWorkload(input, at);
  const sweep = input.sweep === undefined
    ? undefined
    : resolveSweep(input.sweep, at, target.backend);
  const processCount = sweep !== undefined
    ? 1
    : workload.kind === "explicit"
    ? workload.processes.length
    : workload.count;

  let iterations = input.iterations ?? SCENARIO_DEFAULTS.iterations;
  if (sweep !== undefined) {
    if (input.iterations !== undefined && input.iterations !== sweep.length) {
      throw at.error(
        ["iterations"],
        `a sweep runs one iteration per case (${sweep.length}); omit iterations or set it to ${sweep.length}`,
      );
    }
    iterations = sweep.length;
    if (iterations > SCENARIO_LIMITS.iterationsMax) {
      throw at.error(
        ["sweep"],
        `the sweep has ${iterations} cases, more than ${SCENARIO_LIMITS.iterationsMax}`,
      );
    }
  }

  const faults = (input.faults ?? []).map((f, i): ScenarioFault => {
    const action = normalizeAction(f.action);
    const when = f.when ?? "before";
    const problem = actionProblem(f.at, when, action);
    if (problem !== undefined) throw at.error(["faults", i, "action"], problem);
    f.processes?.forEach((p, j) => {
      if (p >= processCount) {
        throw at.error(
          ["faults", i, "processes", j],
          `process ${p} does not exist (the workload has ${processCount})`,
        );
      }
    });
    if (action.kind === "pause") {
      action.untilExitOf.forEach((p, j) => {
        if (p >= processCount) {
          throw at.error(
            ["faults", i, "action", "untilExitOf", j],
            `process ${p} does not exist (the workload has ${processCount})`,
          );
        }
      });
      action.untilEvents?.forEach((e, j) => {
        if (e.process >= processCount) {
          throw at.error(
            ["faults", i, "action", "untilEvents", j, "process"],
            `process ${e.process} does not exist (the workload has ${processCount})`,
          );
        }
      });
    }
    f.iterations?.forEach((n, j) => {
      if (n >= iterations) {
        throw at.error(
          ["faults", i, "iterations", j],
          `iteration ${n} does not exist (the scenario runs ${iterations})`,
        );
      }
    });
    const fault: ScenarioFault = {
      id: `faults[${i}]`,
      at: f.at,
      when,
      action,
      hit: normalizeHit(f.hit),
      processes: f.processes,
      ops: f.ops,
      iterations: f.iterations,
    };
    if (target.backend === "none") {
      throw at.error(["faults", i], 'the "none" backend injects nothing; choose preload or strace');
    }
    const backendProblem = target.backend === "strace" ? straceProblem(fault) : undefined;
    if (backendProblem !== undefined) throw at.error(["faults", i], backendProblem);
    return fault;
  });

  const recovery = input.recovery ?? [];
  if (recovery.length === 0 && input.expect?.afterRecovery !== undefined) {
    throw at.error(
      ["expect", "afterRecovery"],
      "expectations after recovery need recovery steps",
      true,
    );
  }

  const conflicts = typeConflicts(spec);
  const expect = input.expect ?? {};
  if (expect.typeConflict === false && conflicts.length > 0) {
    throw at.error(
      ["expect", "typeConflict"],
      "the fixture has a genuine type conflict; typeConflict cannot be false",
    );
  }

  const limits = {
    processTimeoutMs: input.limits?.processTimeoutMs ?? SCENARIO_DEFAULTS.processTimeoutMs,
    runTimeoutMs: input.limits?.runTimeoutMs ?? SCENARIO_DEFAULTS.runTimeoutMs,
  };
  if (limits.processTimeoutMs > limits.runTimeoutMs) {
    throw at.error(["limits", "processTimeoutMs"], "must not exceed limits.runTimeoutMs");
  }

  return {
    file,
    path: absPath,
    name: input.name,
    proves: input.proves,
    exploratory: input.exploratory ?? false,
    deterministic: input.deterministic ?? true,
    seed: input.seed,
    iterations,
    target,
    fixture: {
      spec,
      installed: input.fixture.installed ?? [],
      populate: input.fixture.populate ?? true,
    },
    workload,
    sweep,
    faults,
    recovery,
    expect: {
      afterRun: expect.afterRun ?? {},
      afterRecovery: expect.afterRecovery ?? {},
      typeConflict: expect.typeConflict ?? conflicts.length > 0,
    },
    limits,
  };
}

function pathSegments(path: string): PathSegment[] {
  const out: PathSegment[] = [];
  for (const match of path.matchAll(/\["((?:[^"\\]|\\.)*)"\]|\[(\d+)\]|([^.[\]]+)/g)) {
    if (match[1] !== undefined) out.push(JSON.parse(`"${match[1]}"`) as string);
    else if (match[2] !== undefined) out.push(Number(match[2]));
    else out.push(match[3]);
  }
  if (out[0] === "extensions") out.shift();
  return out;
}

function resolveTarget(input: ScenarioInput, at: Locator, dir: string): ResolvedTarget {
  const t = input.target ?? {};
  const kind = t.kind ?? "reference";
  const patterns: PointPatterns = {
    ...DEFAULT_PATTERNS,
    ...t.patterns,
    registryUrlEnv: t.registryUrlEnv ?? DEFAULT_PATTERNS.registryUrlEnv,
  };
  const onlyFor = (field: keyof typeof t, kinds: string[]) => {
    if (t[field] !== undefined && !kinds.includes(kind)) {
      throw at.error(
        ["target", field],
        `only applies to target kind ${kinds.map((k) => `"${k}"`).join(" or ")}`,
        true,
      );
    }
  };
  onlyFor("mutant", ["reference"]);
  onlyFor("entry", ["deno"]);
  onlyFor("config", ["deno"]);
  onlyFor("denoFlags", ["deno"]);
  onlyFor("argv", ["command"]);
  if (kind === "deno" && t.entry === undefined) {
    throw at.error(["target"], 'target kind "deno" needs an entry module');
  }
  if (kind === "command" && t.argv === undefined) {
    throw at.error(["target"], 'target kind "command" needs argv');
  }
  const backend = t.backend ?? (kind === "command" ? "strace" : "preload");
  if (kind === "command" && backend === "preload") {
    throw at.error(
      ["target", "backend"],
      'the preload backend needs a Deno target; use "strace" for a command',
    );
  }
  return {
    kind,
    mutant: t.mutant,
    entry: t.entry === undefined ? undefined : resolvePath(dir, t.entry),
    config: t.config === undefined ? undefined : resolvePath(dir, t.config),
    denoFlags: t.denoFlags ?? [],
    argv: t.argv,
    env: t.env ?? {},
    backend,
    patterns,
  };
}

function resolveWorkload(input: ScenarioInput, at: Locator): Workload {
  const w = input.workload;
  if (w === undefined) {
    return { kind: "explicit", processes: [], startJitterMs: { min: 0, max: 0 } };
  }
  const jitter = w.startJitterMs ?? { min: 0, max: 0 };
  if (jitter.min > jitter.max) {
    throw at.error(["workload", "startJitterMs", "min"], "must not exceed max");
  }
  if (w.processes !== undefined) {
    if (w.count !== undefined || w.mix !== undefined) {
      throw at.error(
        ["workload", "processes"],
        "give either processes or count + mix, not both",
        true,
      );
    }
    return {
      kind: "explicit",
      processes: w.processes.map((
        { startMs, ...op },
      ) => ({ ...op, startMs: startMs ?? 0 } as PlannedOpSpec)),
      startJitterMs: jitter,
    };
  }
  if (w.count === undefined || w.mix === undefined) {
    throw at.error(["workload"], "needs processes, or count and mix");
  }
  return {
    kind: "mix",
    count: w.count,
    mix: w.mix.map((
      { weight, ...op },
    ) => ({ ...op, weight: weight ?? 1 } as OpSpec & { weight: number })),
    startJitterMs: jitter,
  };
}

/** Why the strace backend cannot express a fault (seeds do not matter to the mapping), or undefined. */
function straceProblem(
  fault: Omit<ScenarioFault, "processes" | "ops" | "iterations">,
): string | undefined {
  const action: ShimAction = fault.action.kind === "delay" && "delayMsMin" in fault.action
    ? { ...fault.action, seed: 0 }
    : fault.action;
  const hit: ShimHit = "probability" in fault.hit ? { ...fault.hit, seed: 0 } : fault.hit;
  try {
    straceMapping({ id: fault.id, at: fault.at, when: fault.when, action, hit });
    if (action.kind === "pause") {
      for (const e of action.untilEvents ?? []) {
        const problem = straceCannotAnnounce({ point: e.point, phase: e.phase, hit: e.hit });
        if (problem !== undefined) return `the strace backend cannot express it: ${problem}`;
      }
    }
    return undefined;
  } catch (error) {
    if (error instanceof UnsupportedRuleError) {
      return `the strace backend cannot express it: ${error.reason}`;
    }
    throw error;
  }
}

function resolveSweep(
  sweep: NonNullable<ScenarioInput["sweep"]>,
  at: Locator,
  backend: ResolvedTarget["backend"],
): SweepCase[] {
  if (backend === "none") {
    throw at.error(
      ["sweep"],
      'the "none" backend injects nothing; a sweep needs preload or strace',
    );
  }
  const points = sweep.points ?? [...POINTS];
  const phases = sweep.phases ?? ["before", "after"];
  const action = normalizeAction(sweep.action ?? "crash");
  const cases: SweepCase[] = [];
  for (const op of sweep.ops) {
    for (const point of points) {
      for (const when of phases) {
        if (actionProblem(point, when, action) !== undefined) continue;
        // A sweep covers what the backend can express; the rest is not a case.
        const hit = { nth: 1 };
        if (
          backend === "strace" &&
          straceProblem({ id: "sweep", at: point, when, action, hit }) !== undefined
        ) continue;
        cases.push({ op, at: point, when, action });
      }
    }
  }
  if (cases.length === 0) {
    throw at.error(
      ["sweep"],
      `the sweep has no case where its action applies (backend ${backend})`,
    );
  }
  return cases;
}

/** Reads and parses a scenario file. */
export async function loadScenario(file: string): Promise<Scenario> {
  const absPath = file.startsWith("/") ? file : `${Deno.cwd()}/${file}`;
  let text: string;
  try {
    text = await Deno.readTextFile(absPath);
  } catch (error) {
    throw new ScenarioError(file, 0, 0, "", `cannot read the file: ${(error as Error).message}`);
  }
  return parseScenario(text, file, absPath);
}

/** Process count of a scenario's workload (one for a sweep). */
export function processCount(scenario: Scenario): number {
  if (scenario.sweep !== undefined) return 1;
  return scenario.workload.kind === "explicit"
    ? scenario.workload.processes.length
    : scenario.workload.count;
}

/** The invariant ids a scenario expects to fail or may fail in a phase. */
export function expectationOf(
  phase: PhaseExpectation,
  id: InvariantId,
): "hold" | "may-fail" | "must-fail" {
  return phase.invariants?.[id] ?? "hold";
}
