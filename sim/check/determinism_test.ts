import assert from "node:assert/strict";
import type { FaultEvent } from "../../faults/event.ts";
import { compareRuns, firstDifference, historyShape, judgeRuns } from "./determinism.ts";
import { historyOf, historyOp } from "./invariants/_fixtures.ts";
import type { IterationResult } from "./iteration.ts";

function event(partial: Partial<FaultEvent>): FaultEvent {
  return {
    seq: 1,
    process: 1,
    pid: 500,
    point: "lock.acquire",
    phase: "before",
    hit: 1,
    action: "none",
    atMs: 1_000,
    ...partial,
  };
}

/** A run in which p1's pull polled the lock `polls` times and ended `outcome`. */
function runOf(
  options: { polls: number; outcome?: "ok" | "lock-exhausted"; shift?: number },
): IterationResult {
  const shift = options.shift ?? 0;
  const parked = historyOp(0, { op: "pull", ref: "@fix/alpha" }, { window: [shift, 600 + shift] });
  parked.pid = 400 + shift;
  parked.events = [
    event({
      process: 0,
      point: "lockfile.write",
      action: "pause",
      rule: "faults[0]",
      released: false,
      pausedMs: 600 + shift,
      atMs: 5 + shift,
    }),
  ];
  const waiter = historyOp(1, { op: "pull", ref: "@fix/beta" }, {
    window: [10 + shift, 700 + shift],
    ...(options.outcome === "lock-exhausted"
      ? { type: "fail" as const, class: "lock-exhausted" as const }
      : {}),
  });
  waiter.events = Array.from(
    { length: options.polls },
    (_, i) => event({ hit: i + 1, atMs: 100 * i + shift }),
  );
  return {
    iteration: 0,
    plan: { scenario: "s", seed: 1, iteration: 0, processes: [] },
    history: historyOf([parked, waiter]),
    verdicts: [{
      invariant: "no-lock-exhaustion",
      phase: "run",
      status: options.outcome === "lock-exhausted" ? "invalid" : "valid",
      explanation: "",
      evidence: {},
    }],
    judgements: [],
    witnesses: [],
    layerStates: {
      run: {
        "@fix/beta": {
          files: "2026.01.01.1",
          lockfile: options.outcome === "lock-exhausted" ? "absent" : "2026.01.01.1",
          catalog: "absent",
        },
      },
    },
    passed: true,
    durationMs: 700,
    checkMs: 1,
  };
}

Deno.test("historyShape() keeps what the plan fixes and drops times, pids and plain polls", () => {
  const shape = historyShape(runOf({ polls: 6 }));
  assert.deepEqual(shape.ops, [
    "p0 pull @fix/alpha -> ok (exit 0); before lockfile.write #1 pause [faults[0]] (released by timeout)",
    "p1 pull @fix/beta -> ok (exit 0)",
  ]);
  assert.deepEqual(shape.layers, [
    "run @fix/beta: files=2026.01.01.1 lockfile=2026.01.01.1 catalog=absent",
  ]);
  assert.deepEqual(shape.verdicts, ["no-lock-exhaustion@run valid"]);
  // Another run: other times, pids and number of polls, same shape.
  assert.deepEqual(historyShape(runOf({ polls: 7, shift: 33 })), shape);
});

Deno.test("compareRuns() counts distinct shapes and names the first difference", () => {
  const same = compareRuns([runOf({ polls: 6 }), runOf({ polls: 5, shift: 9 })].map(historyShape));
  assert.deepEqual(same, { runs: 2, distinct: 1, sameAs: [0, 0] });
  const report = compareRuns(
    [runOf({ polls: 6 }), runOf({ polls: 6 }), runOf({ polls: 10, outcome: "lock-exhausted" })].map(
      historyShape,
    ),
  );
  assert.equal(report.distinct, 2);
  assert.deepEqual(report.sameAs, [0, 0, 2]);
  assert.equal(
    report.difference,
    'run 1 vs run 3: ops line 2: "p1 pull @fix/beta -> ok (exit 0)" vs "p1 pull @fix/beta -> lock-exhausted (exit 1)"',
  );
  assert.equal(
    firstDifference(historyShape(runOf({ polls: 1 })), historyShape(runOf({ polls: 2 }))),
    undefined,
  );
  assert.throws(() => compareRuns([]), /at least one run/);
});

Deno.test("judgeRuns() fails a pinned iteration whose runs differ, else takes a failing run first", () => {
  const runs = [runOf({ polls: 6 }), runOf({ polls: 10, outcome: "lock-exhausted" })];
  const report = compareRuns(runs.map(historyShape));
  const judged = judgeRuns(runs, report, true);
  assert.equal(judged.passed, false);
  assert.equal(judged.failure?.class, "determinism");
  assert.match(
    judged.failure?.reason ?? "",
    /^2 distinct history shapes over 2 runs of one plan; run 1 vs run 2: ops line 2/,
  );
  assert.equal(judgeRuns(runs, report, false).passed, true, "an unpinned scenario only reports");
  assert.equal(judgeRuns([runs[0]], undefined, true), runs[0]);
  const failing = {
    ...runs[1],
    passed: false,
    failure: { class: "invariant" as const, reason: "x" },
  };
  // Runs that differ are a determinism failure even when one of them failed too.
  const both = judgeRuns([runs[0], failing], report, true);
  assert.equal(both.failure?.class, "determinism");
  assert.match(both.failure?.reason ?? "", /; run 2 failed: x$/);
  // Runs that agree, or an unpinned scenario: the failing run is the result.
  const agreeing = compareRuns([historyShape(failing), historyShape(failing)]);
  assert.equal(judgeRuns([failing, failing], agreeing, true), failing);
  assert.equal(judgeRuns([runs[0], failing], report, false), failing);
});
