import { strict as assert } from "node:assert";
import fc from "fast-check";
import { checkContext, historyOf, installedSnapshot, verdictOf } from "../invariants/_fixtures.ts";
import { linearizable } from "../invariants/linearizable.ts";
import {
  initialState,
  plannedStep,
  type SerialHistory,
  serialHistory,
  SLOT_MS,
  withImpossibleAnswer,
} from "./_serial_history.ts";

function judge(h: SerialHistory, ops = h.ops) {
  return verdictOf(
    linearizable,
    checkContext({
      snapshot: installedSnapshot(h.final, { spec: h.fixture }),
      history: historyOf(ops),
      initial: h.initial,
      fixture: h.fixture,
    }),
  );
}

/** Serial histories of up to 12 ops, each window widened by up to 4 slots either way. */
const serial = fc.record({
  initial: initialState,
  plan: fc.array(plannedStep(4 * SLOT_MS), { minLength: 1, maxLength: 12 }),
});

/** Counts per property, for the report. */
const RUNS = { accepted: 400, rejected: 400, info: 300 };

Deno.test("linearizable accepts every serial history, its windows widened at random", () => {
  let widened = 0;
  fc.assert(
    fc.property(serial, ({ initial, plan }) => {
      const h = serialHistory(plan, initial);
      const verdict = judge(h);
      assert.equal(verdict.status, "valid", verdict.explanation);
      if (plan.some((s) => s.widenBeforeMs > SLOT_MS || s.widenAfterMs > SLOT_MS)) widened++;
    }),
    { numRuns: RUNS.accepted, seed: 101 },
  );
  assert.ok(widened > RUNS.accepted / 2, `only ${widened} histories overlapped`);
});

Deno.test("linearizable rejects a serial history with one answer no order can give", () => {
  let tried = 0;
  fc.assert(
    fc.property(serial, fc.nat(), ({ initial, plan }, pick) => {
      const h = serialHistory(plan, initial);
      const candidates = h.ops.map((_, i) => i).filter((i) =>
        withImpossibleAnswer(h.ops, i) !== undefined
      );
      fc.pre(candidates.length > 0);
      const index = candidates[pick % candidates.length];
      const verdict = judge(h, withImpossibleAnswer(h.ops, index)!);
      assert.equal(verdict.status, "invalid", `op ${index}: ${verdict.explanation}`);
      assert.ok(
        verdict.evidence.ops?.includes(`p${index}`),
        `the changed op p${index} is named: ${verdict.explanation}`,
      );
      tried++;
    }),
    { numRuns: RUNS.rejected, seed: 202 },
  );
  assert.ok(tried > RUNS.rejected / 2, `only ${tried} histories had an answer to change`);
});

Deno.test("linearizable accepts an info op whether or not it took effect", () => {
  const withInfo = fc.record({
    initial: initialState,
    plan: fc.array(plannedStep(4 * SLOT_MS, 0), { minLength: 1, maxLength: 10 }),
    at: fc.nat(),
  });
  fc.assert(
    fc.property(withInfo, ({ initial, plan, at }) => {
      const index = at % plan.length;
      for (const end of ["info-applied", "info-not-applied"] as const) {
        const changed = plan.map((s, i) => (i === index ? { ...s, end } : s));
        const verdict = judge(serialHistory(changed, initial));
        assert.equal(verdict.status, "valid", `${end} p${index}: ${verdict.explanation}`);
      }
    }),
    { numRuns: RUNS.info, seed: 303 },
  );
});
