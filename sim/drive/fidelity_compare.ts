/**
 * Comparing one scenario's run on the reference with its run on a swamp
 * checkout (`deno task fidelity`): each run summarised to what is compared
 * (exit code, each iteration's pass and failure class, its judgements and
 * its layer states, its ops' outcomes and times), then the two side by
 * side. A scenario is the same on both when the exit codes and the passing
 * iterations are; for a difference, the judgements and layer states that
 * differ are listed per iteration. Pure.
 *
 * @module
 */

import type { IterationResult } from "../check/iteration.ts";
import { formatLayerState } from "../record/layers.ts";
import { iterationNotes } from "../report/report.ts";
import { EXIT } from "../shared/exit_codes.ts";

/** One iteration of one run, as compared. */
export interface IterationSummary {
  iteration: number;
  passed: boolean;
  /** The failure class (`invariant`, `target`, ...), when it failed. */
  failure?: string;
  /** `<invariant> (<phase>)` -> `<status>` and whether it met its expectation. */
  judgements: Record<string, { status: string; pass: boolean }>;
  /** `<phase> <extension>` -> `files=... lockfile=... catalog=...`. */
  layerStates: Record<string, string>;
  /** Notes on the plan (a pause released by its timeout, ...). */
  notes: string[];
}

/** The run-phase ops of a run, counted. */
export interface OpFigures {
  count: number;
  /** Outcome class -> number of ops. */
  outcomes: Record<string, number>;
  /** Median and longest op, invoke to complete, ms. */
  medianMs: number;
  maxMs: number;
}

/** One scenario's run on one target, as compared. */
export interface TargetRun {
  exitCode: number;
  /** `pass 3/3`, `FAIL 1/3 (invariant)`, `refused: ...`. */
  verdict: string;
  passed: number;
  iterations: IterationSummary[];
  ops: OpFigures;
  durationMs: number;
  /** A harness error or a refusal, one line. */
  error?: string;
  /** The replay command of the first failing iteration. */
  replay?: string;
}

/** What the simulator returned for one run (a subset of `SimulateResult`). */
export interface RunOutput {
  exitCode: number;
  json: Record<string, unknown>;
  results: readonly IterationResult[];
}

/** One judgement or layer state that differs, with its value on each target. */
export interface Differing {
  /** `<invariant> (<phase>)` or `<phase> <extension>`. */
  what: string;
  reference: string;
  swamp: string;
}

/** What differs in one iteration. */
export interface IterationDifference {
  iteration: number;
  judgements: Differing[];
  layerStates: Differing[];
}

/** One scenario on both targets. */
export interface FidelityRow {
  scenario: string;
  /** Whether the scenario pins its interleavings (`deterministic`). */
  pinned: boolean;
  reference: TargetRun;
  swamp: TargetRun;
  /** Same exit code and the same iterations passing. */
  same: boolean;
  /** Per iteration run on both targets, what differs (also listed when the verdicts agree). */
  differences: IterationDifference[];
  /** The documented swamp findings that cite the scenario, when it is not the same. */
  findings: string[];
}

function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** One iteration as compared. */
export function summariseIteration(result: IterationResult): IterationSummary {
  const judgements: IterationSummary["judgements"] = {};
  for (const j of result.judgements) {
    judgements[`${j.verdict.invariant} (${j.verdict.phase})`] = {
      status: j.verdict.status,
      pass: j.pass,
    };
  }
  const layerStates: Record<string, string> = {};
  for (const phase of ["run", "recovery"] as const) {
    for (const [name, state] of Object.entries(result.layerStates[phase] ?? {})) {
      layerStates[`${phase} ${name}`] = formatLayerState(state);
    }
  }
  return {
    iteration: result.iteration,
    passed: result.passed,
    ...(result.failure === undefined ? {} : { failure: result.failure.class }),
    judgements,
    layerStates,
    notes: iterationNotes(result),
  };
}

/** The verdict of a run in a few words. */
export function verdictText(
  run: Pick<TargetRun, "exitCode" | "passed" | "iterations" | "error">,
): string {
  const total = run.iterations.length;
  if (run.exitCode === EXIT.pass) return `pass ${run.passed}/${total}`;
  if (run.exitCode === EXIT.badInput) return "refused";
  const classes = [...new Set(run.iterations.flatMap((i) => i.failure ?? []))];
  const why = run.error !== undefined && classes.length === 0
    ? "harness"
    : classes.join(", ") || `exit ${run.exitCode}`;
  return `FAIL ${run.passed}/${total} (${why})`;
}

/** One run of one scenario as compared. */
export function summariseRun(output: RunOutput, durationMs: number): TargetRun {
  const iterations = output.results.map(summariseIteration);
  const ops = output.results.flatMap((r) => r.history.ops.filter((o) => o.phase === "run"));
  const outcomes: Record<string, number> = {};
  for (const op of ops) outcomes[op.outcome.class] = (outcomes[op.outcome.class] ?? 0) + 1;
  const times = ops.map((o) => Math.max(0, o.completeMs - o.invokeMs));
  const error = [output.json.harnessError, output.json.error].find((e) => typeof e === "string");
  const passed = iterations.filter((i) => i.passed).length;
  const partial = { exitCode: output.exitCode, passed, iterations, error: error as string };
  return {
    exitCode: output.exitCode,
    verdict: verdictText(partial),
    passed,
    iterations,
    ops: {
      count: ops.length,
      outcomes,
      medianMs: Math.round(median(times)),
      maxMs: Math.round(Math.max(0, ...times)),
    },
    durationMs: Math.round(durationMs),
    ...(error === undefined ? {} : { error: error as string }),
    ...(typeof output.json.replay === "string" ? { replay: output.json.replay } : {}),
  };
}

function differing(
  reference: Readonly<Record<string, string>>,
  swamp: Readonly<Record<string, string>>,
): Differing[] {
  const keys = [...new Set([...Object.keys(reference), ...Object.keys(swamp)])].sort();
  return keys.filter((k) => reference[k] !== swamp[k]).map((what) => ({
    what,
    reference: reference[what] ?? "-",
    swamp: swamp[what] ?? "-",
  }));
}

function judgementTexts(summary: IterationSummary): Record<string, string> {
  return Object.fromEntries(
    Object.entries(summary.judgements).map((
      [key, j],
    ) => [key, `${j.status}${j.pass ? "" : " (FAILED)"}`]),
  );
}

/** What differs between the two runs, per iteration both ran. */
export function iterationDifferences(
  reference: TargetRun,
  swamp: TargetRun,
): IterationDifference[] {
  const out: IterationDifference[] = [];
  for (const r of reference.iterations) {
    const s = swamp.iterations.find((i) => i.iteration === r.iteration);
    if (s === undefined) continue;
    const judgements = differing(judgementTexts(r), judgementTexts(s));
    const layerStates = differing(r.layerStates, s.layerStates);
    if (judgements.length > 0 || layerStates.length > 0) {
      out.push({ iteration: r.iteration, judgements, layerStates });
    }
  }
  return out;
}

/** Whether the two runs give the same verdict: exit code, and which iterations passed. */
export function sameVerdict(reference: TargetRun, swamp: TargetRun): boolean {
  const passing = (run: TargetRun) =>
    run.iterations.filter((i) => i.passed).map((i) => i.iteration).join(",");
  return reference.exitCode === swamp.exitCode &&
    reference.iterations.length === swamp.iterations.length &&
    passing(reference) === passing(swamp);
}

/** A documented finding about swamp: its id and the scenarios whose difference it explains. */
export interface DocumentedFinding {
  id: string;
  scenarios: string[];
}

/** The row of one scenario; `findings` are the documented ones (ids of those citing it count). */
export function fidelityRow(
  scenario: string,
  pinned: boolean,
  reference: TargetRun,
  swamp: TargetRun,
  findings: readonly DocumentedFinding[],
): FidelityRow {
  const same = sameVerdict(reference, swamp);
  const file = `${scenario}.yaml`;
  return {
    scenario,
    pinned,
    reference,
    swamp,
    same,
    differences: iterationDifferences(reference, swamp),
    findings: same ? [] : findings.filter((f) => f.scenarios.includes(file)).map((f) => f.id),
  };
}

/** Rows whose verdicts differ and that no documented finding cites. */
export function undocumented(rows: readonly FidelityRow[]): FidelityRow[] {
  return rows.filter((r) => !r.same && r.findings.length === 0);
}
