import assert from "node:assert/strict";
import {
  estimateLeftMs,
  formatDuration,
  Progress,
  type ProgressOptions,
  statusLine,
} from "./progress.ts";

function harness(terminal: boolean, total = 4) {
  let nowMs = 1_000;
  const out: string[] = [];
  const options: ProgressOptions = {
    total,
    terminal,
    write: (text) => out.push(text),
    now: () => nowMs,
    heartbeatMs: 30_000,
    timerMs: 0,
    columns: () => 200,
  };
  return {
    progress: new Progress(options),
    out,
    advance: (ms: number) => {
      nowMs += ms;
    },
  };
}

Deno.test("formatDuration() reads as ms, s, minutes or hours", () => {
  assert.equal(formatDuration(850), "850 ms");
  assert.equal(formatDuration(4_140), "4.1 s");
  assert.equal(formatDuration(42_400), "42 s");
  assert.equal(formatDuration(185_000), "3m05s");
  assert.equal(formatDuration(3_725_000), "1h02m");
});

Deno.test("estimateLeftMs() is the rate so far times the jobs left, unknown before the first", () => {
  assert.equal(estimateLeftMs(0, 10, 5_000), undefined);
  assert.equal(estimateLeftMs(2, 10, 6_000), 24_000);
  assert.equal(estimateLeftMs(10, 10, 6_000), 0);
});

Deno.test("Progress writes a plain line per finished job with done/total, elapsed and time left", () => {
  const { progress, out, advance } = harness(false);
  progress.start("smoke x clean");
  advance(10_000);
  progress.finish("smoke x clean", "pass (exit 0, 10 s)");
  progress.stop();
  assert.deepEqual(out, [
    "[1/4] 10 s elapsed, ~30 s left: smoke x clean: pass (exit 0, 10 s)\n",
  ]);
});

Deno.test("Progress is never silent for a heartbeat: it names the jobs in flight, longest first", () => {
  const { progress, out, advance } = harness(false);
  progress.start("crash-sweep x clean");
  advance(5_000);
  progress.start("crash-sweep x lock-no-retry");
  advance(20_000);
  progress.tick();
  assert.deepEqual(out, [], "nothing before the heartbeat");
  advance(5_000);
  progress.tick();
  assert.deepEqual(out, [
    "[0/4] 30 s elapsed, time left unknown: still running: crash-sweep x clean (30 s), " +
    "crash-sweep x lock-no-retry (25 s)\n",
  ]);
  progress.tick();
  assert.equal(out.length, 1, "the next heartbeat waits another 30 s");
  advance(30_000);
  progress.tick();
  assert.equal(out.length, 2);
  progress.finish("crash-sweep x clean", "pass");
  progress.finish("crash-sweep x lock-no-retry", "caught");
  advance(60_000);
  progress.tick();
  assert.equal(out.length, 4, "no heartbeat with nothing running");
  progress.stop();
});

Deno.test("Progress on a terminal redraws one status line and keeps only notable results", () => {
  const { progress, out, advance } = harness(true);
  progress.start("smoke x clean");
  advance(2_000);
  progress.tick();
  progress.finish("smoke x clean", "pass");
  progress.start("smoke x lock-no-retry");
  progress.finish("smoke x lock-no-retry", "FAIL(1)", true);
  progress.stop();
  assert.ok(out.every((text) => text.startsWith("\r\x1b[K")), JSON.stringify(out));
  const clear = "\r\x1b[K";
  const kept = out.join("").split("\n").slice(0, -1).map((l) =>
    l.slice(l.lastIndexOf(clear) + clear.length)
  );
  assert.deepEqual(kept, [
    "[2/4] 2.0 s elapsed, ~2.0 s left: smoke x lock-no-retry: FAIL(1)",
  ]);
  assert.ok(
    out.includes("\r\x1b[K[0/4] 2.0 s elapsed, time left unknown | running: smoke x clean (2.0 s)"),
  );
  assert.equal(out.at(-1), "\r\x1b[K", "stop() clears the status line");
});

Deno.test("statusLine() fits the terminal's width", () => {
  const running = new Map(Array.from({ length: 20 }, (_, i) => [`scenario-${i} x clean`, 0]));
  const line = statusLine({ done: 1, total: 9, startedMs: 0, nowMs: 1_000, running }, 80);
  assert.equal(line.length, 79);
  assert.ok(line.endsWith("..."));
});

Deno.test("Progress refuses a total that is not a count", () => {
  assert.throws(
    () => new Progress({ total: -1, terminal: false, write: () => {}, timerMs: 0 }),
    /total of 0 or more jobs, got -1/,
  );
});
