/**
 * Reports: the per-invariant summary, the sweep table,
 * the notes of an iteration, and the report directory (`summary.json`,
 * `timeline.html`, `junit.xml`, and per iteration `plan.json`,
 * `history.json`, `verdicts.json`). Everything
 * but `writeReport` is pure; the console renders the summary and the sweep
 * table (`console.ts`).
 *
 * @module
 */

import { renderJunit } from "./junit.ts";
import { renderTimeline, timelineData, type TimelineMeta } from "./timeline.ts";
import { type History, processLabel, toJepsen } from "../record/history.ts";
import { INVARIANT_IDS, type InvariantId } from "../shared/invariant_ids.ts";
import type { CheckPhase } from "../check/invariants/mod.ts";
import { formatLayerState } from "../record/layers.ts";
import type { IterationResult } from "../check/iteration.ts";
import type { Expectation } from "../check/judge.ts";
import type { Scenario } from "../scenario/load.ts";

/** Counts of one invariant over all iterations, per phase. */
export interface InvariantSummary {
  invariant: InvariantId;
  phases: Partial<
    Record<
      CheckPhase,
      {
        valid: number;
        invalid: number;
        unknown: number;
        failedExpectation: number;
        /** The scenario's expectations for it in this phase (`hold` unless declared), sorted. */
        expectations: Expectation[];
      }
    >
  >;
}

/** Summarises verdicts per invariant and phase. */
export function summarise(results: readonly IterationResult[]): InvariantSummary[] {
  return INVARIANT_IDS.map((id) => {
    const phases: InvariantSummary["phases"] = {};
    for (const r of results) {
      for (const j of r.judgements) {
        if (j.verdict.invariant !== id) continue;
        const p = phases[j.verdict.phase] ??= {
          valid: 0,
          invalid: 0,
          unknown: 0,
          failedExpectation: 0,
          expectations: [],
        };
        p[j.verdict.status]++;
        if (!j.pass) p.failedExpectation++;
        if (!p.expectations.includes(j.expectation)) {
          p.expectations = [...p.expectations, j.expectation].sort();
        }
      }
    }
    return { invariant: id, phases };
  });
}

/** One row of a sweep's table. */
export interface SweepRow {
  iteration: number;
  op: string;
  point: string;
  phase: string;
  /** Whether the swept action fired (the op reached the point). */
  fired: boolean;
  outcome: string;
  /** Layer states of the op's extensions right after the faulty run. */
  stateAfterRun: string;
  /** Whether every invariant held after recovery. */
  converged: boolean | null;
}

function opText(scenario: Scenario, r: IterationResult): { label: string; names: string[] } {
  const op = r.plan.sweepCase?.op ?? r.plan.processes[0]?.op;
  if (op === undefined) return { label: "-", names: [] };
  switch (op.op) {
    case "pull": {
      const at = op.ref.indexOf("@", 1);
      return { label: `pull ${op.ref}`, names: [at === -1 ? op.ref : op.ref.slice(0, at)] };
    }
    case "rm":
      return { label: `rm ${op.name}`, names: [op.name] };
    case "update":
      return {
        label: `update${op.name === undefined ? "" : ` ${op.name}`}`,
        names: op.name === undefined
          ? scenario.fixture.spec.extensions.map((e) => e.name)
          : [op.name],
      };
    default:
      return { label: op.op, names: [] };
  }
}

/** The sweep table of a sweeping scenario's results. */
export function sweepRows(scenario: Scenario, results: readonly IterationResult[]): SweepRow[] {
  return results.filter((r) => r.plan.sweepCase !== undefined).map((r) => {
    const sc = r.plan.sweepCase!;
    const { label, names } = opText(scenario, r);
    const op = r.history.ops.find((o) => o.phase === "run");
    const fired = op?.events.some((e) => e.rule === "sweep" && e.action !== "none") ?? false;
    const recovery = r.judgements.filter((j) => j.verdict.phase === "recovery");
    return {
      iteration: r.iteration,
      op: label,
      point: sc.at,
      phase: sc.when,
      fired,
      outcome: op?.outcome.class ?? "-",
      stateAfterRun: names.map((n) =>
        `${n}: ${r.layerStates.run[n] === undefined ? "-" : formatLayerState(r.layerStates.run[n])}`
      ).join("; "),
      converged: recovery.length === 0 ? null : recovery.every((j) => j.verdict.status === "valid"),
    };
  });
}

/** The history as written to `history.json`: ops, plus Jepsen's flat form. */
function historyFile(history: History): unknown {
  return { ...history, jepsen: toJepsen(history) };
}

/**
 * What an iteration's history says about the plan itself, one line each: a
 * pause released by its timeout rather than by what it waited for (the
 * pinned interleaving may not have happened; a pause a witness covers is
 * left to the witness's own line, and one marked `release: timeout` is said
 * to be intended), and a process whose shim stopped logging at the event
 * limit (later points are missing).
 */
export function iterationNotes(
  result: Pick<IterationResult, "history"> & Partial<Pick<IterationResult, "plan" | "witnesses">>,
): string[] {
  const notes: string[] = [];
  const witnessed = new Set(
    (result.witnesses ?? []).flatMap((w) =>
      w.witness.kind === "pause" ? [`${w.witness.process} ${w.witness.rule}`] : []
    ),
  );
  const intended = new Set(
    (result.plan?.processes ?? []).flatMap((p) =>
      p.rules.filter((r) => r.action.kind === "pause" && r.action.release === "timeout")
        .map((r) => `${p.index} ${r.id}`)
    ),
  );
  for (const op of result.history.ops) {
    const label = processLabel(op);
    for (const e of op.events) {
      if (e.action !== "pause" || e.released !== false) continue;
      const key = `${op.process} ${e.rule}`;
      if (op.phase === "run" && witnessed.has(key)) continue;
      const how = op.phase === "run" && intended.has(key)
        ? "as the scenario intends (release: timeout)"
        : "not by what it waited for";
      notes.push(
        `${label} was released by its pause timeout at ${e.phase} ${e.point} (hit ${e.hit}, ${
          e.pausedMs ?? "?"
        } ms), ${how}`,
      );
    }
    if (op.eventsCapped === true) {
      notes.push(`${label} reached the event limit: its later points are not in the history`);
    }
  }
  return notes;
}

/** What the simulator writes into a report dir; nothing else there is ever removed. */
export const REPORT_ENTRY =
  /^(iteration-\d+|summary\.json|timeline\.html|junit\.xml|.*shrunk\.yaml)$/;

/**
 * Removes what an earlier run wrote into `dir` (iterations, summary,
 * timeline, JUnit, shrunk scenarios), so that nothing stale reads as this
 * run's; anything else in the dir is left alone. Returns what it removed.
 */
export async function clearReportDir(dir: string): Promise<string[]> {
  const removed: string[] = [];
  try {
    for await (const entry of Deno.readDir(dir)) {
      if (!REPORT_ENTRY.test(entry.name)) continue;
      await Deno.remove(`${dir}/${entry.name}`, { recursive: true });
      removed.push(entry.name);
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return removed.sort();
}

/**
 * Writes the report directory: `summary.json`, `timeline.html` (see
 * `timeline.ts`), `junit.xml` (see `junit.ts`) and per iteration `plan.json`,
 * `history.json` and `verdicts.json`. Returns the paths written.
 */
export async function writeReport(
  dir: string,
  summary: unknown,
  results: readonly IterationResult[],
  meta: TimelineMeta,
): Promise<string[]> {
  await Deno.mkdir(dir, { recursive: true });
  const written: string[] = [];
  const write = async (path: string, value: unknown) => {
    await Deno.writeTextFile(path, `${JSON.stringify(value, null, 2)}\n`);
    written.push(path);
  };
  await write(`${dir}/summary.json`, summary);
  const writeText = async (path: string, text: string) => {
    await Deno.writeTextFile(path, text);
    written.push(path);
  };
  await writeText(`${dir}/timeline.html`, renderTimeline(timelineData(meta, results)));
  await writeText(`${dir}/junit.xml`, renderJunit(meta, results));
  for (const r of results) {
    const sub = `${dir}/iteration-${r.iteration}`;
    await Deno.mkdir(sub, { recursive: true });
    await write(`${sub}/plan.json`, r.plan);
    await write(`${sub}/history.json`, historyFile(r.history));
    await write(`${sub}/verdicts.json`, r.judgements);
  }
  return written;
}
