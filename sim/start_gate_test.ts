import assert from "node:assert/strict";
import { eventMarkerPath, exitMarkerPath, type ShimRule } from "../faults/rule.ts";
import { holdStart } from "./start_gate.ts";

function pauseRule(timeoutMs: number): ShimRule {
  return {
    id: "faults[1]",
    at: "process.start",
    when: "before",
    hit: { nth: 1 },
    action: {
      kind: "pause",
      timeoutMs,
      untilExitOf: [2],
      untilEvents: [{ process: 0, point: "lock.acquire", phase: "after", hit: 1 }],
    },
  };
}

Deno.test("holdStart() waits until the awaited exit and event are announced", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const announce = (async () => {
      await new Promise((resolve) => setTimeout(resolve, 40));
      await Deno.writeTextFile(exitMarkerPath(dir, 2), "");
      await new Promise((resolve) => setTimeout(resolve, 40));
      await Deno.writeTextFile(
        eventMarkerPath(dir, 0, { point: "lock.acquire", phase: "after", hit: 1 }),
        "",
      );
    })();
    const event = await holdStart(dir, 1, pauseRule(5_000), () => false);
    await announce;
    assert.equal(event.released, true);
    assert.ok((event.pausedMs ?? 0) >= 80, `waited ${event.pausedMs} ms`);
    assert.deepEqual(
      [event.process, event.point, event.phase, event.hit, event.action, event.rule],
      [1, "process.start", "before", 1, "pause", "faults[1]"],
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("holdStart() gives up at its timeout, or at once when the run is ending", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const timedOut = await holdStart(dir, 1, pauseRule(60), () => false);
    assert.equal(timedOut.released, false);
    assert.ok((timedOut.pausedMs ?? 0) >= 60);
    const stopped = await holdStart(dir, 1, pauseRule(5_000), () => true);
    assert.equal(stopped.released, false);
    assert.ok((stopped.pausedMs ?? 0) < 1_000);
    await assert.rejects(
      holdStart(dir, 1, { ...pauseRule(1), at: "lock.acquire" }, () => false),
      /needs a pause at process.start/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
