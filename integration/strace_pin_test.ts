/**
 * A race pinned under strace: process 1 is spawned only once process 0's
 * trace shows it holding the lock, so process 1 always meets the held lock.
 * Checked on the history, not only on the verdicts: the held start must end
 * because the event was announced (not by its timeout), and process 1 must
 * retry the lock at least once.
 *
 * @module
 */

import assert from "node:assert/strict";
import { EXIT } from "../sim/shared/exit_codes.ts";
import { simulate } from "../sim/drive/simulate.ts";

const SCENARIO = new URL("../scenarios/lock-budget-edge-strace.yaml", import.meta.url).pathname;

Deno.test("lock-budget-edge-strace.yaml: process 1 starts on process 0's announced lock and meets it", async () => {
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
    const attempts = waiter.events.filter((e) =>
      e.point === "lock.acquire" && e.phase === "before"
    );
    assert.ok(attempts.length >= 2, `process 1 met the held lock (${attempts.length} attempt(s))`);
    assert.deepEqual(ops.map((o) => o.outcome.class), ["ok", "ok"]);
  } finally {
    await Deno.remove(reportDir, { recursive: true });
  }
});
