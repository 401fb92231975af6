/**
 * Budget exhaustion, as two invariants: `no-lock-exhaustion` (no op gave up
 * on the advisory lock's retry budget: 10 attempts, 100 ms apart) and
 * `no-busy-exhaustion` (no op gave up on a locked catalog: for `saveAll`,
 * whose transaction reads before it writes and so never waits in
 * busy_timeout, the budget is the catalog's 5 retries, about 3.1 s). Both
 * read an update's per-extension failures too. They are separate because
 * they fail for different reasons: the lock budget is a fixed 0.9 s that
 * contention alone can exhaust, the catalog's is over three times longer.
 *
 * @module
 */

import { type HistoryOp, opLabel } from "../../record/history.ts";
import { errorTexts, phaseOps } from "./ops.ts";
import { type CheckContext, invalid, type Invariant, valid } from "./verdict.ts";

const LOCK = /Could not acquire lock on upstream_extensions\.json/;
const BUSY = /database is (locked|busy)|"code":\s*"lock_timeout"/i;

/** Whether an op gave up on the advisory lock. */
export function exhaustedLock(op: HistoryOp): boolean {
  return errorTexts(op).some((t) => LOCK.test(t));
}

/** Whether an op gave up on a locked catalog (exit 75 is swamp's lock_timeout even when stderr was lost). */
export function exhaustedBusy(op: HistoryOp): boolean {
  return op.exitCode === 75 || errorTexts(op).some((t) => BUSY.test(t));
}

function check(ctx: CheckContext, test: (op: HistoryOp) => boolean, what: string, none: string) {
  const ops = phaseOps(ctx).filter(test);
  if (ops.length === 0) return valid(none);
  return invalid(`${ops.map(opLabel).join(", ")} ${what}.`, {
    processes: ops.map((op) => op.process),
  });
}

/** No op gave up on the advisory lock's retry budget. */
export const noLockExhaustion: Invariant = {
  id: "no-lock-exhaustion",
  check: (ctx) =>
    check(
      ctx,
      exhaustedLock,
      "gave up acquiring upstream_extensions.json.lock after its 10 attempts",
      "No op exhausted the advisory lock's retry budget.",
    ),
};

/** No op gave up on SQLITE_BUSY. */
export const noBusyExhaustion: Invariant = {
  id: "no-busy-exhaustion",
  check: (ctx) =>
    check(
      ctx,
      exhaustedBusy,
      "gave up on a locked catalog (SQLITE_BUSY)",
      "No op exhausted the catalog's SQLITE_BUSY budget.",
    ),
};
