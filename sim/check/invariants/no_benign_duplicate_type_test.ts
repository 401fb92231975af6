import { strict as assert } from "node:assert";
import {
  ALPHA,
  assertMentions,
  assertStatus,
  BETA,
  checkContext,
  historyOf,
  pullOp,
  rmOp,
  updateJson,
  updateOp,
  V1,
  V2,
  verdictOf,
} from "./_fixtures.ts";
import { noBenignDuplicateType } from "./no_benign_duplicate_type.ts";

/** stderr of a pull that collided, in swamp's JSON error shape. */
const DUPLICATE_STDERR = JSON.stringify(
  {
    error: 'Type "@fix/alpha/main" (model) is already provided by @fix/alpha@2026.02.01.1',
    duplicateType: { kind: "model", type: "@fix/alpha/main", isGhostRow: false },
  },
  null,
  2,
);

const collided = pullOp(3, ALPHA, {
  type: "fail",
  class: "duplicate-type",
  stderr: DUPLICATE_STDERR,
  window: [5, 40],
});

Deno.test("noBenignDuplicateType holds when no op reports a DuplicateTypeError", () => {
  const ctx = checkContext({
    history: historyOf([
      pullOp(0, ALPHA),
      rmOp(1, BETA, { type: "fail", stderr: "Extension @fix/beta is not installed." }),
    ]),
  });
  const verdict = verdictOf(noBenignDuplicateType, ctx);
  assertStatus(verdict, "valid");
  assertMentions(verdict.explanation, ["No op reported a DuplicateTypeError"]);
});

Deno.test("noBenignDuplicateType names the process that saw a benign DuplicateTypeError", () => {
  const ctx = checkContext({ history: historyOf([pullOp(0, ALPHA), collided]) });
  const verdict = verdictOf(noBenignDuplicateType, ctx);
  assertStatus(verdict, "invalid");
  assertMentions(verdict.explanation, [
    "p3 pull @fix/alpha failed with a DuplicateTypeError",
    "no two fixture extensions share a type",
  ]);
  assert.deepEqual(verdict.evidence.processes, [3]);
});

Deno.test("noBenignDuplicateType reads an update's per-extension errors", () => {
  const update = updateOp(1, undefined, {
    json: updateJson([
      {
        name: ALPHA,
        status: "failed",
        from: V1,
        to: V2,
        error: "Update failed: DuplicateTypeError: model::@fix/alpha/main",
      },
    ]),
  });
  const verdict = verdictOf(noBenignDuplicateType, checkContext({ history: historyOf([update]) }));
  assertStatus(verdict, "invalid");
  assertMentions(verdict.explanation, ["p1 update failed with a DuplicateTypeError"]);
  assert.deepEqual(verdict.evidence.processes, [1]);
});

Deno.test("noBenignDuplicateType accepts the error when the fixture has a genuine conflict", () => {
  const ctx = checkContext({ history: historyOf([collided]), typeConflict: true });
  const verdict = verdictOf(noBenignDuplicateType, ctx);
  assertStatus(verdict, "valid");
  assertMentions(verdict.explanation, [
    "1 op(s) reported a DuplicateTypeError",
    "genuine type conflict",
  ]);
  assert.deepEqual(verdict.evidence.processes, [3]);
});

Deno.test("noBenignDuplicateType judges each phase by its own ops", () => {
  const retried = pullOp(0, ALPHA, {
    phase: "recovery",
    type: "fail",
    stderr: "DuplicateTypeError: Duplicate type",
  });
  const history = historyOf([collided, retried]);
  const run = verdictOf(noBenignDuplicateType, checkContext({ history }));
  const recovery = verdictOf(noBenignDuplicateType, checkContext({ history, phase: "recovery" }));
  assertMentions(run.explanation, ["p3 pull"]);
  assert.ok(!run.explanation.includes("r0"), run.explanation);
  assertStatus(recovery, "invalid");
  assertMentions(recovery.explanation, ["r0 pull @fix/alpha"]);
  assert.ok(!recovery.explanation.includes("p3"), recovery.explanation);
});
