import { strict as assert } from "node:assert";
import type { ShimRule } from "../../../faults/rule.ts";
import {
  ALPHA,
  assertMentions,
  assertStatus,
  BETA,
  checkContext,
  historyOf,
  historyOp,
  pullOp,
  rmOp,
  verdictOf,
} from "./_fixtures.ts";
import { allowedOutcomes, opOutcomesAllowed } from "./op_outcomes_allowed.ts";
import type { CheckContext } from "./verdict.ts";

const crashRule: ShimRule = {
  id: "faults[0]",
  at: "lockfile.write",
  when: "before",
  action: { kind: "crash" },
  hit: { nth: 1 },
};
const errorRule: ShimRule = {
  id: "faults[1]",
  at: "catalog.commit",
  when: "before",
  action: { kind: "error", error: "SQLITE_BUSY" },
  hit: { nth: 1 },
};

function check(ops: Parameters<typeof historyOf>[0], overrides: Partial<CheckContext> = {}) {
  return verdictOf(opOutcomesAllowed, checkContext({ history: historyOf(ops), ...overrides }));
}

Deno.test("opOutcomesAllowed holds when every op succeeds or rm finds nothing", () => {
  const verdict = check([
    pullOp(0, ALPHA),
    rmOp(1, BETA, { type: "fail", class: "not-installed" }),
    historyOp(2, { op: "list" }),
  ]);
  assertStatus(verdict, "valid");
  assertMentions(verdict.explanation, ["All 3 op(s) ended with an allowed outcome"]);
});

Deno.test("opOutcomesAllowed names the op, its class, message and what was allowed", () => {
  const verdict = check([
    pullOp(0, ALPHA),
    pullOp(7, BETA, {
      type: "info",
      class: "failed",
      exitCode: 1,
      message: "Could not connect to http://127.0.0.1:1",
    }),
  ]);
  assertStatus(verdict, "invalid");
  assertMentions(verdict.explanation, [
    'p7 pull @fix/beta ended failed ("Could not connect to http://127.0.0.1:1") (allowed: ok)',
  ]);
  assert.deepEqual(verdict.evidence.processes, [7]);
});

Deno.test("opOutcomesAllowed lets declared outcomes replace the defaults", () => {
  const notInstalled = rmOp(1, BETA, { type: "fail", class: "not-installed" });
  const strict = check([notInstalled], { outcomes: { rm: ["ok"] } });
  assertStatus(strict, "invalid");
  assertMentions(strict.explanation, ["p1 rm @fix/beta ended not-installed (allowed: ok)"]);

  const conflict = pullOp(2, ALPHA, { type: "fail", class: "conflict" });
  assertStatus(check([conflict]), "invalid");
  assertStatus(check([conflict], { outcomes: { pull: ["ok", "conflict"] } }), "valid");
});

Deno.test("opOutcomesAllowed allows a crash only to a process that carries a crash rule", () => {
  const crashed = pullOp(3, ALPHA, { type: "info", class: "crashed" });
  const without = check([crashed]);
  assertStatus(without, "invalid");
  assertMentions(without.explanation, ["p3 pull @fix/alpha ended crashed (allowed: ok)"]);
  assertStatus(check([{ ...crashed, rules: [crashRule] }]), "valid");
});

Deno.test("opOutcomesAllowed allows an injected error's failures but never a time-out", () => {
  for (const cls of ["failed", "partial", "busy-exhausted", "lock-exhausted"] as const) {
    const op = pullOp(4, ALPHA, { type: "info", class: cls, exitCode: 1, rules: [errorRule] });
    assertStatus(check([op]), "valid");
  }
  const hung = pullOp(4, ALPHA, { type: "info", class: "timeout", rules: [errorRule] });
  const verdict = check([hung]);
  assertStatus(verdict, "invalid");
  assertMentions(verdict.explanation, [
    "p4 pull @fix/alpha ended timeout",
    "busy-exhausted",
    "lock-exhausted",
  ]);
});

Deno.test("opOutcomesAllowed leaves set-up to the harness and holds recovery actions to success", () => {
  // The harness aborts an iteration whose set-up failed; the invariant does not judge it.
  const init = historyOp(0, { op: "init" }, { phase: "setup", type: "info", class: "failed" });
  const setupOnly = check([init]);
  assertStatus(setupOnly, "valid");
  assertMentions(setupOnly.explanation, ["All 0 op(s)"]);

  const unlock = historyOp(1, { op: "remove-stale-lock" }, {
    phase: "recovery",
    type: "info",
    class: "failed",
    exitCode: 1,
  });
  const verdict = check([unlock], { phase: "recovery", outcomes: { rm: ["failed"] } });
  assertStatus(verdict, "invalid");
  assertMentions(verdict.explanation, ["r1 remove-stale-lock ended failed (allowed: ok)"]);
  const ctx = checkContext({ outcomes: {} });
  assert.deepEqual([...allowedOutcomes(ctx, historyOp(0, { op: "init" }))], ["ok"]);
});

Deno.test("opOutcomesAllowed judges each phase by its own ops and cuts long lists", () => {
  const bad = [0, 1, 2, 3, 4, 5].map((i) =>
    pullOp(i, ALPHA, { type: "info", class: "failed", exitCode: 1 })
  );
  const retry = pullOp(0, ALPHA, { phase: "recovery", window: [200, 210] });
  const run = check([...bad, retry]);
  assertMentions(run.explanation, ["p0 pull @fix/alpha ended failed", "and 2 more"]);
  assert.deepEqual(run.evidence.processes, [0, 1, 2, 3, 4, 5]);
  assertStatus(check([...bad, retry], { phase: "recovery" }), "valid");

  const long = pullOp(9, ALPHA, {
    type: "info",
    class: "failed",
    exitCode: 1,
    message: "x".repeat(400),
  });
  const cut = check([long]);
  assertMentions(cut.explanation, [`("${"x".repeat(160)}")`]);
  assert.ok(!cut.explanation.includes("x".repeat(161)), cut.explanation);
});
