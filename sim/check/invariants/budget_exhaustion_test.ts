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
import { noBusyExhaustion, noLockExhaustion } from "./budget_exhaustion.ts";

const LOCK_MESSAGE =
  "Could not acquire lock on upstream_extensions.json. Another operation may be in progress. Please retry.";

function lock(...ops: Parameters<typeof historyOf>[0]) {
  return verdictOf(noLockExhaustion, checkContext({ history: historyOf(ops) }));
}

function busy(...ops: Parameters<typeof historyOf>[0]) {
  return verdictOf(noBusyExhaustion, checkContext({ history: historyOf(ops) }));
}

Deno.test("noLockExhaustion and noBusyExhaustion hold when no op gave up on a budget", () => {
  const ops = [
    pullOp(0, ALPHA),
    rmOp(1, BETA, { type: "fail", stderr: "Extension @fix/beta is not installed." }),
  ];
  const l = lock(...ops);
  assertStatus(l, "valid");
  assertMentions(l.explanation, ["No op exhausted the advisory lock"]);
  const b = busy(...ops);
  assertStatus(b, "valid");
  assertMentions(b.explanation, ["No op exhausted the catalog"]);
});

Deno.test("noLockExhaustion names the process that gave up on the advisory lock", () => {
  const ops = [
    pullOp(0, ALPHA),
    rmOp(2, BETA, {
      type: "info",
      class: "lock-exhausted",
      exitCode: 1,
      stderr: `Error: ${LOCK_MESSAGE}`,
    }),
  ];
  const verdict = lock(...ops);
  assertStatus(verdict, "invalid");
  assertMentions(verdict.explanation, [
    "p2 rm @fix/beta gave up acquiring upstream_extensions.json.lock after its 10 attempts",
  ]);
  assert.deepEqual(verdict.evidence.processes, [2]);
  assertStatus(busy(...ops), "valid");
});

Deno.test("noBusyExhaustion names the process that gave up on a locked catalog", () => {
  const stderr = JSON.stringify({ error: "database is locked", code: "lock_timeout" }, null, 2);
  const byMessage = busy(
    pullOp(4, ALPHA, { type: "info", class: "busy-exhausted", exitCode: 75, stderr }),
  );
  assertStatus(byMessage, "invalid");
  assertMentions(byMessage.explanation, [
    "p4 pull @fix/alpha gave up on a locked catalog (SQLITE_BUSY)",
  ]);
  assert.deepEqual(byMessage.evidence.processes, [4]);

  // Exit 75 is swamp's lock_timeout even when stderr was lost.
  const byExit = busy(pullOp(5, ALPHA, { type: "info", class: "busy-exhausted", exitCode: 75 }));
  assertStatus(byExit, "invalid");
  assertMentions(byExit.explanation, ["p5 pull @fix/alpha gave up on a locked catalog"]);

  const partial = pullOp(6, ALPHA, {
    type: "info",
    class: "partial",
    stderr:
      "Install partially applied for @fix/alpha — files extracted but the catalog write failed (database is busy).",
  });
  const inPartial = busy(partial);
  assertStatus(inPartial, "invalid");
  assertMentions(inPartial.explanation, ["p6 pull @fix/alpha gave up on a locked catalog"]);
  assertStatus(lock(partial), "valid");
});

Deno.test("noLockExhaustion reads the failures inside an update that exited 0", () => {
  const update = updateOp(1, undefined, {
    json: updateJson([
      { name: ALPHA, status: "failed", from: V1, to: V2, error: `Update failed: ${LOCK_MESSAGE}` },
      { name: BETA, status: "up_to_date", from: V1 },
    ]),
  });
  const verdict = lock(update);
  assertStatus(verdict, "invalid");
  assertMentions(verdict.explanation, [
    "p1 update gave up acquiring upstream_extensions.json.lock",
  ]);
});

Deno.test("noLockExhaustion and noBusyExhaustion each report only their own budget", () => {
  const ops = [
    rmOp(2, BETA, { type: "info", stderr: LOCK_MESSAGE, exitCode: 1 }),
    pullOp(3, ALPHA, { type: "info", exitCode: 75 }),
  ];
  const l = lock(...ops);
  assertStatus(l, "invalid");
  assertMentions(l.explanation, ["p2 rm @fix/beta gave up acquiring"]);
  assert.deepEqual(l.evidence.processes, [2]);
  const b = busy(...ops);
  assertStatus(b, "invalid");
  assertMentions(b.explanation, ["p3 pull @fix/alpha gave up on a locked catalog"]);
  assert.deepEqual(b.evidence.processes, [3]);
});
