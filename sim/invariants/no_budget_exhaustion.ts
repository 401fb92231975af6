/**
 * `no-budget-exhaustion`: no op gave up on the advisory lock's retry budget
 * (10 attempts, 100 ms apart) or on SQLite's busy budget (busy_timeout plus
 * the catalog's retries), including an update's per-extension failures.
 *
 * @module
 */

import { opLabel } from "../history.ts";
import { errorTexts, phaseOps } from "./ops.ts";
import { invalid, type Invariant, valid } from "./verdict.ts";

const LOCK = /Could not acquire lock on upstream_extensions\.json/;
const BUSY = /database is (locked|busy)|"code":\s*"lock_timeout"/i;

/** No lock-retry or SQLITE_BUSY exhaustion. */
export const noBudgetExhaustion: Invariant = {
  id: "no-budget-exhaustion",
  check(ctx) {
    const lock: string[] = [];
    const busy: string[] = [];
    const processes: number[] = [];
    for (const op of phaseOps(ctx)) {
      const texts = errorTexts(op);
      const l = texts.some((t) => LOCK.test(t));
      const b = texts.some((t) => BUSY.test(t)) || op.exitCode === 75;
      if (l) lock.push(opLabel(op));
      if (b) busy.push(opLabel(op));
      if (l || b) processes.push(op.process);
    }
    if (processes.length === 0) {
      return valid("No op exhausted the lock-retry or SQLITE_BUSY budget.");
    }
    const parts: string[] = [];
    if (lock.length > 0) {
      parts.push(
        `${lock.join(", ")} gave up acquiring upstream_extensions.json.lock after its 10 attempts`,
      );
    }
    if (busy.length > 0) parts.push(`${busy.join(", ")} gave up on a locked catalog (SQLITE_BUSY)`);
    return invalid(`${parts.join("; ")}.`, { processes });
  },
};
