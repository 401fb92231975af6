/**
 * What a run prints, as text: the resolved options, a line per iteration
 * (a failing one with its replay command and failed judgements), the
 * per-invariant summary, a sweep's table, a shrink's outcome and the
 * result. Pure: each function returns the entries to log, one log call
 * each (an entry may span lines, as a table does).
 *
 * @module
 */

import type { DeterminismReport } from "../check/determinism.ts";
import { EXIT } from "../shared/exit_codes.ts";
import type { IterationResult } from "../check/iteration.ts";
import type { InvariantSummary, SweepRow } from "./report.ts";
import { iterationNotes } from "./report.ts";
import { closestText, limitUse } from "./limit_use.ts";
import { replayLine } from "./replay.ts";

/** `seed=<n>`, then every other resolved option as `key=value` on one line. */
export function optionLines(resolved: Readonly<Record<string, unknown>>): string[] {
  return [
    `seed=${resolved.seed}`,
    Object.entries(resolved).filter(([k]) => k !== "seed").map(([k, v]) => `${k}=${v}`).join(" "),
  ];
}

/** What {@link iterationLines} shows besides the result. */
export interface IterationLineContext {
  /** The command that replays the iteration (shown first when it failed). */
  replay: string;
  /** The comparison of its runs, under `--repeat`. */
  determinism?: DeterminismReport;
  /** Whether the scenario is pinned (`deterministic`). */
  deterministic: boolean;
}

/**
 * The lines of one iteration: its result line (with how many witnesses
 * showed, and the op that came closest to its time limit) and notes; when it failed, first its replay command, then after
 * the notes its failure, each failed judgement and each witness that did
 * not show. A vacuous iteration reads `VACUOUS`.
 */
export function iterationLines(result: IterationResult, context: IterationLineContext): string[] {
  const { determinism } = context;
  const ops = result.history.ops.filter((o) => o.phase === "run");
  const crashed = ops.filter((o) => o.outcome.class === "crashed").length;
  const failedOps = ops.filter((o) => o.outcome.type !== "ok").length;
  const shown = result.witnesses.filter((w) => w.held).length;
  const witnesses = result.witnesses.length === 0
    ? ""
    : `, witnesses ${shown}/${result.witnesses.length} shown`;
  const closest = closestText(limitUse(result.history));
  const line = `iteration ${result.iteration}: ${
    result.passed ? "PASS" : result.failure?.class === "vacuous" ? "VACUOUS" : "FAIL"
  }  ${ops.length} process(es), ${failedOps} not ok (fail or info), ${crashed} crashed${witnesses}  (${
    (result.durationMs / 1000).toFixed(1)
  } s, check ${result.checkMs.toFixed(1)} ms${closest === undefined ? "" : `; ${closest}`})${
    determinism === undefined
      ? ""
      : `  [${determinism.runs} runs, ${determinism.distinct} distinct history shape(s)${
        context.deterministic ? "" : ", not pinned"
      }]`
  }${result.workspace === undefined ? "" : `  workspace=${result.workspace}`}`;
  const notes = iterationNotes(result).map((n) => `  note: ${n}`);
  if (result.passed) return [line, ...notes];
  return [
    replayLine(context.replay, context.deterministic),
    line,
    ...notes,
    `  ${result.failure!.class}: ${result.failure!.reason}`,
    ...result.judgements.filter((j) => !j.pass).map((j) =>
      `  ${j.verdict.invariant} (${j.verdict.phase}, expected ${j.expectation}): ${j.verdict.status}: ${j.verdict.explanation}`
    ),
    ...result.witnesses.filter((w) => !w.held).map((w) => `  witness: ${w.explanation}`),
  ];
}

/**
 * Why invalid verdicts were not failures: the scenario declared the
 * invariant `may-fail` (allowed) or `must-fail` (a documented gap, expected).
 */
function expectationNote(p: NonNullable<InvariantSummary["phases"]["run"]>): string {
  const notes = [
    ...(p.expectations.includes("may-fail") ? ["allowed: may-fail"] : []),
    ...(p.expectations.includes("must-fail") ? ["expected: must-fail"] : []),
  ];
  return notes.length === 0 || p.invalid === 0 ? "" : ` (${notes.join("; ")})`;
}

/** Renders the per-invariant summary as aligned text. */
export function formatSummary(summary: readonly InvariantSummary[]): string {
  const width = Math.max(...summary.map((s) => s.invariant.length));
  const cell = (p: InvariantSummary["phases"]["run"]) =>
    p === undefined
      ? "-"
      : `${p.valid} valid, ${p.invalid} invalid${expectationNote(p)}, ${p.unknown} unknown${
        p.failedExpectation > 0 ? ` (${p.failedExpectation} FAILED their expectation)` : ""
      }`;
  return summary.map((s) =>
    `  ${s.invariant.padEnd(width)}  run: ${cell(s.phases.run)}  |  recovery: ${
      cell(s.phases.recovery)
    }`
  )
    .join("\n");
}

/** Renders a sweep table as aligned text. */
export function formatSweepTable(rows: readonly SweepRow[]): string {
  const header = [
    "it",
    "op",
    "point",
    "phase",
    "fired",
    "outcome",
    "converged",
    "state after the faulty run",
  ];
  const lines = rows.map((r) => [
    String(r.iteration),
    r.op,
    r.point,
    r.phase,
    r.fired ? "yes" : "no",
    r.outcome,
    r.converged === null ? "-" : r.converged ? "yes" : "NO",
    r.stateAfterRun,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const fmt = (cells: string[]) =>
    cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join("  ");
  return [fmt(header), fmt(widths.map((w) => "-".repeat(w))), ...lines.map(fmt)].join("\n");
}

/** What a shrink that wrote a file printed about it (see `shrink_run.ts`). */
export interface ShrunkSummary {
  from: { processes: number; faults: number };
  to: { processes: number; faults: number };
  runs: number;
  stoppedBy?: string;
  file?: string;
  replay?: string;
}

/** The two lines of a written shrink: its sizes before and after, and its replay command. */
export function shrunkLines(shrink: ShrunkSummary): string[] {
  return [
    `shrunk: ${shrink.from.processes} process(es) and ${shrink.from.faults} fault rule(s) -> ${shrink.to.processes} and ${shrink.to.faults} in ${shrink.runs} run(s)${
      shrink.stoppedBy === undefined ? "" : ` (stopped by the ${shrink.stoppedBy})`
    }: ${shrink.file}`,
    `replay the shrunk scenario with: ${shrink.replay}`,
  ];
}

/** What the closing lines of a run show. */
export interface RunSummary {
  /** The first failing iteration, if one failed (its replay line was printed with it). */
  firstFailure?: number;
  summary: readonly InvariantSummary[];
  /** A sweep's table rows, when the scenario sweeps. */
  sweep?: readonly SweepRow[];
  /** A shrink that wrote a file. */
  shrunk?: ShrunkSummary;
  exitCode: number;
  passed: number;
  /** Iterations judged (fewer than planned when the run was interrupted or cut short). */
  ran?: number;
  iterations: number;
  durationMs: number;
  reportDir: string;
}

/** The result's first word and count: PASS, FAIL, INTERRUPTED (a signal) or HARNESS ERROR. */
function resultWords(run: RunSummary): string {
  const ran = run.ran ?? run.iterations;
  if (run.exitCode === EXIT.sigint || run.exitCode === EXIT.sigterm) {
    return `INTERRUPTED (${ran} of ${run.iterations} iteration(s) judged, ${run.passed} passed, exit ${run.exitCode}`;
  }
  if (run.exitCode === EXIT.harness && ran < run.iterations) {
    return `HARNESS ERROR (${ran} of ${run.iterations} iteration(s) judged, ${run.passed} passed, exit ${run.exitCode}`;
  }
  const verdict = run.exitCode === EXIT.pass ? "PASS" : "FAIL";
  return `${verdict} (${run.passed}/${run.iterations} iterations passed, exit ${run.exitCode}`;
}

/**
 * The closing lines of a run: the per-invariant summary, a sweep's table, a
 * written shrink, and the result (naming the first failing iteration, whose
 * replay line was printed with it, so it is printed once).
 */
export function runSummaryLines(run: RunSummary): string[] {
  return [
    "invariants:",
    formatSummary(run.summary),
    ...(run.sweep === undefined ? [] : ["sweep:", formatSweepTable(run.sweep)]),
    ...(run.shrunk === undefined ? [] : shrunkLines(run.shrunk)),
    `result: ${resultWords(run)}${
      run.firstFailure === undefined
        ? ""
        : `; first failing iteration ${run.firstFailure}, its replay line is above`
    }) in ${(run.durationMs / 1000).toFixed(1)} s; report: ${run.reportDir}`,
  ];
}
