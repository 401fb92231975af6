import assert from "node:assert/strict";
import {
  fidelityRow,
  iterationDifferences,
  sameVerdict,
  summariseRun,
  type TargetRun,
  undocumented,
  verdictText,
} from "./fidelity_compare.ts";
import type { IterationResult } from "../check/iteration.ts";
import { historyOf, historyOp } from "../check/invariants/_fixtures.ts";
import type { Judgement } from "../check/judge.ts";

function judgement(invariant: string, phase: "run" | "recovery", status: string): Judgement {
  return {
    verdict: { invariant, phase, status, explanation: "", evidence: {} },
    expectation: "hold",
    pass: status === "valid",
  } as Judgement;
}

function result(
  iteration: number,
  statuses: Record<string, string>,
  catalog: string,
  opWindows: Array<[number, number]> = [[0, 2000]],
): IterationResult {
  const judgements = Object.entries(statuses).map(([id, status]) => judgement(id, "run", status));
  const passed = judgements.every((j) => j.pass);
  return {
    iteration,
    plan: { scenario: "s", seed: 1, iteration, processes: [] },
    history: historyOf(
      opWindows.map((window, i) => historyOp(i, { op: "list" }, { window })),
    ),
    verdicts: judgements.map((j) => j.verdict),
    judgements,
    witnesses: [],
    layerStates: {
      run: { "@fix/alpha": { files: "2026.01.01.1", lockfile: "2026.01.01.1", catalog } },
    },
    passed,
    ...(passed ? {} : { failure: { class: "invariant" as const, reason: "x" } }),
    durationMs: 10,
    checkMs: 1,
  };
}

function run(results: IterationResult[], exitCode: number, json = {}): TargetRun {
  return summariseRun({ exitCode, json, results }, 1234.4);
}

Deno.test("summariseRun() keeps the verdict, judgements, layer states and op figures", () => {
  const r = run(
    [result(0, { "lockfile-well-formed": "valid" }, "2026.01.01.1", [[0, 1000], [0, 3000], [
      10,
      2010,
    ]])],
    0,
  );
  assert.equal(r.verdict, "pass 1/1");
  assert.equal(r.durationMs, 1234);
  assert.deepEqual(r.ops, { count: 3, outcomes: { ok: 3 }, medianMs: 2000, maxMs: 3000 });
  assert.deepEqual(r.iterations[0].judgements, {
    "lockfile-well-formed (run)": { status: "valid", pass: true },
  });
  assert.deepEqual(r.iterations[0].layerStates, {
    "run @fix/alpha": "files=2026.01.01.1 lockfile=2026.01.01.1 catalog=2026.01.01.1",
  });
});

Deno.test("verdictText() names passes, failure classes, harness errors and refusals", () => {
  const failing = run([result(0, { a: "invalid" }, "absent"), result(1, { a: "valid" }, "x")], 1);
  assert.equal(failing.verdict, "FAIL 1/2 (invariant)");
  assert.equal(
    run([], 4, { harnessError: "Fixture set-up failed" }).verdict,
    "FAIL 0/0 (harness)",
  );
  assert.equal(run([], 4, { harnessError: "x" }).error, "x");
  assert.equal(verdictText({ exitCode: 2, passed: 0, iterations: [] }), "refused");
  assert.equal(verdictText({ exitCode: 3, passed: 0, iterations: [] }), "FAIL 0/0 (exit 3)");
});

Deno.test("sameVerdict() needs the same exit code and the same passing iterations", () => {
  const pass = run([result(0, { a: "valid" }, "v"), result(1, { a: "valid" }, "v")], 0);
  const first = run([result(0, { a: "invalid" }, "v"), result(1, { a: "valid" }, "v")], 1);
  const second = run([result(0, { a: "valid" }, "v"), result(1, { a: "invalid" }, "v")], 1);
  assert.ok(sameVerdict(pass, pass));
  assert.ok(!sameVerdict(pass, first));
  assert.ok(!sameVerdict(first, second), "same exit code, other iteration failing");
  assert.ok(sameVerdict(first, first));
});

Deno.test("iterationDifferences() lists the judgements and layer states that differ, per iteration", () => {
  const reference = run([
    result(0, { a: "valid", b: "valid" }, "2026.01.01.1"),
    result(1, { a: "valid" }, "v"),
  ], 0);
  const swamp = run([
    result(0, { a: "invalid", b: "valid" }, "absent"),
    result(1, { a: "valid" }, "v"),
  ], 1);
  assert.deepEqual(iterationDifferences(reference, swamp), [{
    iteration: 0,
    judgements: [{ what: "a (run)", reference: "valid", swamp: "invalid (FAILED)" }],
    layerStates: [{
      what: "run @fix/alpha",
      reference: "files=2026.01.01.1 lockfile=2026.01.01.1 catalog=2026.01.01.1",
      swamp: "files=2026.01.01.1 lockfile=2026.01.01.1 catalog=absent",
    }],
  }]);
});

Deno.test("fidelityRow() cites the findings that name a differing scenario, and undocumented() the rest", () => {
  const pass = run([result(0, { a: "valid" }, "v")], 0);
  const fail = run([result(0, { a: "invalid" }, "v")], 1);
  const findings = [{ id: "S1", scenarios: ["x.yaml"] }, { id: "S2", scenarios: ["y.yaml"] }];
  const x = fidelityRow("x", true, pass, fail, findings);
  const y = fidelityRow("y", true, pass, pass, findings);
  const z = fidelityRow("z", false, pass, fail, findings);
  assert.deepEqual([x.same, x.findings], [false, ["S1"]]);
  assert.deepEqual([y.same, y.findings], [true, []], "a same row needs no finding");
  assert.deepEqual(undocumented([x, y, z]).map((r) => r.scenario), ["z"]);
});
