import assert from "node:assert/strict";
import type { FaultEvent } from "../../faults/event.ts";
import type { IterationResult } from "../check/iteration.ts";
import { historyOp } from "../check/invariants/_fixtures.ts";
import { parseScenario } from "../scenario/load.ts";
import { opKey, type Step } from "../scenario/explore.ts";
import { ExploreSearch, parseExploreBudget } from "./explore.ts";

const TEXT = `name: search
proves: The search counts what it explored.
seed: 3
fixture:
  registry:
    - name: "@fix/alpha"
      versions: [{ version: 2026.01.01.1 }]
workload:
  processes:
    - { op: pull, ref: "@fix/alpha" }
    - { op: rm, name: "@fix/alpha" }
explore: { depth: 2, coverageTarget: 0.5 }
`;

const LOCK = "/w/repo/extensions/models/upstream_extensions.json.lock";
const acquire: Step = { point: "lock.acquire", phase: "before", hit: 1, resource: "lock" };

function ev(process: number, atMs: number, extra: Partial<FaultEvent> = {}): FaultEvent {
  return {
    seq: 0,
    process,
    pid: 1,
    point: "lock.acquire",
    phase: "before",
    hit: 1,
    action: "none",
    atMs,
    target: LOCK,
    ...extra,
  };
}

/** A judged iteration whose run ops logged `events` (by process). */
function result(iteration: number, events: FaultEvent[][], passed = true): IterationResult {
  return {
    iteration,
    plan: { scenario: "search", seed: 3, iteration, processes: [] },
    history: {
      scenario: "search",
      seed: 3,
      iteration,
      ops: events.map((e, p) => ({ ...historyOp(p, { op: "list" }), events: e })),
    },
    verdicts: [],
    witnesses: [],
    judgements: passed ? [] : [{
      verdict: {
        invariant: "lockfile-well-formed",
        phase: "run",
        status: "invalid",
        explanation: "x",
        evidence: {},
      },
      expectation: "hold",
      pass: false,
    }],
    layerStates: { run: {} },
    passed,
    ...(passed ? {} : { failure: { class: "invariant" as const, reason: "x" } }),
    durationMs: 1,
    checkMs: 0,
  } as IterationResult;
}

Deno.test("parseExploreBudget() reads an iteration count or a duration, and refuses the rest", () => {
  assert.deepEqual(parseExploreBudget("50"), { iterations: 50 });
  assert.deepEqual(parseExploreBudget("45s"), { durationMs: 45_000 });
  assert.deepEqual(parseExploreBudget("10m"), { durationMs: 600_000 });
  assert.deepEqual(parseExploreBudget("2h"), { durationMs: 7_200_000 });
  assert.match(parseExploreBudget("10001") as string, /1 to 10000 iterations/);
  assert.match(parseExploreBudget("0s") as string, /1 s to 24 h/);
  assert.match(parseExploreBudget("1.5m") as string, /iteration count or a duration/);
});

Deno.test("ExploreSearch counts coverage of explored iterations only, distinct schedules and failures once", () => {
  const scenario = parseScenario(TEXT, "search.yaml", "/s/search.yaml");
  const steps = {
    [opKey({ op: "pull", ref: "@fix/alpha" })]: [acquire],
    [opKey({ op: "rm", name: "@fix/alpha" })]: [acquire],
  };
  const search = new ExploreSearch(scenario, steps, []);
  // Two possible pairs: p0 before p1 and p1 before p0.
  assert.equal(search.coverage().possible, 2);
  // A schedule whose pause timed out covers nothing.
  const timedOut = ev(1, 5, {
    point: "process.start",
    action: "pause",
    rule: "explore[1]",
    released: false,
  });
  assert.match(
    search.record(result(0, [[ev(0, 10)], [timedOut, ev(1, 20)]])) ?? "",
    /pause timeout/,
  );
  assert.equal(search.coverage().covered, 0);
  assert.equal(search.record(result(1, [[ev(0, 10)], [ev(1, 20)]], false)), undefined);
  assert.equal(search.record(result(2, [[ev(0, 10)], [ev(1, 20)]], false)), undefined);
  assert.equal(search.coverage().covered, 1);
  assert.equal(search.targetReached(), true, "1 of 2 pairs reaches the 0.5 target");
  const summary = search.summary();
  assert.deepEqual(
    [
      summary.iterations,
      summary.explored,
      summary.distinctSchedules,
      summary.failures,
      summary.distinctFailures,
    ],
    [3, 2, 1, 2, 1],
  );
  assert.deepEqual(summary.coveredPairs.lock, [
    "p0 lock.acquire before #1 < p1 lock.acquire before #1",
  ]);
  assert.deepEqual(summary.missed.map((m) => m.iteration), [0]);
});
