/**
 * Shrinking: a failing iteration is reduced to a smaller scenario that still
 * fails the same way, and written out as a scenario file anyone can run.
 *
 * 1. **Freeze.** The iteration's plan becomes an explicit scenario: one
 *    process per planned process (op and start offset), one fault per rule
 *    per process (`processes: [i]`). What the seed decided in the run is
 *    written down as fact: a probabilistic hit becomes the hits that fired
 *    (`nth`), a delay range the delays that were applied. The frozen
 *    scenario draws nothing from its seed, so it runs the same plan as the
 *    failing iteration.
 * 2. **Reduce.** Greedily, the first candidate that still fails is kept and
 *    the search restarts from it: drop a process (indices of the rest, and
 *    the pauses and witnesses that name them, are renumbered; its own
 *    witnesses go with it), drop a fault, drop a
 *    recovery step, drop a fixture install, start a process at 0, halve a
 *    delay. It ends when no candidate fails or the run budget is spent.
 *
 * "Fails the same way" is {@link sameFailure}: the same failure class, the
 * same set of failed (invariant, phase) judgements, the same layer states of
 * the extensions they name, the same outcome for every process kept, and
 * the same witnesses not shown (a candidate whose race stops happening is
 * not the same failure). Declared witnesses go with their process; a pause
 * the original plan derived no witness from is frozen with
 * `release: timeout`, so the frozen scenario derives exactly the
 * original's witnesses.
 * Everything here is pure; running a candidate is the caller's
 * (`shrink_run.ts`).
 *
 * @module
 */

import type { FaultEvent } from "../../faults/event.ts";
import type { ShimRule } from "../../faults/rule.ts";
import type { History } from "../record/history.ts";
import type { Plan } from "../scenario/plan.ts";
import { resolvePath } from "../scenario/resolve.ts";
import type { FaultInput, RecoveryStep, ScenarioInput } from "../scenario/schema.ts";

/** A fault as the frozen scenario writes it (the schema's input shape). */
type FrozenFault = FaultInput & { processes: number[] };

/**
 * What identifies a failure across runs: its class, its failed judgements,
 * the layer states of the extensions those judgements name, and the outcome
 * class of every process. A reduction that removes the cause (the crashed
 * rm, the install it removes) changes a state or an outcome even when the
 * same invariant still fails.
 */
export interface FailureSignature {
  class: string;
  /** `invariant@phase` of each failed judgement, sorted. */
  failed: string[];
  /** `extension@phase` -> `files=.. lockfile=.. catalog=..`, for the extensions the failed verdicts name. */
  states: Record<string, string>;
  /** Outcome class per run process, by index. */
  outcomes: string[];
  /**
   * The witnesses that did not show, by process and what they count
   * (`WitnessKey`), so a candidate that loses its race (or gains one) is
   * not the same failure.
   */
  unshown: WitnessKey[];
}

/** A witness named independently of fault ids and process numbering. */
export interface WitnessKey {
  process: number;
  /** What it counts, e.g. `pause before lock.acquire #10` or `after lock.acquire threw=true 9..9`. */
  what: string;
}

/**
 * Whether `candidate` fails the way `original` did: same class, same failed
 * judgements, same states of the named extensions, and every process kept
 * ended as it did (`origins[i]` is the original index of the candidate's
 * process i).
 */
export function sameFailure(
  original: FailureSignature,
  candidate: FailureSignature,
  origins: readonly number[],
): boolean {
  return failureDifference(original, candidate, origins) === undefined;
}

/**
 * How `candidate`'s failure differs from `original`'s, in words, or
 * undefined when it fails the same way (see {@link sameFailure}).
 */
export function failureDifference(
  original: FailureSignature,
  candidate: FailureSignature,
  origins: readonly number[],
): string | undefined {
  if (candidate.class !== original.class) {
    return `class ${candidate.class} instead of ${original.class}`;
  }
  const failed = candidate.failed.join(", ");
  if (failed !== original.failed.join(", ")) {
    return `failed judgements ${failed || "none"} instead of ${original.failed.join(", ")}`;
  }
  for (const [key, state] of Object.entries(original.states)) {
    if (candidate.states[key] !== state) {
      return `${key} ended ${candidate.states[key] ?? "unknown"} instead of ${state}`;
    }
  }
  if (candidate.outcomes.length !== origins.length) {
    return `${candidate.outcomes.length} process(es) ended instead of ${origins.length}`;
  }
  const key = (w: WitnessKey) => `p${w.process} ${w.what}`;
  const unshown = candidate.unshown.map((w) => key({ ...w, process: origins[w.process] })).sort();
  const originalUnshown = original.unshown.map(key).sort();
  if (unshown.join("; ") !== originalUnshown.join("; ")) {
    return `witnesses not shown: ${unshown.join("; ") || "none"} instead of ${
      originalUnshown.join("; ") || "none"
    }`;
  }
  const changed = candidate.outcomes.findIndex((o, i) => o !== original.outcomes[origins[i]]);
  return changed === -1
    ? undefined
    : `p${changed} ended ${candidate.outcomes[changed]} instead of ${
      original.outcomes[origins[changed]]
    }`;
}

function eventsOf(history: History, process: number): FaultEvent[] {
  return history.ops.find((op) => op.phase === "run" && op.process === process)?.events ?? [];
}

function rawAction(rule: ShimRule, releaseByTimeout = false): FaultInput["action"] {
  const action = rule.action;
  switch (action.kind) {
    case "delay":
      return "delayMs" in action
        ? { kind: "delay", delayMs: action.delayMs }
        : { kind: "delay", delayMsMin: action.delayMsMin, delayMsMax: action.delayMsMax };
    case "crash":
      return "crash";
    case "error":
      return { kind: "error", error: action.error };
    case "contend":
      return { kind: "contend", attempts: action.attempts };
    case "pause":
      return {
        kind: "pause",
        timeoutMs: action.timeoutMs,
        ...(action.untilExitOf.length === 0 ? {} : { untilExitOf: [...action.untilExitOf] }),
        ...(action.untilEvents === undefined || action.untilEvents.length === 0 ? {} : {
          untilEvents: action.untilEvents.map((e) => ({
            process: e.process,
            at: e.point,
            when: e.phase,
            hit: e.hit,
          })),
        }),
        ...(action.release === "timeout" || releaseByTimeout
          ? { release: "timeout" as const }
          : action.release === "any"
          ? { release: "any" as const }
          : {}),
      };
  }
}

function rawHit(rule: ShimRule): FaultInput["hit"] {
  return "nth" in rule.hit ? { nth: rule.hit.nth } : { every: true };
}

/**
 * The faults that stand for one rule of one process, with what the seed
 * decided made explicit. `underived`: the rule is a pause the original plan
 * derived no witness from (it is frozen with `release: timeout`, so the
 * frozen scenario derives none either).
 */
function freezeRule(
  rule: ShimRule,
  process: number,
  events: readonly FaultEvent[],
  underived: boolean,
): FrozenFault[] {
  const seeded = "probability" in rule.hit ||
    (rule.action.kind === "delay" && !("delayMs" in rule.action));
  if (!seeded) {
    return [{
      at: rule.at,
      when: rule.when,
      action: rawAction(rule, underived),
      hit: rawHit(rule),
      processes: [process],
    }];
  }
  const fired = events.filter((e) =>
    e.rule === rule.id && e.action !== "none" && e.point === rule.at && e.phase === rule.when
  );
  // Each fired hit becomes its own rule, so a contend holds that one attempt:
  // `attempts: k` at `nth: h` would hold h..h+k-1, more than the run did.
  const action = rule.action;
  return fired.map((e) => ({
    at: rule.at,
    when: rule.when,
    action: action.kind === "delay"
      ? { kind: "delay", delayMs: e.delayMs ?? 0 }
      : action.kind === "contend"
      ? { kind: "contend", attempts: 1 }
      : rawAction(rule, underived),
    hit: { nth: e.hit },
    processes: [process],
  }));
}

/** Options of {@link freezeScenario}. */
export interface FreezeOptions {
  /** Absolute dir of the original scenario file: relative target paths are resolved against it. */
  scenarioDir: string;
  /** The mutant the run used, written into the target so the file replays alone. */
  mutant?: string;
  /** The swamp checkout that replaced the scenario's target (`--swamp`), written the same way. */
  swamp?: string;
  /** A sentence on where the scenario comes from, for `proves`. */
  origin: string;
  /** `<process> <rule id>` of each pause the original plan derived a witness from. */
  derivedPauses: ReadonlySet<string>;
}

/**
 * The failing iteration as an explicit scenario: same fixture, recovery,
 * expectations and limits; the plan's processes and rules written out.
 */
export function freezeScenario(
  input: ScenarioInput,
  plan: Plan,
  history: History,
  options: FreezeOptions,
): ScenarioInput {
  const processes = plan.processes.map((p) => ({
    ...p.op,
    ...(p.startOffsetMs > 0 ? { startMs: p.startOffsetMs } : {}),
  }));
  const faults = plan.processes.flatMap((p) =>
    p.rules.flatMap((rule) =>
      freezeRule(
        rule,
        p.index,
        eventsOf(history, p.index),
        rule.action.kind === "pause" && !options.derivedPauses.has(`${p.index} ${rule.id}`),
      )
    )
  );
  let target = { ...(input.target ?? {}) };
  if (target.entry !== undefined) target.entry = resolvePath(options.scenarioDir, target.entry);
  if (target.config !== undefined) target.config = resolvePath(options.scenarioDir, target.config);
  if (target.checkout !== undefined) {
    target.checkout = resolvePath(options.scenarioDir, target.checkout);
  }
  if (options.mutant !== undefined) target.mutant = options.mutant;
  if (options.swamp !== undefined) {
    const { mutant: _m, entry: _e, config: _c, denoFlags: _f, argv: _a, ...kept } = target;
    target = { ...kept, kind: "swamp", checkout: options.swamp };
  }
  return canonicalOrder({
    name: `${input.name}-shrunk`,
    proves: options.origin,
    exploratory: true,
    seed: input.seed,
    ...(Object.keys(target).length === 0 ? {} : { target }),
    fixture: input.fixture,
    workload: { processes: processes as NonNullable<ScenarioInput["workload"]>["processes"] },
    faults,
    ...(input.recovery === undefined ? {} : { recovery: input.recovery }),
    ...(input.witnesses === undefined ? {} : { witnesses: input.witnesses }),
    ...(input.expect === undefined ? {} : { expect: input.expect }),
    ...(input.limits === undefined ? {} : { limits: input.limits }),
  });
}

/** The keys of a scenario in the order a person writes them. */
const KEY_ORDER: readonly (keyof ScenarioInput)[] = [
  "$schema",
  "name",
  "proves",
  "exploratory",
  "seed",
  "iterations",
  "target",
  "fixture",
  "workload",
  "sweep",
  "faults",
  "recovery",
  "witnesses",
  "expect",
  "limits",
];

/** `input` with its keys in {@link KEY_ORDER} (for a readable file). */
export function canonicalOrder(input: ScenarioInput): ScenarioInput {
  const ordered: Record<string, unknown> = {};
  for (const key of KEY_ORDER) {
    if (input[key] !== undefined) ordered[key] = input[key];
  }
  return ordered as ScenarioInput;
}

/** The fault list of a frozen scenario, or an empty list. */
function faultsOf(input: ScenarioInput): FaultInput[] {
  return input.faults ?? [];
}

function processesOf(
  input: ScenarioInput,
): NonNullable<NonNullable<ScenarioInput["workload"]>["processes"]> {
  const processes = input.workload?.processes;
  if (processes === undefined) {
    throw new Error("shrinkCandidates() needs a frozen scenario (explicit workload processes)");
  }
  return processes;
}

/**
 * `fault` with process `removed` gone and the later indices moved down by
 * one, or undefined when nothing of it is left (it only targeted that
 * process, or it is a pause left with nothing to wait for).
 */
function withoutProcess(fault: FaultInput, removed: number): FaultInput | undefined {
  const renumber = (i: number) => i > removed ? i - 1 : i;
  let processes = fault.processes;
  if (processes !== undefined) {
    processes = processes.filter((i) => i !== removed).map(renumber);
    if (processes.length === 0) return undefined;
  }
  let action = fault.action;
  if (typeof action === "object" && action.kind === "pause") {
    const waitsBefore = (action.untilExitOf ?? []).length + (action.untilEvents ?? []).length;
    const untilExitOf = (action.untilExitOf ?? []).filter((i) => i !== removed).map(renumber);
    const untilEvents = (action.untilEvents ?? []).filter((e) => e.process !== removed)
      .map((e) => ({ ...e, process: renumber(e.process) }));
    // Only a pause that waited on nothing but the removed process goes; one that
    // waits on nothing at all (its timeout is the point) stays.
    if (waitsBefore > 0 && untilExitOf.length === 0 && untilEvents.length === 0) return undefined;
    action = {
      kind: "pause",
      timeoutMs: action.timeoutMs,
      ...(untilExitOf.length === 0 ? {} : { untilExitOf }),
      ...(untilEvents.length === 0 ? {} : { untilEvents }),
      ...(action.release === undefined ? {} : { release: action.release }),
    };
  }
  return { ...fault, ...(processes === undefined ? {} : { processes }), action };
}

function halvedDelay(fault: FaultInput): FaultInput | undefined {
  const action = fault.action;
  if (typeof action !== "object" || action.kind !== "delay" || !("delayMs" in action)) {
    return undefined;
  }
  if (action.delayMs < 2) return undefined;
  return { ...fault, action: { kind: "delay", delayMs: Math.floor(action.delayMs / 2) } };
}

/** One reduction of a scenario, with a label for the log. */
export interface Candidate {
  label: string;
  input: ScenarioInput;
  /** For each of its processes, the index it had in the frozen scenario. */
  origins: number[];
}

/**
 * The one-step reductions of a frozen scenario, most reducing first. Every
 * candidate is strictly smaller (fewer processes, faults, steps or installs,
 * or smaller numbers), so a greedy search terminates.
 */
export function shrinkCandidates(input: ScenarioInput, origins: readonly number[]): Candidate[] {
  const processes = processesOf(input);
  if (origins.length !== processes.length) {
    throw new Error(
      `shrinkCandidates() needs one origin per process: ${origins.length} for ${processes.length}`,
    );
  }
  const faults = faultsOf(input);
  const candidates: Candidate[] = [];
  const push = (label: string, next: ScenarioInput) =>
    candidates.push({ label, input: next, origins: [...origins] });
  if (processes.length > 1) {
    for (let i = processes.length - 1; i >= 0; i--) {
      const witnesses = (input.witnesses ?? []).filter((w) => w.process !== i)
        .map((w) => w.process > i ? { ...w, process: w.process - 1 } : w);
      candidates.push({
        label: `drop process ${i} (${processes[i].op})`,
        input: {
          ...input,
          workload: { ...input.workload, processes: processes.filter((_, j) => j !== i) },
          faults: faults.flatMap((f) => withoutProcess(f, i) ?? []),
          ...(input.witnesses === undefined ? {} : { witnesses }),
        },
        origins: origins.filter((_, j) => j !== i),
      });
    }
  }
  for (let i = faults.length - 1; i >= 0; i--) {
    push(`drop fault ${i} (${describeFault(faults[i])})`, {
      ...input,
      faults: faults.filter((_, j) => j !== i),
    });
  }
  const recovery: RecoveryStep[] = input.recovery ?? [];
  if (recovery.length > 0) {
    // Checks after recovery need recovery steps: both go together.
    const { afterRecovery: _afterRecovery, ...expect } = input.expect ?? {};
    const { recovery: _recovery, ...rest } = input;
    push("drop the recovery and its expectations", { ...rest, expect });
  }
  for (let i = recovery.length - 1; recovery.length > 1 && i >= 0; i--) {
    push(`drop recovery step ${i}`, { ...input, recovery: recovery.filter((_, j) => j !== i) });
  }
  const registry = input.fixture.registry;
  for (let i = registry.length - 1; i >= 0; i--) {
    push(`drop registry extension ${registry[i].name}`, {
      ...input,
      fixture: { ...input.fixture, registry: registry.filter((_, j) => j !== i) },
    });
  }
  const installed = input.fixture.installed ?? [];
  for (let i = installed.length - 1; i >= 0; i--) {
    push(`drop fixture install ${installed[i]}`, {
      ...input,
      fixture: { ...input.fixture, installed: installed.filter((_, j) => j !== i) },
    });
  }
  processes.forEach((p, i) => {
    if ((p.startMs ?? 0) === 0) return;
    const { startMs: _startMs, ...op } = p;
    push(`start process ${i} at 0`, {
      ...input,
      workload: { ...input.workload, processes: processes.map((q, j) => j === i ? op : q) },
    });
  });
  faults.forEach((f, i) => {
    const halved = halvedDelay(f);
    if (halved === undefined) return;
    push(`halve the delay of fault ${i}`, {
      ...input,
      faults: faults.map((g, j) => j === i ? halved : g),
    });
  });
  return candidates;
}

function describeFault(fault: FaultInput): string {
  const action = typeof fault.action === "string" ? fault.action : fault.action.kind;
  return `${action} ${fault.when ?? "before"} ${fault.at}`;
}

/** The size of a frozen scenario, for reports. */
export function sizeOf(input: ScenarioInput): { processes: number; faults: number } {
  return { processes: processesOf(input).length, faults: faultsOf(input).length };
}

/**
 * What running a candidate showed: `same-failure` (kept), `passes`,
 * `fails-otherwise` (a failure that differs: see {@link failureDifference}),
 * `invalid` (not a valid scenario), `harness-error` (its set-up failed), or
 * `out-of-time` (the run's time limit was reached: the search stops with
 * what it has).
 */
export type CandidateVerdict =
  | "same-failure"
  | "passes"
  | "fails-otherwise"
  | "invalid"
  | "harness-error"
  | "out-of-time";

/** A candidate's verdict, with how it failed otherwise when it did. */
export interface CandidateJudgement {
  verdict: CandidateVerdict;
  /** For `fails-otherwise`: the difference from the original failure. */
  detail?: string;
}

/** Default and maximum run budget of a shrink (`--shrink-runs`). */
export const SHRINK_RUNS = { default: 100, max: 10_000 } as const;

/** What {@link shrinkLoop} needs from the outside world. */
export interface ShrinkDriver {
  /** Runs a candidate once. */
  tryCandidate(candidate: Candidate): Promise<CandidateJudgement>;
  /** Called for every tried candidate (for progress lines). */
  onTried?(candidate: Candidate, judgement: CandidateJudgement, runs: number): void;
}

/** What a shrink ended with. */
export interface ShrinkResult {
  input: ScenarioInput;
  /** Candidates run (not counting the frozen scenario's own check). */
  runs: number;
  /** Labels of the reductions kept, in order. */
  steps: string[];
  /** What ended the search early, if anything: the run budget or the run's time limit. */
  stoppedBy?: "run-budget" | "time-limit";
}

/**
 * Greedy reduction: from `start`, repeatedly keep the first candidate that
 * still fails, until none does or `runBudget` candidates have run.
 */
export async function shrinkLoop(
  start: ScenarioInput,
  driver: ShrinkDriver,
  runBudget: number,
): Promise<ShrinkResult> {
  if (!(Number.isInteger(runBudget) && runBudget >= 0)) {
    throw new RangeError(`shrinkLoop() needs a non-negative integer runBudget, got ${runBudget}`);
  }
  let current = start;
  let origins = processesOf(start).map((_, i) => i);
  let runs = 0;
  const steps: string[] = [];
  for (;;) {
    let progressed = false;
    for (const candidate of shrinkCandidates(current, origins)) {
      if (runs >= runBudget) return { input: current, runs, steps, stoppedBy: "run-budget" };
      runs++;
      const judgement = await driver.tryCandidate(candidate);
      driver.onTried?.(candidate, judgement, runs);
      const { verdict } = judgement;
      if (verdict === "out-of-time") {
        return { input: current, runs, steps, stoppedBy: "time-limit" };
      }
      if (verdict === "same-failure") {
        current = candidate.input;
        origins = candidate.origins;
        steps.push(candidate.label);
        progressed = true;
        break;
      }
    }
    if (!progressed) return { input: current, runs, steps };
  }
}
