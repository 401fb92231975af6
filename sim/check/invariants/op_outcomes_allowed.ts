/**
 * `op-outcomes-allowed`: every op of the phase ended with an outcome class the
 * scenario allows. By default an op must succeed (rm may also find the
 * extension not installed); the phase's `outcomes` replaces that per op kind; a
 * process that carries a `crash` rule may crash, and one that carries an
 * `error` or `contend` rule may fail the way such a fault makes it fail.
 *
 * @module
 */

import { type HistoryOp, opLabel } from "../../record/history.ts";
import type { OutcomeClass } from "../../shared/outcome.ts";
import { phaseOps } from "./ops.ts";
import { type CheckContext, invalid, type Invariant, listSome, valid } from "./verdict.ts";

const FAULT_FAILURES: readonly OutcomeClass[] = [
  "failed",
  "partial",
  "busy-exhausted",
  "lock-exhausted",
];

/** The outcome classes allowed for one op. */
export function allowedOutcomes(
  ctx: Pick<CheckContext, "outcomes">,
  op: HistoryOp,
): Set<OutcomeClass> {
  const kind = op.op.op;
  const allowed = new Set<OutcomeClass>(["ok"]);
  if (kind !== "init" && kind !== "remove-stale-lock") {
    const declared = ctx.outcomes[kind];
    if (declared !== undefined) {
      allowed.clear();
      for (const c of declared) allowed.add(c);
    } else if (kind === "rm") {
      allowed.add("not-installed");
    }
  }
  for (const rule of op.rules) {
    if (rule.action.kind === "crash") allowed.add("crashed");
    if (rule.action.kind === "error" || rule.action.kind === "contend") {
      for (const c of FAULT_FAILURES) allowed.add(c);
    }
  }
  return allowed;
}

/** Every op's outcome is allowed. */
export const opOutcomesAllowed: Invariant = {
  id: "op-outcomes-allowed",
  check(ctx) {
    // Set-up ops are the harness's: it aborts the iteration unless each is ok.
    const ops = phaseOps(ctx).filter((op) => op.phase !== "setup");
    const bad = ops.filter((op) => !allowedOutcomes(ctx, op).has(op.outcome.class));
    if (bad.length === 0) return valid(`All ${ops.length} op(s) ended with an allowed outcome.`);
    const text = bad.map((op) =>
      `${opLabel(op)} ended ${op.outcome.class}${
        op.outcome.message === undefined ? "" : ` ("${op.outcome.message.slice(0, 160)}")`
      } (allowed: ${[...allowedOutcomes(ctx, op)].join(", ")})`
    );
    return invalid(`${listSome(text, 4)}.`, { processes: bad.map((op) => op.process) });
  },
};
