/**
 * `no-benign-duplicate-type`: no op failed with swamp's DuplicateTypeError
 * unless the fixture has a genuine type conflict (two extensions claiming the
 * same kind + type). Two processes installing the same extension must not
 * see one.
 *
 * @module
 */

import { opLabel } from "../../record/history.ts";
import { errorTexts, phaseOps } from "./ops.ts";
import { invalid, type Invariant, listSome, valid } from "./verdict.ts";

const DUPLICATE = /"duplicateType"|DuplicateType|Duplicate type/;

/** No DuplicateTypeError without a genuine conflict. */
export const noBenignDuplicateType: Invariant = {
  id: "no-benign-duplicate-type",
  check(ctx) {
    const hits = phaseOps(ctx).filter((op) => errorTexts(op).some((t) => DUPLICATE.test(t)));
    if (hits.length === 0) return valid("No op reported a DuplicateTypeError.");
    if (ctx.typeConflict) {
      return valid(
        `${hits.length} op(s) reported a DuplicateTypeError; the fixture has a genuine type conflict.`,
        {
          processes: hits.map((op) => op.process),
        },
      );
    }
    return invalid(
      `${
        listSome(hits.map(opLabel))
      } failed with a DuplicateTypeError, but no two fixture extensions share a type: the error is benign (a race, not a conflict).`,
      { processes: hits.map((op) => op.process) },
    );
  },
};
