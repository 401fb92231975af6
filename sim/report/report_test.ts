import assert from "node:assert/strict";
import { historyOf, historyOp } from "../check/invariants/_fixtures.ts";
import { iterationNotes, replayCommand } from "./report.ts";
import type { Scenario } from "../scenario/load.ts";

Deno.test("iterationNotes() names pauses released by their timeout and capped event logs", () => {
  const parked = historyOp(1, { op: "pull", ref: "@fix/alpha" });
  parked.events = [
    {
      seq: 1,
      process: 1,
      pid: 11,
      point: "process.start",
      phase: "before",
      hit: 1,
      action: "pause",
      released: false,
      pausedMs: 600,
      atMs: 0,
    },
    {
      seq: 2,
      process: 1,
      pid: 11,
      point: "lock.acquire",
      phase: "before",
      hit: 1,
      action: "pause",
      released: true,
      pausedMs: 20,
      atMs: 1,
    },
  ];
  const capped = {
    ...historyOp(0, { op: "list" }, { phase: "recovery" }),
    eventsCapped: true as const,
  };
  assert.deepEqual(iterationNotes({ history: historyOf([parked, capped]) }), [
    "p1 was released by its pause timeout at before process.start (hit 1, 600 ms), not by what it waited for",
    "r0 reached the event limit: its later points are not in the history",
  ]);
  assert.deepEqual(iterationNotes({ history: historyOf([historyOp(0, { op: "list" })]) }), []);
});

Deno.test("replayCommand() carries --swamp, quoting a dir that is not one plain word", () => {
  const scenario = { file: "scenarios/x.yaml" } as Scenario;
  assert.equal(
    replayCommand(scenario, { seed: 3, iteration: 1, swamp: "/src/swamp" }),
    "deno task sim scenarios/x.yaml --seed 3 --iteration 1 --swamp /src/swamp",
  );
  assert.equal(
    replayCommand({ file: "my x.yaml" } as Scenario, {
      seed: 3,
      iteration: 0,
      swamp: "/it's here",
    }),
    "deno task sim 'my x.yaml' --seed 3 --iteration 0 --swamp '/it'\\''s here'",
  );
});
