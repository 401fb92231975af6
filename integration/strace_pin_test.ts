/**
 * A race pinned under strace by attempts: process 1 is spawned only once
 * process 0's trace shows it holding the lock, process 0 is stopped there
 * until process 1's 9th attempt was refused, and process 1 is stopped after
 * that attempt until process 0 released the lock. Checked on the history,
 * not only on the verdicts: every pause must end because its event was
 * announced (not by its timeout), and process 1 must take the lock at its
 * 10th attempt, exactly.
 *
 * @module
 */

import assert from "node:assert/strict";
import { EXIT } from "../sim/shared/exit_codes.ts";
import { simulate } from "../sim/drive/simulate.ts";

const SCENARIO = new URL("../scenarios/lock-budget-edge-strace.yaml", import.meta.url).pathname;

Deno.test("lock-budget-edge-strace.yaml: process 1 meets process 0's held lock 9 times and takes it at its 10th", async () => {
  const reportDir = await Deno.makeTempDir({ prefix: "swamp-sim-strace-pin-test-" });
  try {
    const result = await simulate({ scenario: SCENARIO, reportDir, log: () => {} });
    assert.equal(result.exitCode, EXIT.pass);
    const ops = result.results[0].history.ops.filter((o) => o.phase === "run");
    const [holder, waiter] = ops;
    const start = waiter.events.find((e) => e.point === "process.start");
    assert.equal(start?.action, "pause");
    assert.equal(start?.released, true, "released by the announcement, not by its timeout");
    const holderLock = holder.events.find((e) => e.point === "lock.acquire" && e.phase === "after");
    assert.ok(holderLock !== undefined && start !== undefined);
    assert.ok(
      waiter.invokeMs >= holderLock.atMs,
      "process 1 was spawned after process 0's lock openat returned",
    );
    const attempts = waiter.events.filter((e) => e.point === "lock.acquire" && e.phase === "after");
    assert.deepEqual(attempts.map((e) => e.threw), [...Array(9).fill(true), false]);
    const holderPause = holder.events.find((e) => e.action === "pause");
    assert.deepEqual(
      [holderPause?.point, holderPause?.phase, holderPause?.hit, holderPause?.released],
      ["lock.acquire", "after", 1, true],
    );
    assert.deepEqual(
      waiter.events.filter((e) => e.action === "pause").map((e) => [e.point, e.hit, e.released]),
      [["process.start", 1, true], ["lock.acquire", 9, true]],
    );
    assert.deepEqual(ops.map((o) => o.outcome.class), ["ok", "ok"]);
  } finally {
    await Deno.remove(reportDir, { recursive: true });
  }
});
