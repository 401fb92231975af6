/**
 * The determinism check: an iteration run k times from the same plan must
 * leave the same history shape each time. The shape is what the plan is
 * supposed to fix, written as text lines so a difference reads as one:
 *
 * - per op (set-up, run, recovery, in order): its op, outcome class and
 *   exit, and every fault action its shim took (point, phase, hit, action,
 *   rule, error, and whether a pause was released by its timeout);
 * - the layer states of every extension after the run and after recovery;
 * - every verdict's status;
 * - whether each witness showed.
 *
 * Left out on purpose: times, pids, output text, and hits where no rule
 * fired (how often a waiter polls a held lock depends on timing, not on the
 * plan). The iteration's result is then judged from its runs
 * ({@link judgeRuns}). Pure: results in, shapes, differences and the judged
 * iteration out.
 *
 * @module
 */

import type { FaultEvent } from "../../faults/event.ts";
import { opLabel } from "../record/history.ts";
import type { IterationResult } from "./iteration.ts";
import { witnessName } from "./witness.ts";

/** Most runs of one iteration a determinism check may make. */
export const REPEAT_MAX = 20;

/** The parts of an iteration a plan must fix, as text lines. */
export interface HistoryShape {
  ops: string[];
  layers: string[];
  verdicts: string[];
  /** Whether each witness showed (not its count: how often a waiter polls depends on timing). */
  witnesses: string[];
}

function firedText(e: FaultEvent): string {
  return [
    `${e.phase} ${e.point} #${e.hit} ${e.action}`,
    e.rule === undefined ? "" : ` [${e.rule}]`,
    e.error === undefined ? "" : ` ${e.error}`,
    e.released === false ? " (released by timeout)" : "",
  ].join("");
}

/** The shape of one iteration's result. */
export function historyShape(
  result: Pick<IterationResult, "history" | "layerStates" | "verdicts" | "witnesses">,
): HistoryShape {
  const ops = result.history.ops.map((op) => {
    const exit = op.signal !== null ? op.signal : `exit ${op.exitCode}`;
    const fired = op.events.filter((e) => e.action !== "none").map(firedText);
    return `${opLabel(op)} -> ${op.outcome.class} (${exit})` +
      (fired.length === 0 ? "" : `; ${fired.join("; ")}`);
  });
  const layers: string[] = [];
  for (const phase of ["run", "recovery"] as const) {
    const states = result.layerStates[phase];
    if (states === undefined) continue;
    for (const name of Object.keys(states).sort()) {
      const s = states[name];
      layers.push(`${phase} ${name}: files=${s.files} lockfile=${s.lockfile} catalog=${s.catalog}`);
    }
  }
  const verdicts = result.verdicts.map((v) => `${v.invariant}@${v.phase} ${v.status}`);
  const witnesses = result.witnesses.map((w) =>
    `${witnessName(w.witness)} ${w.held ? "showed" : "did not show"}`
  );
  return { ops, layers, verdicts, witnesses };
}

/** Where two shapes first differ, in words; undefined when they are equal. */
export function firstDifference(a: HistoryShape, b: HistoryShape): string | undefined {
  for (const part of ["ops", "layers", "verdicts", "witnesses"] as const) {
    const [x, y] = [a[part], b[part]];
    for (let i = 0; i < Math.max(x.length, y.length); i++) {
      if (x[i] !== y[i]) {
        return `${part} line ${i + 1}: ${JSON.stringify(x[i] ?? "(none)")} vs ${
          JSON.stringify(y[i] ?? "(none)")
        }`;
      }
    }
  }
  return undefined;
}

/** What k runs of one iteration showed. */
export interface DeterminismReport {
  runs: number;
  /** Number of distinct shapes among the runs (1: deterministic). */
  distinct: number;
  /** For each run, the index of the first run with the same shape. */
  sameAs: number[];
  /** Where the first run that differs from run 0 differs from it. */
  difference?: string;
}

/** Compares the shapes of the runs of one iteration (at least one). */
export function compareRuns(shapes: readonly HistoryShape[]): DeterminismReport {
  if (shapes.length === 0) throw new Error("compareRuns() needs at least one run");
  const keys = shapes.map((s) => JSON.stringify(s));
  const sameAs = keys.map((k) => keys.indexOf(k));
  const distinct = new Set(keys).size;
  const other = sameAs.findIndex((first) => first !== 0);
  return {
    runs: shapes.length,
    distinct,
    sameAs,
    ...(other < 0 ? {} : {
      difference: `run 1 vs run ${other + 1}: ${firstDifference(shapes[0], shapes[other])}`,
    }),
  };
}

/**
 * One iteration's result from its runs. When the scenario is pinned
 * (`deterministic`, the default) and the runs' history shapes differ, that
 * is the failure (class `determinism`), whether or not some run also failed:
 * a failure that does not replay is first of all not reproducible. Otherwise
 * the first failing run (a replay that fails is a failure), else the first run.
 */
export function judgeRuns(
  runs: readonly IterationResult[],
  determinism: DeterminismReport | undefined,
  deterministic: boolean,
): IterationResult {
  if (runs.length === 0) throw new Error("judgeRuns() needs at least one run");
  const failing = runs.find((r) => !r.passed);
  if (determinism === undefined || determinism.distinct === 1 || !deterministic) {
    return failing ?? runs[0];
  }
  const failed = failing === undefined || failing.failure === undefined
    ? ""
    : `; run ${runs.indexOf(failing) + 1} failed: ${failing.failure.reason}`;
  return {
    ...(failing ?? runs[0]),
    passed: false,
    failure: {
      class: "determinism",
      reason: `${determinism.distinct} distinct history shapes over ${determinism.runs} runs ` +
        `of one plan; ${determinism.difference}${failed}`,
    },
  };
}
