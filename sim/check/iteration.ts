/**
 * Checking one iteration: what a run recorded (`RunRecord`) in, the judged
 * iteration out. The invariant suite over the snapshot after the run with
 * the set-up and run ops (phase `run`), again over the snapshot after
 * recovery with every op (phase `recovery`, when the scenario has recovery
 * steps), each verdict judged against the scenario's expectations, the
 * witnesses (the pinned race happened, `witness.ts`), and the failure class. Pure: it reads the clock only to time the suite (`checkMs`).
 *
 * @module
 */

import type { History } from "../record/history.ts";
import { extensionsInSnapshot, type LayerState, layerState } from "../record/layers.ts";
import type { RunRecord } from "../record/run_record.ts";
import type { Snapshot } from "../record/snapshot.ts";
import type { Plan } from "../scenario/plan.ts";
import type { Scenario } from "../scenario/load.ts";
import { type CheckContext, checkInvariants, type Verdict } from "./invariants/mod.ts";
import { type FailureClass, failureOf, judgeAll, type Judgement } from "./judge.ts";
import { checkWitnesses, iterationWitnesses, type WitnessResult } from "./witness.ts";

/** What one iteration produced, judged. */
export interface IterationResult {
  iteration: number;
  plan: Plan;
  history: History;
  verdicts: Verdict[];
  judgements: Judgement[];
  /** Whether each witness (declared, or derived from a pause) showed: the pinned race happened. */
  witnesses: WitnessResult[];
  /** Per extension: its layer states after the run, and after recovery when there was one. */
  layerStates: { run: Record<string, LayerState>; recovery?: Record<string, LayerState> };
  passed: boolean;
  failure?: { class: FailureClass; reason: string };
  /** Wall time of the whole iteration: the run and its checks. */
  durationMs: number;
  /** Time the pure invariant checks took (both phases). */
  checkMs: number;
  /** The kept workspace, when `keep` is set. */
  workspace?: string;
}

/** Checks and judges what a run of `plan` of `scenario` recorded. */
export function checkIteration(scenario: Scenario, plan: Plan, record: RunRecord): IterationResult {
  let checkMs = 0;
  const check = (ctx: CheckContext): Verdict[] => {
    const start = performance.now();
    const verdicts = checkInvariants(ctx);
    checkMs += performance.now() - start;
    return verdicts;
  };
  const ctxBase = {
    fixture: scenario.fixture.spec,
    typeConflict: scenario.expect.typeConflict,
    initial: record.initial,
    t0Ms: record.t0Ms,
  };
  const { history } = record;
  const verdicts = check({
    ...ctxBase,
    phase: "run",
    outcomes: scenario.expect.afterRun.outcomes ?? {},
    snapshot: record.afterRun,
    history: { ...history, ops: history.ops.filter((op) => op.phase !== "recovery") },
    expect: scenario.expect.afterRun,
  });
  const layerStates: IterationResult["layerStates"] = { run: statesOf(scenario, record.afterRun) };
  if (record.afterRecovery !== undefined) {
    verdicts.push(...check({
      ...ctxBase,
      phase: "recovery",
      outcomes: scenario.expect.afterRecovery.outcomes ?? {},
      snapshot: record.afterRecovery,
      history,
      expect: scenario.expect.afterRecovery,
    }));
    layerStates.recovery = statesOf(scenario, record.afterRecovery);
  }

  const judgements = judgeAll(verdicts, {
    run: scenario.expect.afterRun,
    recovery: scenario.expect.afterRecovery,
  });
  const witnesses = checkWitnesses(iterationWitnesses(scenario, plan), history.ops);
  const failure = failureOf(judgements, history.ops, witnesses);
  return {
    iteration: plan.iteration,
    plan,
    history,
    verdicts,
    judgements,
    witnesses,
    layerStates,
    passed: failure === undefined,
    failure,
    durationMs: record.durationMs + checkMs,
    checkMs,
    workspace: record.workspace,
  };
}

/** The layer states of the fixture's extensions and of any other extension the repo holds. */
function statesOf(scenario: Scenario, snapshot: Snapshot): Record<string, LayerState> {
  const names = new Set([
    ...scenario.fixture.spec.extensions.map((e) => e.name),
    ...extensionsInSnapshot(snapshot),
  ]);
  return Object.fromEntries([...names].sort().map((n) => [n, layerState(snapshot, n)]));
}
