/**
 * The invariant suite, in report order.
 *
 * @module
 */

import { catalogIntegrity } from "./catalog_integrity.ts";
import { catalogLockfileBijection } from "./catalog_lockfile_bijection.ts";
import { expectedStates } from "./expected_states.ts";
import { filesLockfileMatch } from "./files_lockfile_match.ts";
import { linearizable } from "./linearizable.ts";
import { lockfileWellFormed } from "./lockfile_well_formed.ts";
import { noBenignDuplicateType } from "./no_benign_duplicate_type.ts";
import { noBusyExhaustion, noLockExhaustion } from "./budget_exhaustion.ts";
import { noStaleLockOrTemp } from "./no_stale_lock_or_temp.ts";
import { opOutcomesAllowed } from "./op_outcomes_allowed.ts";
import type { CheckContext, Invariant, Verdict } from "./verdict.ts";
import { INVARIANT_IDS } from "../../shared/invariant_ids.ts";

export type {
  CheckContext,
  CheckPhase,
  Evidence,
  Invariant,
  Verdict,
  VerdictStatus,
} from "./verdict.ts";

/** Every invariant, in the order of `INVARIANT_IDS`. */
export const INVARIANTS: readonly Invariant[] = [
  lockfileWellFormed,
  catalogLockfileBijection,
  filesLockfileMatch,
  catalogIntegrity,
  noBenignDuplicateType,
  noLockExhaustion,
  noBusyExhaustion,
  noStaleLockOrTemp,
  linearizable,
  opOutcomesAllowed,
  expectedStates,
];

if (INVARIANTS.map((i) => i.id).join() !== INVARIANT_IDS.join()) {
  throw new Error("INVARIANTS and INVARIANT_IDS disagree: keep them in the same order");
}

/**
 * Runs the whole suite. Pure: snapshot + history in, verdicts out. An
 * invariant that throws yields `unknown` with the error, never a silent pass.
 */
export function checkInvariants(ctx: CheckContext): Verdict[] {
  return INVARIANTS.map((inv) => {
    try {
      return { invariant: inv.id, phase: ctx.phase, ...inv.check(ctx) };
    } catch (error) {
      return {
        invariant: inv.id,
        phase: ctx.phase,
        status: "unknown",
        explanation: `The checker threw: ${(error as Error).message}`,
        evidence: {},
      };
    }
  });
}
