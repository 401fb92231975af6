/**
 * `no-stale-lock-or-temp`: when every op of the phase exited on its own (no
 * crash, no time-out, no kill), no advisory lock file and no stray
 * atomic-write temp file remain next to the lockfile.
 *
 * @module
 */

import { opLabel } from "../../record/history.ts";
import { LOCK_PATH } from "../../shared/layout.ts";
import { phaseOps } from "./ops.ts";
import { invalid, type Invariant, listSome, valid } from "./verdict.ts";

/** No stale `.lock` or `.tmp` after clean exits. */
export const noStaleLockOrTemp: Invariant = {
  id: "no-stale-lock-or-temp",
  check(ctx) {
    const ops = phaseOps(ctx);
    const unclean = ops.filter((op) => op.exitCode === null);
    const leftovers = [...(ctx.snapshot.lockPresent ? [LOCK_PATH] : []), ...ctx.snapshot.tempFiles];
    if (unclean.length > 0) {
      return valid(
        `Not applicable: ${listSome(unclean.map(opLabel))} did not exit on its own${
          leftovers.length > 0 ? ` (left ${listSome(leftovers)})` : ""
        }.`,
        { processes: unclean.map((op) => op.process), paths: leftovers },
      );
    }
    if (leftovers.length > 0) {
      const where = ctx.phase === "recovery"
        ? "after the recovery steps"
        : "after every process exited on its own";
      return invalid(
        `${listSome(leftovers)} remain${
          leftovers.length === 1 ? "s" : ""
        } ${where}: every later lockfile write ${
          ctx.snapshot.lockPresent
            ? "will fail until the lock file is removed by hand"
            : "leaves it behind"
        }.`,
        { paths: leftovers },
      );
    }
    return valid("No lock file and no temp file remain.");
  },
};
