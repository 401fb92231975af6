import assert from "node:assert/strict";
import { historyOf, historyOp } from "../check/invariants/_fixtures.ts";
import type { IterationResult } from "../check/iteration.ts";
import { formatSummary, iterationLines, optionLines, runSummaryLines } from "./console.ts";
import { summarise } from "./report.ts";

function resultOf(failing: boolean): IterationResult {
  const verdict = {
    invariant: "catalog-lockfile-bijection" as const,
    phase: "run" as const,
    status: failing ? "invalid" as const : "valid" as const,
    explanation: "The catalog has a row the lockfile lacks.",
    evidence: {},
  };
  return {
    iteration: 2,
    plan: { scenario: "s", seed: 3, iteration: 2, processes: [] },
    history: historyOf([historyOp(0, { op: "list" })]),
    verdicts: [verdict],
    judgements: [{ verdict, expectation: "hold", pass: !failing }],
    witnesses: [],
    layerStates: { run: {} },
    passed: !failing,
    ...(failing ? { failure: { class: "invariant" as const, reason: "bijection broke" } } : {}),
    durationMs: 1234,
    checkMs: 1.25,
  };
}

Deno.test("optionLines() prints the seed first, then every other option on one line", () => {
  assert.deepEqual(optionLines({ seed: 7, scenario: "s", keep: false }), [
    "seed=7",
    "scenario=s keep=false",
  ]);
});

Deno.test("iterationLines() puts a failure's replay first and its failed judgements last", () => {
  const context = { replay: "deno task sim s.yaml --seed 3 --iteration 2", deterministic: true };
  assert.deepEqual(iterationLines(resultOf(false), context), [
    "iteration 2: PASS  1 process(es), 0 not ok (fail or info), 0 crashed  (1.2 s, check 1.3 ms)",
  ]);
  assert.deepEqual(
    iterationLines(resultOf(true), {
      ...context,
      determinism: { runs: 2, distinct: 1, sameAs: [0, 0] },
    }),
    [
      "reproduce with: deno task sim s.yaml --seed 3 --iteration 2",
      "iteration 2: FAIL  1 process(es), 0 not ok (fail or info), 0 crashed  (1.2 s, check 1.3 ms)  [2 runs, 1 distinct history shape(s)]",
      "  invariant: bijection broke",
      "  catalog-lockfile-bijection (run, expected hold): invalid: The catalog has a row the lockfile lacks.",
    ],
  );
});

Deno.test("iterationLines() reads VACUOUS and names each witness that did not show", () => {
  const base = resultOf(false);
  const witness = {
    kind: "declared" as const,
    id: "witnesses[0]",
    process: 1,
    at: "lock.acquire" as const,
    when: "after" as const,
    atLeast: 1,
  };
  const vacuous: IterationResult = {
    ...base,
    passed: false,
    failure: {
      class: "vacuous",
      reason: "the pinned race did not happen: witnesses[0] did not show",
    },
    witnesses: [
      { witness, held: false, count: 0, explanation: "witnesses[0] did not show: 0 event(s)" },
      { witness: { ...witness, id: "witnesses[1]" }, held: true, count: 1, explanation: "ok" },
    ],
  };
  const lines = iterationLines(vacuous, { replay: "r", deterministic: true });
  assert.match(
    lines[1],
    /^iteration 2: VACUOUS {2}1 process\(es\), .*, witnesses 1\/2 shown {2}\(/,
  );
  assert.deepEqual(lines.slice(2), [
    "  vacuous: the pinned race did not happen: witnesses[0] did not show",
    "  witness: witnesses[0] did not show: 0 event(s)",
  ]);
});

Deno.test("runSummaryLines() names the first failure and shows sweep and shrink only when there are some", () => {
  const base = {
    summary: summarise([resultOf(false)]),
    exitCode: 0,
    passed: 1,
    iterations: 1,
    durationMs: 2_500,
    reportDir: "/r",
  };
  const plain = runSummaryLines(base);
  assert.equal(plain[0], "invariants:");
  assert.equal(plain.length, 3);
  assert.equal(plain[2], "result: PASS (1/1 iterations passed, exit 0) in 2.5 s; report: /r");
  const full = runSummaryLines({
    ...base,
    exitCode: 1,
    passed: 0,
    firstFailure: 0,
    sweep: [],
    shrunk: {
      from: { processes: 4, faults: 6 },
      to: { processes: 1, faults: 1 },
      runs: 17,
      file: "/r/shrunk.yaml",
      replay: "deno task sim /r/shrunk.yaml",
    },
  });
  assert.deepEqual(full.filter((_, i) => i !== 1 && i !== 3), [
    "invariants:",
    "sweep:",
    "shrunk: 4 process(es) and 6 fault rule(s) -> 1 and 1 in 17 run(s): /r/shrunk.yaml",
    "replay the shrunk scenario with: deno task sim /r/shrunk.yaml",
    "result: FAIL (0/1 iterations passed, exit 1; first failing iteration 0, its replay line is above) in 2.5 s; report: /r",
  ]);
  assert.equal(full.filter((l) => l.startsWith("reproduce with")).length, 0);
  const interrupted = runSummaryLines({ ...base, exitCode: 130, passed: 1, ran: 1, iterations: 3 });
  assert.equal(
    interrupted.at(-1),
    "result: INTERRUPTED (1 of 3 iteration(s) judged, 1 passed, exit 130) in 2.5 s; report: /r",
  );
});

Deno.test("formatSummary() says which invalid verdicts were allowed or expected, and which failed", () => {
  const judged = (expectation: "hold" | "may-fail" | "must-fail", pass: boolean) => {
    const r = resultOf(true);
    return { ...r, judgements: [{ ...r.judgements[0], expectation, pass }] };
  };
  const line = (expectation: "hold" | "may-fail" | "must-fail", pass: boolean) =>
    formatSummary(summarise([judged(expectation, pass)])).split("\n")
      .find((l) => l.includes("catalog-lockfile-bijection"));
  assert.match(
    line("may-fail", true) ?? "",
    /run: 0 valid, 1 invalid \(allowed: may-fail\), 0 unknown {2}\|/,
  );
  assert.match(line("must-fail", true) ?? "", /1 invalid \(expected: must-fail\), 0 unknown {2}\|/);
  assert.match(line("hold", false) ?? "", /1 invalid, 0 unknown \(1 FAILED their expectation\)/);
});
