/**
 * Resolving a scenario: the input the schema accepted in, a {@link Scenario}
 * with every default applied out, after the cross-field checks zod cannot
 * express (target fields that fit one kind, the fixture, workload XOR sweep,
 * process and iteration indices, each fault's action and what the backend
 * can express, recovery expectations, type conflicts, limits). Each problem
 * is thrown as the error of the field it concerns (`FieldErrors`, placed at
 * its line by the loader). Pure apart from path resolution. Tested through
 * `parseScenario()` (`load_test.ts`, `sim/testdata/bad-scenarios/`).
 *
 * @module
 */

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
import { type Phase, type Point, POINTS, PROCESS_POINTS } from "../../faults/vocabulary.ts";
import { STRACE_EVENT_POINTS } from "../../faults/strace/support.ts";
import { EXPLORE_DEFAULTS, EXPLORE_LIMITS, type ExploreConfig } from "./explore.ts";
import { type FixtureSpec, typeConflicts } from "./fixture.ts";
import { validateFixture } from "./fixture_validation.ts";
import { withSwampTarget } from "./swamp_target.ts";
import type { InvariantId } from "../shared/invariant_ids.ts";
import {
  type ExploreInput,
  type FaultInput,
  type OpSpec,
  type PhaseExpectation,
  type RecoveryStep,
  SCENARIO_LIMITS,
  type ScenarioInput,
  type WitnessInput,
} from "./schema.ts";

/** One step of a field path in the scenario file: a key or a list index. */
export type PathSegment = string | number;

/** Makes the error of a field, placed where the field is in the scenario file. */
export interface FieldErrors {
  /** The error for `path` (`key`: at the key rather than the value). */
  error(path: readonly PathSegment[], detail: string, key?: boolean): Error;
}

/** The target, with defaults resolved. */
export interface ResolvedTarget {
  kind: "reference" | "deno" | "command" | "swamp";
  /** Reference only: the selected mutant. */
  mutant?: string;
  /** swamp: the absolute checkout dir (entry, config and flags derive from it). */
  checkout?: string;
  /** deno, swamp: absolute entry module. */
  entry?: string;
  /** deno, swamp: absolute deno.json for the entry. */
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

/**
 * A declared witness (`witnesses[i]`): events of run process `process` at
 * `at`/`when` (only hit `hit`, only steps that threw or not when `threw` is
 * given) must number from `atLeast` to `atMost` in every iteration.
 */
export interface DeclaredWitness {
  /** `witnesses[i]`. */
  id: string;
  process: number;
  at: Point;
  when: Phase;
  threw?: boolean;
  hit?: number;
  atLeast: number;
  atMost?: number;
  /** What the events show, in words. */
  shows?: string;
}

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
  /** Schedule exploration (`explore:`), when the scenario explores. */
  explore?: ExploreConfig;
  faults: ScenarioFault[];
  recovery: RecoveryStep[];
  /** Declared witnesses; pauses derive more per plan (`check/witness.ts`). */
  witnesses: DeclaredWitness[];
  expect: {
    afterRun: PhaseExpectation;
    afterRecovery: PhaseExpectation;
    typeConflict: boolean;
  };
  limits: {
    /** The process time limit: the scenario's, or (until the run derives one) the default. */
    processTimeoutMs: number;
    runTimeoutMs: number;
    /**
     * Where `processTimeoutMs` comes from: the scenario, the fixed default, or
     * derived from the target's measured start-up (`limits.ts`, set by the run).
     */
    processTimeoutFrom: "scenario" | "default" | "derived";
  };
}

/** Defaults applied where a scenario is silent. */
export const SCENARIO_DEFAULTS = {
  processTimeoutMs: 60_000,
  runTimeoutMs: 30 * 60 * 1000,
  iterations: 1,
} as const;

/** Resolves schema-valid `input` (read from `absPath`, named `file` in errors). */
export function resolveScenario(
  input: ScenarioInput,
  at: FieldErrors,
  file: string,
  absPath: string,
): Scenario {
  const target = resolveTarget(input, at, dirOf(absPath));
  const spec = resolveFixture(input, at);
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
  const iterations = resolveIterations(input, at, sweep);
  const faults = (input.faults ?? []).map((f, i) =>
    resolveFault(f, i, at, { processCount, iterations, backend: target.backend })
  );

  const witnesses = (input.witnesses ?? []).map((w, i) =>
    resolveWitness(w, i, at, { processCount, backend: target.backend })
  );

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
  const limits = resolveLimits(input, at);
  const stem = absPath.slice(absPath.lastIndexOf("/") + 1).replace(/\.ya?ml$/, "");
  if (input.name !== stem) {
    throw at.error(
      ["name"],
      `must equal the file name "${stem}" (report dirs and replay lines are named after it), ` +
        `got "${input.name}"`,
    );
  }

  const explore = input.explore === undefined ? undefined : resolveExplore(input.explore);
  if (explore !== undefined) {
    const problem = exploreProblem({ workload, sweep, faults, target });
    if (problem !== undefined) throw at.error(problem.path, problem.message, true);
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
    ...(explore === undefined ? {} : { explore }),
    faults,
    recovery,
    witnesses,
    expect: {
      afterRun: expect.afterRun ?? {},
      afterRecovery: expect.afterRecovery ?? {},
      typeConflict: expect.typeConflict ?? conflicts.length > 0,
    },
    limits,
  };
}

/** The registry's fixture, checked (`validateFixture()`), with every installed ref in it. */
function resolveFixture(input: ScenarioInput, at: FieldErrors): FixtureSpec {
  const spec: FixtureSpec = { extensions: input.fixture.registry };
  const fixtureProblems = validateFixture(spec);
  if (fixtureProblems.length > 0) {
    const problem = fixtureProblems[0];
    throw at.error(["fixture", "registry", ...pathSegments(problem.path)], problem.message);
  }
  (input.fixture.installed ?? []).forEach((ref, i) => {
    const split = ref.indexOf("@", 1);
    const name = split === -1 ? ref : ref.slice(0, split);
    const version = split === -1 ? undefined : ref.slice(split + 1);
    const extension = spec.extensions.find((e) => e.name === name);
    if (extension === undefined) {
      throw at.error(["fixture", "installed", i], `"${name}" is not in fixture.registry`);
    }
    if (version !== undefined && !extension.versions.some((v) => v.version === version)) {
      throw at.error(
        ["fixture", "installed", i],
        `version ${version} of "${name}" is not in fixture.registry (it serves ${
          extension.versions.map((v) => v.version).join(", ") || "no version"
        })`,
      );
    }
  });
  return spec;
}

/** The iteration count: the scenario's (default 1), or a sweep's case count. */
function resolveIterations(
  input: ScenarioInput,
  at: FieldErrors,
  sweep: SweepCase[] | undefined,
): number {
  if (sweep === undefined) return input.iterations ?? SCENARIO_DEFAULTS.iterations;
  if (input.iterations !== undefined && input.iterations !== sweep.length) {
    throw at.error(
      ["iterations"],
      `a sweep runs one iteration per case (${sweep.length}); omit iterations or set it to ${sweep.length}`,
    );
  }
  if (sweep.length > SCENARIO_LIMITS.iterationsMax) {
    throw at.error(
      ["sweep"],
      `the sweep has ${sweep.length} cases, more than ${SCENARIO_LIMITS.iterationsMax}`,
    );
  }
  return sweep.length;
}

/** What a fault's indices and backend are checked against. */
interface FaultBounds {
  processCount: number;
  iterations: number;
  backend: ResolvedTarget["backend"];
}

/**
 * Fault `i` with its action and hit normalised: the action must apply at its
 * point and phase, every process and iteration it names must exist, and the
 * backend must be able to express it.
 */
function resolveFault(
  f: FaultInput,
  i: number,
  at: FieldErrors,
  bounds: FaultBounds,
): ScenarioFault {
  const { processCount, iterations, backend } = bounds;
  const action = normalizeAction(f.action);
  const when = f.when ?? "before";
  const problem = actionProblem(f.at, when, action);
  if (problem !== undefined) throw at.error(["faults", i, "action"], problem);
  const checkProcess = (p: number, path: readonly PathSegment[]) => {
    if (p >= processCount) {
      throw at.error(path, `process ${p} does not exist (the workload has ${processCount})`);
    }
  };
  f.processes?.forEach((p, j) => checkProcess(p, ["faults", i, "processes", j]));
  if (action.kind === "pause") {
    action.untilExitOf.forEach((p, j) =>
      checkProcess(p, ["faults", i, "action", "untilExitOf", j])
    );
    action.untilEvents?.forEach((e, j) =>
      checkProcess(e.process, ["faults", i, "action", "untilEvents", j, "process"])
    );
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
  if (backend === "none") {
    throw at.error(["faults", i], 'the "none" backend injects nothing; choose preload or strace');
  }
  const backendProblem = backend === "strace" ? straceProblem(fault) : undefined;
  if (backendProblem !== undefined) throw at.error(["faults", i], backendProblem);
  return fault;
}

/** The `explore:` block with its defaults. */
export function resolveExplore(input: ExploreInput): ExploreConfig {
  return {
    depth: input.depth ?? EXPLORE_DEFAULTS.depth,
    crash: input.crash ?? EXPLORE_DEFAULTS.crash,
    pauseTimeoutMs: input.pauseTimeoutMs ?? EXPLORE_DEFAULTS.pauseTimeoutMs,
    ...(input.coverageTarget === undefined ? {} : { coverageTarget: input.coverageTarget }),
  };
}

/**
 * Witness `i`, checked: its process exists, its phase exists at its point,
 * `threw` only after the step, a range that can fail, and a point whose
 * events the backend logs.
 */
function resolveWitness(
  w: WitnessInput,
  i: number,
  at: FieldErrors,
  bounds: { processCount: number; backend: ResolvedTarget["backend"] },
): DeclaredWitness {
  const path = ["witnesses", i];
  const when = w.when ?? "before";
  if (w.process >= bounds.processCount) {
    throw at.error(
      [...path, "process"],
      `process ${w.process} does not exist (the workload has ${bounds.processCount})`,
    );
  }
  if (PROCESS_POINTS.includes(w.at) && when !== "before") {
    throw at.error([...path, "when"], `"${w.at}" has only the before phase`);
  }
  if (w.threw !== undefined && when !== "after") {
    throw at.error([...path, "threw"], "only an after event says whether the step threw", true);
  }
  const atLeast = w.atLeast ?? 1;
  if (w.atMost !== undefined && w.atMost < atLeast) {
    throw at.error([...path, "atMost"], `must not be below atLeast (${atLeast})`);
  }
  if (atLeast === 0 && w.atMost === undefined) {
    throw at.error([...path, "atLeast"], "atLeast 0 without atMost holds in every run");
  }
  if (bounds.backend === "none") {
    throw at.error(path, 'the "none" backend logs no events, so no witness can show');
  }
  if (bounds.backend === "strace" && !STRACE_EVENT_POINTS.includes(w.at)) {
    throw at.error(
      [...path, "at"],
      `the strace backend logs every hit only at ${
        STRACE_EVENT_POINTS.join(", ")
      }, so a witness at "${w.at}" cannot show`,
    );
  }
  return {
    id: `witnesses[${i}]`,
    process: w.process,
    at: w.at,
    when,
    ...(w.threw === undefined ? {} : { threw: w.threw }),
    ...(w.hit === undefined ? {} : { hit: w.hit }),
    atLeast,
    ...(w.atMost === undefined ? {} : { atMost: w.atMost }),
    ...(w.shows === undefined ? {} : { shows: w.shows }),
  };
}

/**
 * Why a scenario cannot explore schedules, with the field it concerns, or
 * undefined: exploring needs an explicit workload of 2 to 5 processes, no
 * faults of its own (the schedule's pauses and crash are drawn) and the
 * preload backend (pauses inside a process).
 */
export function exploreProblem(
  scenario: Pick<Scenario, "workload" | "sweep" | "faults" | "target">,
): { path: PathSegment[]; message: string } | undefined {
  const { processesMin, processesMax } = EXPLORE_LIMITS;
  if (scenario.sweep !== undefined) {
    return { path: ["explore"], message: "a sweep cannot explore schedules; give a workload" };
  }
  if (scenario.workload.kind !== "explicit") {
    return {
      path: ["explore"],
      message: "exploring needs an explicit workload (processes), not count + mix",
    };
  }
  const n = scenario.workload.processes.length;
  if (n < processesMin || n > processesMax) {
    return {
      path: ["explore"],
      message:
        `exploring needs ${processesMin} to ${processesMax} processes, the workload has ${n}`,
    };
  }
  if (scenario.faults.length > 0) {
    return {
      path: ["faults"],
      message: "an exploring scenario has no faults of its own: its pauses and crash are drawn",
    };
  }
  if (scenario.target.backend !== "preload") {
    return {
      path: ["explore"],
      message: `exploring parks processes inside their steps, which needs the preload backend ` +
        `(backend is "${scenario.target.backend}")`,
    };
  }
  return undefined;
}

/**
 * The time limits, defaulted; a process may not outlive the run. A default
 * process limit is replaced by one derived from the target's measured
 * start-up when the run starts (`limits.ts`).
 */
function resolveLimits(input: ScenarioInput, at: FieldErrors): Scenario["limits"] {
  const runTimeoutMs = input.limits?.runTimeoutMs ?? SCENARIO_DEFAULTS.runTimeoutMs;
  const limits: Scenario["limits"] = {
    processTimeoutMs: input.limits?.processTimeoutMs ??
      Math.min(SCENARIO_DEFAULTS.processTimeoutMs, runTimeoutMs),
    runTimeoutMs,
    processTimeoutFrom: input.limits?.processTimeoutMs === undefined ? "default" : "scenario",
  };
  if (limits.processTimeoutMs > limits.runTimeoutMs) {
    throw at.error(["limits", "processTimeoutMs"], "must not exceed limits.runTimeoutMs");
  }
  return limits;
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

function resolveTarget(input: ScenarioInput, at: FieldErrors, dir: string): ResolvedTarget {
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
  onlyFor("denoFlags", ["deno", "swamp"]);
  onlyFor("argv", ["command"]);
  onlyFor("checkout", ["swamp"]);
  if (kind === "deno" && t.entry === undefined) {
    throw at.error(["target"], 'target kind "deno" needs an entry module');
  }
  if (kind === "swamp" && t.checkout === undefined) {
    throw at.error(["target"], 'target kind "swamp" needs a checkout dir');
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
  if (kind === "swamp") {
    const swamp = withSwampTarget(
      { kind, env: t.env ?? {}, backend, patterns, denoFlags: [] },
      resolvePath(dir, t.checkout!),
    );
    return { ...swamp, denoFlags: [...swamp.denoFlags, ...(t.denoFlags ?? [])] };
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

function resolveWorkload(input: ScenarioInput, at: FieldErrors): Workload {
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
  at: FieldErrors,
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

function normalizeAction(action: NonNullable<FaultInput["action"]>): Action {
  if (action === "crash") return { kind: "crash" };
  if (action.kind === "pause") {
    return {
      kind: "pause",
      timeoutMs: action.timeoutMs,
      untilExitOf: action.untilExitOf ?? [],
      ...(action.release === undefined ? {} : { release: action.release }),
      ...(action.untilEvents === undefined ? {} : {
        untilEvents: action.untilEvents.map((e) => ({
          process: e.process,
          point: e.at,
          phase: e.when ?? "before",
          hit: e.hit ?? 1,
        })),
      }),
      ...(action.release === "any" ? { release: "any" as const } : {}),
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
