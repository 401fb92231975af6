import assert from "node:assert/strict";
import type { ExploreSummary } from "./explore_summary.ts";
import { mergeExploreSummaries, textKey } from "./explore_summary.ts";
import { asShardSummary, mergeJunit, mergeSummaries, type ShardSummary } from "./merge.ts";

function explore(overrides: Partial<ExploreSummary>): ExploreSummary {
  return {
    depth: 2,
    crash: false,
    learned: [{ op: "pull @f/a", key: "k", outcome: "ok", steps: 20, durationMs: 5 }],
    iterations: 2,
    explored: 2,
    missed: [],
    distinctSchedules: 1,
    coverage: {
      covered: 1,
      possible: 4,
      layers: {
        lock: { covered: 1, possible: 2 },
        catalog: { covered: 0, possible: 2 },
        files: { covered: 0, possible: 0 },
      },
    },
    failures: 0,
    distinctFailures: 0,
    stoppedBy: "iterations",
    coveredPairs: { lock: ["a"], catalog: [], files: [] },
    scheduleKeys: ["s1"],
    failureKeys: [],
    ...overrides,
  };
}

function shard(iterations: number[], overrides: Partial<ShardSummary> = {}): ShardSummary {
  return {
    exitCode: 0,
    options: { scenario: "x", file: "x.yaml", seed: 1, mutant: "none", target: "reference" },
    passed: iterations.length,
    failed: 0,
    iterations: iterations.map((i) => ({ iteration: i, passed: true, replay: `replay ${i}` })),
    invariants: [{
      invariant: "lockfile-well-formed",
      phases: {
        run: {
          valid: iterations.length,
          invalid: 0,
          unknown: 0,
          failedExpectation: 0,
          expectations: ["hold"],
        },
      },
    }],
    durationMs: 100,
    ...overrides,
  };
}

Deno.test("mergeExploreSummaries() adds up shards without counting a pair, schedule or failure twice", () => {
  const merged = mergeExploreSummaries([
    explore({ failures: 1, failureKeys: ["f"], scheduleKeys: ["s1", "s2"] }),
    explore({
      coveredPairs: { lock: ["a", "b"], catalog: ["c"], files: [] },
      failures: 2,
      failureKeys: ["f"],
      missed: [{ iteration: 1, reason: "r" }],
      explored: 1,
      stoppedBy: "budget",
    }),
  ]);
  assert.deepEqual(merged.coverage, {
    covered: 3,
    possible: 4,
    layers: {
      lock: { covered: 2, possible: 2 },
      catalog: { covered: 1, possible: 2 },
      files: { covered: 0, possible: 0 },
    },
  });
  assert.deepEqual(
    [
      merged.iterations,
      merged.explored,
      merged.distinctSchedules,
      merged.failures,
      merged.distinctFailures,
    ],
    [4, 3, 2, 3, 1],
  );
  assert.equal(merged.stoppedBy, "budget");
  assert.throws(
    () => mergeExploreSummaries([explore({}), explore({ depth: 3 })]),
    /summary 2 comes from another search/,
  );
});

Deno.test("mergeSummaries() puts the shards' iterations in order with the worst exit code and first failure", () => {
  const failing = shard([1, 3], {
    exitCode: 1,
    passed: 1,
    failed: 1,
    iterations: [
      { iteration: 1, passed: true, replay: "replay 1" },
      { iteration: 3, passed: false, replay: "replay 3" },
    ],
  });
  const merged = mergeSummaries([
    { dir: "a", summary: shard([0, 2]), junit: "" },
    { dir: "b", summary: failing, junit: "" },
  ]);
  assert.equal(merged.exitCode, 1);
  assert.equal(merged.replay, "replay 3");
  assert.deepEqual((merged.iterations as Array<{ iteration: number }>).map((i) => i.iteration), [
    0,
    1,
    2,
    3,
  ]);
  assert.deepEqual([merged.passed, merged.failed], [3, 1]);
  assert.deepEqual(
    (merged.invariants as ShardSummary["invariants"])[0].phases.run,
    { valid: 4, invalid: 0, unknown: 0, failedExpectation: 0, expectations: ["hold"] },
  );
  assert.throws(
    () =>
      mergeSummaries([{ dir: "a", summary: shard([0]), junit: "" }, {
        dir: "b",
        summary: shard([0]),
        junit: "",
      }]),
    /iteration 0 is in more than one shard/,
  );
  assert.throws(
    () =>
      mergeSummaries([
        { dir: "a", summary: shard([0]), junit: "" },
        {
          dir: "b",
          summary: shard([1], { options: { ...shard([]).options, seed: 2 } }),
          junit: "",
        },
      ]),
    /option seed differs/,
  );
});

Deno.test("asShardSummary() names what a file lacks", () => {
  assert.throws(
    () => asShardSummary({ exitCode: 0 }, "d/summary.json"),
    /d\/summary\.json: .*no options/,
  );
  assert.throws(() => asShardSummary([], "d/summary.json"), /no exitCode/);
});

Deno.test("mergeJunit() puts every shard's test suites under one root with the counts added", () => {
  const suite = (name: string, failed: boolean) =>
    `  <testsuite name="${name}" tests="1" failures="${failed ? 1 : 0}" errors="0">\n` +
    `    <testcase classname="x" name="i">${
      failed ? '<failure message="m" type="t">e</failure>' : ""
    }</testcase>\n` +
    `  </testsuite>`;
  const file = (...suites: string[]) =>
    `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="x" tests="0" failures="0" errors="0">\n${
      suites.join("\n")
    }\n</testsuites>\n`;
  const merged = mergeJunit("x", [
    file(suite("i0", false), suite("i2", true)),
    file(suite("i1", false)),
  ]);
  assert.match(merged, /<testsuites name="x" tests="3" failures="1" errors="0">/);
  assert.deepEqual([...merged.matchAll(/<testsuite name="(i\d)"/g)].map((m) => m[1]), [
    "i0",
    "i2",
    "i1",
  ]);
});

Deno.test("textKey() is stable and tells texts apart", () => {
  assert.equal(textKey("abc"), textKey("abc"));
  assert.notEqual(textKey("abc"), textKey("abd"));
  assert.match(textKey(""), /^[0-9a-f]{8}$/);
});
