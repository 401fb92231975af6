import assert from "node:assert/strict";
import { eventMarkerPath, exitMarkerPath, type ShimRule } from "../../faults/rule.ts";
import { holdStart } from "./start_gate.ts";
import { wallMs } from "./process.ts";

const EVENT = { point: "lock.acquire", phase: "after", hit: 1 } as const;

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
      untilEvents: [{ process: 0, ...EVENT }],
    },
  };
}

/** Writes `path` after `ms`; resolves with the wall time it was written at. */
function later(ms: number, path: string): Promise<number> {
  return new Promise((resolve) => setTimeout(resolve, ms))
    .then(() => Deno.writeTextFile(path, ""))
    .then(() => wallMs());
}

Deno.test("holdStart() waits for every condition: the awaited event and the awaited exit", async () => {
  for (const order of ["event first", "exit first"] as const) {
    const dir = await Deno.makeTempDir();
    try {
      const [first, second] = order === "event first"
        ? [eventMarkerPath(dir, 0, EVENT), exitMarkerPath(dir, 2)]
        : [exitMarkerPath(dir, 2), eventMarkerPath(dir, 0, EVENT)];
      const announce = Promise.all([later(40, first), later(90, second)]);
      const event = await holdStart(dir, 1, pauseRule(60_000), () => false, 60_000);
      const [, secondAtMs] = await announce;
      assert.equal(event.released, true, order);
      // It held until the second condition, not only the first.
      assert.ok(
        event.atMs + (event.pausedMs ?? 0) >= secondAtMs - 1,
        `${order}: released before the second marker`,
      );
      assert.deepEqual(
        [event.process, event.point, event.phase, event.hit, event.action, event.rule],
        [1, "process.start", "before", 1, "pause", "faults[1]"],
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  }
});

Deno.test("holdStart() gives up at its timeout, at the process's limit, or when the run is ending", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const timedOut = await holdStart(dir, 1, pauseRule(60), () => false, 5_000);
    assert.equal(timedOut.released, false);
    assert.ok((timedOut.pausedMs ?? 0) >= 60);
    // The process's limit (60 ms), not the pause's own 60 s timeout, ends the wait.
    const limited = await holdStart(dir, 1, pauseRule(60_000), () => false, 60);
    assert.equal(limited.released, false);
    assert.ok((limited.pausedMs ?? 0) >= 60 && (limited.pausedMs ?? 0) < 60_000);
    // So does the run ending.
    const stopped = await holdStart(dir, 1, pauseRule(60_000), () => true, 60_000);
    assert.equal(stopped.released, false);
    assert.ok((stopped.pausedMs ?? 0) < 60_000);
    await assert.rejects(
      holdStart(dir, 1, { ...pauseRule(1), at: "lock.acquire" }, () => false, 5_000),
      /needs a pause at process.start/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
