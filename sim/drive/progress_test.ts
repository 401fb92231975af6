import assert from "node:assert/strict";
import { PLAIN_PROGRESS_MS, progressSink } from "./progress.ts";

function output(isTerminal: boolean) {
  const written: string[] = [];
  const clock = { nowMs: 0 };
  const sink = progressSink({
    isTerminal,
    write: (text) => void written.push(text),
    nowMs: () => clock.nowMs,
  });
  return { sink, written, clock };
}

Deno.test("progressSink() rewrites one line in place on a terminal and clears it before other output", () => {
  const { sink, written } = output(true);
  sink.show("explore: 1/3 iterations");
  sink.show("explore: 2/3 iterations");
  sink.clear();
  sink.clear();
  assert.deepEqual(written, [
    "\r\x1b[2Kexplore: 1/3 iterations",
    "\r\x1b[2Kexplore: 2/3 iterations",
    "\r\x1b[2K",
  ]);
});

Deno.test("progressSink() prints plain lines, at most one per interval, when not on a terminal", () => {
  const { sink, written, clock } = output(false);
  sink.show("a");
  clock.nowMs = PLAIN_PROGRESS_MS - 1;
  sink.show("b");
  clock.nowMs = PLAIN_PROGRESS_MS;
  sink.show("c");
  sink.clear();
  assert.deepEqual(written, ["a\n", "c\n"]);
});
