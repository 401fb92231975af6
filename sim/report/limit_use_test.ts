import assert from "node:assert/strict";
import { historyOf, historyOp } from "../check/invariants/_fixtures.ts";
import { closestText, limitUse } from "./limit_use.ts";

Deno.test("limitUse() gives every limited op's ratio and the op that came closest", () => {
  const history = historyOf([
    { ...historyOp(0, { op: "init" }, { phase: "setup", window: [0, 300] }), limitMs: 60_000 },
    { ...historyOp(0, { op: "list" }, { window: [0, 1_500] }), limitMs: 60_000 },
    { ...historyOp(1, { op: "list" }, { window: [100, 45_100] }), limitMs: 60_000 },
    historyOp(0, { op: "remove-stale-lock" }, { phase: "recovery", window: [50_000, 50_001] }),
  ]);
  const use = limitUse(history);
  assert.deepEqual(use.ops.map((o) => [o.op, o.durationMs, o.ratio]), [
    ["s0", 300, 0.005],
    ["p0", 1500, 0.025],
    ["p1", 45000, 0.75],
  ]);
  assert.equal(use.closest?.op, "p1");
  assert.equal(closestText(use), "p1 used 75% of its 60 s limit");
  assert.equal(closestText(limitUse(historyOf([]))), undefined);
});
