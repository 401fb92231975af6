/**
 * Judging an iteration: each verdict against what the scenario expects of
 * that invariant in that phase (hold, may-fail, must-fail), and the failure
 * class that decides the simulator's exit code. Pure.
 *
 * @module
 */

import type { HistoryOp } from "../record/history.ts";
import { opLabel } from "../record/history.ts";
import type { CheckPhase, Verdict } from "./invariants/mod.ts";
import type { PhaseExpectation } from "../scenario/load.ts";
import { witnessName, type WitnessResult } from "./witness.ts";

/** What a scenario expects of one invariant in one phase. */
export type Expectation = "hold" | "may-fail" | "must-fail";

/** A verdict judged against its expectation. */
export interface Judgement {
  verdict: Verdict;
  expectation: Expectation;
  pass: boolean;
}

/**
 * Why an iteration failed; decides the exit code. `vacuous`: every
 * judgement passed but a witness did not show, so the race the scenario
 * pins did not happen (`witness.ts`).
 */
export type FailureClass = "invariant" | "target" | "determinism" | "vacuous";

/** Judges one verdict. */
export function judge(verdict: Verdict, expect: PhaseExpectation): Judgement {
  const expectation: Expectation = expect.invariants?.[verdict.invariant] ?? "hold";
  const pass = expectation === "may-fail" ||
    (expectation === "hold" && verdict.status === "valid") ||
    (expectation === "must-fail" && verdict.status === "invalid");
  return { verdict, expectation, pass };
}

/** Judges all verdicts of an iteration. */
export function judgeAll(
  verdicts: readonly Verdict[],
  expectations: Readonly<Record<CheckPhase, PhaseExpectation>>,
): Judgement[] {
  return verdicts.map((v) => judge(v, expectations[v.phase]));
}

/** Outcome classes that mean the target itself misbehaved (hung, died of a foreign signal, did not understand its argv). */
const MISBEHAVIOUR = new Set(["timeout", "killed", "usage"]);

/**
 * The failure class of an iteration, or undefined when it passed. A target
 * that misbehaved outside what the scenario allows counts as `target` even
 * when invariants failed too: the invariants then judge a broken run. A
 * failed judgement is `invariant`; with every judgement passed, a witness
 * that did not show makes the iteration `vacuous` (a pass whose race did not
 * happen proves nothing). Witnesses that did not show are named in the
 * reason of every class.
 */
export function failureOf(
  judgements: readonly Judgement[],
  ops: readonly HistoryOp[],
  witnesses: readonly WitnessResult[] = [],
): { class: FailureClass; reason: string } | undefined {
  const failed = judgements.filter((j) => !j.pass);
  const unshown = witnesses.filter((w) => !w.held);
  const vacuity = `${unshown.map((w) => witnessName(w.witness)).join(", ")} did not show`;
  if (failed.length === 0) {
    if (unshown.length === 0) return undefined;
    return { class: "vacuous", reason: `the pinned race did not happen: ${vacuity}` };
  }
  const also = unshown.length === 0 ? "" : `; and the pinned race did not happen: ${vacuity}`;
  const found = failureOfJudgements(failed, ops);
  return { class: found.class, reason: `${found.reason}${also}` };
}

function failureOfJudgements(
  failed: readonly Judgement[],
  ops: readonly HistoryOp[],
): { class: FailureClass; reason: string } {
  const misbehaving = ops.filter((op) => MISBEHAVIOUR.has(op.outcome.class));
  const outcomeFailed = failed.some((j) => j.verdict.invariant === "op-outcomes-allowed");
  if (misbehaving.length > 0 && outcomeFailed) {
    return {
      class: "target",
      reason: `the target misbehaved: ${
        misbehaving.map((op) => `${opLabel(op)} ${op.outcome.class}`).join(", ")
      }`,
    };
  }
  return {
    class: "invariant",
    reason: failed.map((j) =>
      `${j.verdict.invariant} (${j.verdict.phase}) is ${j.verdict.status}${
        j.expectation === "hold" ? "" : `, expected ${j.expectation}`
      }`
    ).join("; "),
  };
}
