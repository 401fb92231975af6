import { strict as assert } from "node:assert";
import type { HistoryOp, HistoryOpSpec } from "../record/history.ts";
import type { InvariantId } from "../shared/invariant_ids.ts";
import type { CheckPhase, Verdict, VerdictStatus } from "./invariants/mod.ts";
import { type Expectation, failureOf, judge, judgeAll } from "./judge.ts";
import type { OutcomeClass, OutcomeType } from "../shared/outcome.ts";

const ALPHA = "@fix/alpha";
const BETA = "@fix/beta";

/** A run op of process `process` that ended as `outcome` says. */
function runOp(
  process: number,
  op: HistoryOpSpec,
  outcome: { type: OutcomeType; class: OutcomeClass } = { type: "ok", class: "ok" },
): HistoryOp {
  return {
    process,
    phase: "run",
    op,
    argv: [],
    invokeMs: 0,
    completeMs: 1,
    exitCode: outcome.type === "ok" ? 0 : null,
    signal: null,
    outcome,
    stdout: "",
    stderr: "",
    json: [],
    events: [],
    eventsTruncated: 0,
    rules: [],
  };
}

function pullOp(
  process: number,
  ref: string,
  outcome?: { type: OutcomeType; class: OutcomeClass },
) {
  return runOp(process, { op: "pull", ref }, outcome);
}

function rmOp(process: number, name: string, outcome?: { type: OutcomeType; class: OutcomeClass }) {
  return runOp(process, { op: "rm", name }, outcome);
}

function verdict(
  invariant: InvariantId,
  status: VerdictStatus,
  phase: CheckPhase = "run",
): Verdict {
  return { invariant, phase, status, explanation: `${invariant} is ${status}`, evidence: {} };
}

Deno.test("judge() passes a verdict exactly when its expectation allows its status", () => {
  const table: Array<[Expectation | undefined, VerdictStatus, boolean]> = [
    [undefined, "valid", true],
    [undefined, "invalid", false],
    [undefined, "unknown", false],
    ["hold", "valid", true],
    ["hold", "invalid", false],
    ["hold", "unknown", false],
    ["may-fail", "valid", true],
    ["may-fail", "invalid", true],
    ["may-fail", "unknown", true],
    ["must-fail", "valid", false],
    ["must-fail", "invalid", true],
    ["must-fail", "unknown", false],
  ];
  for (const [expectation, status, pass] of table) {
    const v = verdict("files-lockfile-match", status);
    const expect = expectation === undefined
      ? {}
      : { invariants: { "files-lockfile-match": expectation } };
    const judged = judge(v, expect);
    assert.equal(judged.pass, pass, `${expectation ?? "default"} vs ${status}`);
    assert.equal(judged.expectation, expectation ?? "hold");
    assert.equal(judged.verdict, v);
  }
});

Deno.test("judgeAll() judges each verdict by its own phase's expectations", () => {
  const judged = judgeAll(
    [
      verdict("files-lockfile-match", "invalid", "run"),
      verdict("files-lockfile-match", "invalid", "recovery"),
    ],
    { run: { invariants: { "files-lockfile-match": "must-fail" } }, recovery: {} },
  );
  assert.deepEqual(judged.map((j) => [j.expectation, j.pass]), [["must-fail", true], [
    "hold",
    false,
  ]]);
});

Deno.test("failureOf() is undefined when every judgement passes", () => {
  const judged = judgeAll([verdict("catalog-integrity", "valid")], { run: {}, recovery: {} });
  assert.equal(
    failureOf(judged, [pullOp(0, ALPHA, { type: "info", class: "timeout" })]),
    undefined,
  );
});

Deno.test("failureOf() names every failed invariant, its phase and what was expected", () => {
  const judged = judgeAll(
    [
      verdict("catalog-lockfile-bijection", "invalid", "run"),
      verdict("lockfile-well-formed", "valid", "recovery"),
      verdict("catalog-integrity", "valid", "run"),
    ],
    { run: {}, recovery: { invariants: { "lockfile-well-formed": "must-fail" } } },
  );
  assert.deepEqual(failureOf(judged, [pullOp(0, ALPHA)]), {
    class: "invariant",
    reason:
      "catalog-lockfile-bijection (run) is invalid; lockfile-well-formed (recovery) is valid, expected must-fail",
  });
});

Deno.test("failureOf() blames the target when an op hung, died or was misread and that was not allowed", () => {
  const judged = judgeAll(
    [verdict("op-outcomes-allowed", "invalid"), verdict("files-lockfile-match", "invalid")],
    { run: {}, recovery: {} },
  );
  const ops = [
    pullOp(2, ALPHA, { type: "info", class: "timeout" }),
    rmOp(3, BETA, { type: "info", class: "killed" }),
    pullOp(4, BETA, { type: "fail", class: "usage" }),
    pullOp(5, ALPHA, { type: "info", class: "crashed" }),
  ];
  assert.deepEqual(failureOf(judged, ops), {
    class: "target",
    reason:
      "the target misbehaved: p2 pull @fix/alpha timeout, p3 rm @fix/beta killed, p4 pull @fix/beta usage",
  });
});

Deno.test("failureOf() blames the invariants when misbehaviour was allowed or absent", () => {
  const hung = [pullOp(2, ALPHA, { type: "info", class: "timeout" })];
  const allowed = judgeAll(
    [verdict("op-outcomes-allowed", "valid"), verdict("files-lockfile-match", "invalid")],
    { run: {}, recovery: {} },
  );
  assert.equal(failureOf(allowed, hung)?.class, "invariant");

  const failedOnly = judgeAll([verdict("op-outcomes-allowed", "invalid")], {
    run: {},
    recovery: {},
  });
  const failing = [pullOp(2, ALPHA, { type: "info", class: "failed" })];
  assert.deepEqual(failureOf(failedOnly, failing), {
    class: "invariant",
    reason: "op-outcomes-allowed (run) is invalid",
  });
});
