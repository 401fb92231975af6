/**
 * `linearizable`: every op's answer, and the lockfile the phase ends with,
 * is what some order of the ops that respects real time gives, against the
 * lifecycle model (`sim/check/model/lifecycle.ts`): per extension, and over
 * the whole repo for the steps that read several extensions at once (list,
 * update's plan).
 *
 * Phase `run` checks the run's ops with their answers and the lockfile after
 * the run. Phase `recovery` checks the recovery ops with their answers and
 * the lockfile after recovery; the run's ops come first with their effects
 * only (their answers were judged in phase `run`, and the lockfile between
 * the phases is not part of the recovery context). The state after set-up is
 * the start: every extension `initial` names installed with all its files.
 *
 * A violation is explained by the smallest set of ops that cannot be
 * ordered, their windows and answers, and what the model predicts for each
 * (`explain.ts`); `evidence.ops` names them for the timeline.
 *
 * @module
 */

import { type HistoryOp, processLabel } from "../../record/history.ts";
import { lockEntries } from "../../record/layers.ts";
import { checkLinearizable, LINEARIZABILITY_LIMITS } from "../linearizability/check.ts";
import { explainViolation, explanationText } from "../linearizability/explain.ts";
import { ABSENT_STATE, type ExtState, installedState } from "../model/lifecycle.ts";
import { finalReadOp, type ModelOp, modelOp, namesOf } from "../model/model_ops.ts";
import { relMs } from "./ops.ts";
import { type CheckContext, invalid, type Invariant, unknown, valid } from "./verdict.ts";

/** The model ops of a phase, without the final read. */
export function phaseModelOps(ctx: CheckContext, names: readonly string[]): ModelOp[] {
  const run = ctx.history.ops.filter((op) => op.phase === "run");
  const recovery = ctx.phase === "recovery"
    ? ctx.history.ops.filter((op) => op.phase === "recovery")
    : [];
  const base = { fixture: ctx.fixture, names };
  return [
    ...run.map((op) => modelOp(op, { ...base, effectsOnly: ctx.phase === "recovery" })),
    ...recovery.map((op) => modelOp(op, base)),
  ];
}

function phaseHistoryOps(ctx: CheckContext): HistoryOp[] {
  return ctx.history.ops.filter((op) =>
    op.phase === "run" || (ctx.phase === "recovery" && op.phase === "recovery")
  );
}

/** Linearizability of the answers and the final lockfile. */
export const linearizable: Invariant = {
  id: "linearizable",
  check(ctx) {
    const entries = lockEntries(ctx.snapshot);
    const final = entries.ok
      ? Object.fromEntries(Object.entries(entries.entries).map(([n, e]) => [n, e.version]))
      : undefined;
    const historyOps = phaseHistoryOps(ctx);
    const names = [
      ...new Set([
        ...namesOf(historyOps, ctx.fixture),
        ...Object.keys(ctx.initial),
        ...Object.keys(final ?? {}),
      ]),
    ].sort();
    const ops = phaseModelOps(ctx, names);
    if (final !== undefined) {
      const endMs = Math.max(
        ctx.t0Ms,
        ...historyOps.map((o) => Math.max(o.completeMs, o.invokeMs)),
      );
      ops.push(finalReadOp(final, names, endMs + 1));
    }
    const initial = new Map<string, ExtState>(
      names.map((
        n,
      ) => [n, ctx.initial[n] === undefined ? ABSENT_STATE : installedState(ctx.initial[n])]),
    );
    const result = checkLinearizable({ ops, initial }, LINEARIZABILITY_LIMITS);
    if (result.status === "invalid") {
      const explanation = explainViolation(result.problem, LINEARIZABILITY_LIMITS);
      const sources = [...explanation.answers.map((a) => a.op), ...explanation.effects]
        .flatMap((op) => op.source === undefined ? [] : [op.source])
        .sort((a, b) => a.invokeMs - b.invokeMs);
      const others = result.others.length === 0
        ? ""
        : ` The sub-histories of ${result.others.join(", ")} cannot be ordered either.`;
      return invalid(
        `${explanationText(explanation, (ms) => relMs(ctx, ms))}${others}`,
        {
          processes: [...new Set(sources.map((s) => s.process))],
          ops: sources.map(processLabel),
          entries: explanation.scope.kind === "extension"
            ? [explanation.scope.name]
            : explanation.scope.names,
        },
      );
    }
    if (result.status === "unknown") return unknown(`Cannot decide: ${result.reason}.`);
    if (!entries.ok) {
      return unknown(
        `The answers of ${historyOps.length} op(s) can be ordered, but the final state cannot be checked: ${entries.reason}.`,
      );
    }
    return valid(
      `The answers of ${historyOps.length} op(s) and the final lockfile of ${result.extensions} extension(s) are given by an order of the ops that respects real time${
        result.repoWide ? " (per extension and over the whole repo)" : " (per extension)"
      }.`,
    );
  },
};
