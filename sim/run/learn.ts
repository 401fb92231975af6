/**
 * Schedule exploration, the learning half: the steps each distinct op of an
 * exploring scenario takes when it runs alone. One solo run per op, in a
 * fresh workspace set up like an iteration's (the fixture installs), under
 * the preload shim with no rule: every point hit is logged, and the events
 * in order are the op's steps (`scenario/explore.ts` plans schedules over
 * them). The steps are learned once per simulator run and recorded in every
 * plan, so a replay that learns them again plans the same schedule as long
 * as the target takes the same steps alone.
 *
 * @module
 */

import { type LearnedSteps, opKey, type Step, stepOf } from "../scenario/explore.ts";
import { planIteration } from "../scenario/plan.ts";
import type { OpSpec, Scenario } from "../scenario/load.ts";
import { opText } from "../record/history.ts";
import { HarnessError, type IterationOptions, runIteration } from "./runner.ts";

/** What the solo run of one op showed. */
export interface LearningRun {
  /** The op in words, e.g. `pull @fix/alpha`. */
  op: string;
  /** Its key in the learned steps. */
  key: string;
  /** The op's outcome class alone. */
  outcome: string;
  steps: number;
  durationMs: number;
}

/** The learned steps of a scenario's ops, and the runs they came from. */
export interface Learned {
  steps: LearnedSteps;
  runs: LearningRun[];
}

/** Outcome classes a solo run may end with: the op ran to its own end. */
const FINISHED = new Set([
  "ok",
  "not-installed",
  "not-found",
  "conflict",
  "duplicate-type",
  "failed",
]);

/**
 * Learns the steps of every distinct op of `scenario`'s explicit workload,
 * one solo run each, in workload order. A solo run that did not end on its
 * own (time-out, signal, bad usage) or lost events is a {@link HarnessError}.
 */
export async function learnSteps(scenario: Scenario, options: IterationOptions): Promise<Learned> {
  if (scenario.workload.kind !== "explicit") {
    throw new Error("learnSteps() needs an explicit workload");
  }
  const steps: Record<string, Step[]> = {};
  const runs: LearningRun[] = [];
  for (const { startMs: _startMs, ...spec } of scenario.workload.processes) {
    const op = spec as OpSpec;
    const key = opKey(op);
    if (key in steps) continue;
    const solo: Scenario = {
      ...scenario,
      name: `${scenario.name}-learn`,
      iterations: 1,
      workload: {
        kind: "explicit",
        processes: [{ ...op, startMs: 0 }],
        startJitterMs: { min: 0, max: 0 },
      },
      faults: [],
      recovery: [],
      explore: undefined,
    };
    const record = await runIteration(solo, planIteration(solo, 0), { ...options, keep: false });
    const ran = record.history.ops.find((o) => o.phase === "run");
    if (ran === undefined) throw new HarnessError(`The solo run of ${opText(op)} recorded no op`);
    if (!FINISHED.has(ran.outcome.class)) {
      throw new HarnessError(
        `The solo run of ${opText(op)} that learns its steps ended ${ran.outcome.class}: ` +
          (ran.outcome.message ?? ran.stderr).slice(0, 400),
      );
    }
    if (ran.eventsCapped === true || ran.eventsTruncated > 0) {
      throw new HarnessError(`The solo run of ${opText(op)} lost events: its steps are incomplete`);
    }
    steps[key] = ran.events.map((e) => stepOf(e, scenario.target.patterns));
    runs.push({
      op: opText(op),
      key,
      outcome: ran.outcome.class,
      steps: steps[key].length,
      durationMs: Math.round(record.durationMs),
    });
  }
  return { steps, runs };
}
