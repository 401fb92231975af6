import assert from "node:assert/strict";
import { EXIT } from "../shared/exit_codes.ts";
import { StopOnSignal } from "./stop_on_signal.ts";

Deno.test("StopOnSignal stops after an interrupted run's exit code, and after a signal it received", async () => {
  const guard = new StopOnSignal();
  try {
    assert.equal(guard.shouldStop(), false);
    assert.equal(guard.shouldStop(EXIT.invariant), false);
    assert.equal(guard.shouldStop(EXIT.sigint), true);
    assert.equal(guard.shouldStop(EXIT.sigterm), true);
    assert.equal(guard.exitCode(), undefined);
    // A SIGTERM to this process is taken by the guard instead of ending it.
    Deno.kill(Deno.pid, "SIGTERM");
    for (let polls = 0; guard.signal === undefined && polls < 1000; polls++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    assert.equal(guard.signal, "SIGTERM");
    assert.equal(guard.shouldStop(), true);
    assert.equal(guard.exitCode(), EXIT.sigterm);
  } finally {
    guard.dispose();
  }
});
