import assert from "node:assert/strict";
import type { FaultEvent } from "../../faults/event.ts";
import type { Phase, Point } from "../../faults/vocabulary.ts";
import type { Step } from "../scenario/explore.ts";
import { historyOp } from "./invariants/_fixtures.ts";
import {
  coverageOf,
  observedPairs,
  pairKey,
  possiblePairs,
  ratio,
  scheduleMissed,
} from "./coverage.ts";

const PATTERNS = { extractDir: "/.swamp/pulled-extensions/" };
const LOCK = "/w/repo/extensions/models/upstream_extensions.json.lock";
const FILE = "/w/repo/.swamp/pulled-extensions/@f/a/m.yaml";

function ev(
  process: number,
  point: Point,
  phase: Phase,
  hit: number,
  atMs: number,
  target?: string,
): FaultEvent {
  return {
    seq: 0,
    process,
    pid: 1,
    point,
    phase,
    hit,
    action: "none",
    atMs,
    ...(target === undefined ? {} : { target }),
  };
}

function opWith(process: number, events: FaultEvent[]) {
  return { ...historyOp(process, { op: "list" }), events };
}

const lockSteps: Step[] = [
  { point: "lock.acquire", phase: "before", hit: 1, resource: "lock" },
  { point: "lock.release", phase: "before", hit: 1, resource: "lock" },
];

Deno.test("possiblePairs() pairs the steps of different processes on one resource, both ways", () => {
  const steps: Step[][] = [
    [{ point: "registry.fetch", phase: "before", hit: 1 }, ...lockSteps],
    [...lockSteps, { point: "fs.extract", phase: "after", hit: 1, resource: "files:@f/a/m.yaml" }],
  ];
  const pairs = possiblePairs(steps);
  // 2 lock steps x 2 lock steps, in both directions; nothing pairs with the fetch or the file.
  assert.equal(pairs.size, 8);
  assert.equal(pairs.get(pairKey(0, lockSteps[0], 1, lockSteps[1])), "lock");
  assert.ok([...pairs.values()].every((l) => l === "lock"));
});

Deno.test("observedPairs() pairs each step with the other process's last step on its resource before it", () => {
  // p0 acquires at 10 and releases at 20; p1 acquires at 15 (fails) and at 25.
  const history = {
    ops: [
      opWith(0, [
        ev(0, "lock.acquire", "before", 1, 10, LOCK),
        ev(0, "fs.extract", "before", 1, 12, FILE),
        ev(0, "lock.release", "before", 1, 20, LOCK),
      ]),
      opWith(1, [
        ev(1, "lock.acquire", "before", 1, 15, LOCK),
        ev(1, "lock.acquire", "before", 2, 25, LOCK),
        ev(1, "registry.fetch", "before", 1, 30, "http://r"),
      ]),
    ],
  };
  const pairs = [...observedPairs(history, PATTERNS)].sort();
  assert.deepEqual(pairs, [
    "p0 lock.acquire before #1 < p1 lock.acquire before #1",
    // The last step of p0 on the lock before p1's second attempt is its release, not its acquire.
    "p0 lock.release before #1 < p1 lock.acquire before #2",
    "p1 lock.acquire before #1 < p0 lock.release before #1",
  ]);
});

Deno.test("observedPairs() ignores set-up and recovery ops and steps on other files", () => {
  const other = "/w/repo/.swamp/pulled-extensions/@f/b/m.yaml";
  const history = {
    ops: [
      opWith(0, [ev(0, "fs.extract", "before", 1, 10, FILE)]),
      opWith(1, [ev(1, "fs.extract", "before", 1, 20, other)]),
      { ...opWith(2, [ev(2, "fs.extract", "before", 1, 30, FILE)]), phase: "recovery" as const },
    ],
  };
  assert.deepEqual([...observedPairs(history, PATTERNS)], []);
});

Deno.test("coverageOf() counts only possible pairs, in total and per layer", () => {
  const possible = new Map([["a", "lock" as const], ["b", "lock" as const], [
    "c",
    "files" as const,
  ]]);
  const summary = coverageOf(possible, new Set(["a", "c", "not-possible"]));
  assert.deepEqual(summary, {
    covered: 2,
    possible: 3,
    layers: {
      lock: { covered: 1, possible: 2 },
      catalog: { covered: 0, possible: 0 },
      files: { covered: 1, possible: 1 },
    },
  });
  assert.equal(ratio(summary.layers.catalog), 0);
  assert.equal(ratio(summary), 2 / 3);
});

Deno.test("scheduleMissed() names a schedule pause released by its timeout, and only those", () => {
  const paused = (rule: string, released: boolean): FaultEvent => ({
    ...ev(1, "process.start", "before", 1, 5),
    action: "pause",
    rule,
    released,
    pausedMs: 100,
  });
  assert.equal(scheduleMissed({ ops: [opWith(1, [paused("explore[1]", true)])] }), undefined);
  assert.equal(scheduleMissed({ ops: [opWith(1, [paused("faults[0]", false)])] }), undefined);
  assert.match(
    scheduleMissed({ ops: [opWith(1, [paused("explore[2]", false)])] }) ?? "",
    /^p1 was released by its pause timeout at before process\.start #1 \(explore\[2\]\)/,
  );
});
