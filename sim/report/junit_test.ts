import assert from "node:assert/strict";
import { historyOf, historyOp } from "../check/invariants/_fixtures.ts";
import { escapeXml, renderJunit } from "./junit.ts";
import type { InvariantId } from "../shared/invariant_ids.ts";
import type { Verdict, VerdictStatus } from "../check/invariants/verdict.ts";
import type { IterationResult } from "../check/iteration.ts";

function verdict(invariant: InvariantId, status: VerdictStatus, explanation: string): Verdict {
  return { invariant, phase: "run", status, explanation, evidence: {} };
}

function resultOf(iteration: number, failing: boolean): IterationResult {
  return {
    iteration,
    plan: { scenario: "s", seed: 3, iteration, processes: [] },
    history: historyOf([historyOp(0, { op: "list" })]),
    verdicts: [],
    judgements: [
      { verdict: verdict("lockfile-well-formed", "valid", "ok"), expectation: "hold", pass: true },
      {
        verdict: verdict(
          "catalog-lockfile-bijection",
          failing ? "invalid" : "valid",
          'Row <@fix/a> & "b" has no entry',
        ),
        expectation: "hold",
        pass: !failing,
      },
    ],
    witnesses: [],
    layerStates: { run: {} },
    passed: !failing,
    durationMs: 1234,
    checkMs: 1,
  };
}

Deno.test("escapeXml() escapes markup and drops characters XML cannot hold", () => {
  assert.equal(
    escapeXml(`<a href="x">&'\u0001\u0007ok\n`),
    "&lt;a href=&quot;x&quot;&gt;&amp;&apos;ok\n",
  );
});

Deno.test("renderJunit() writes one suite per iteration and one failure per failed judgement", () => {
  const xml = renderJunit(
    {
      scenario: "lost-update",
      seed: 3,
      replays: { 1: "deno task sim s.yaml --seed 3 --iteration 1" },
    },
    [resultOf(0, false), resultOf(1, true)],
  );
  assert.ok(
    xml.startsWith(
      '<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="lost-update" tests="4" failures="1" errors="0">',
    ),
  );
  assert.equal(xml.match(/<testsuite /g)?.length, 2);
  assert.equal(xml.match(/<testcase /g)?.length, 4);
  assert.match(
    xml,
    /<testsuite name="lost-update seed 3 iteration 1" tests="2" failures="1" errors="0" time="1.234">/,
  );
  assert.match(
    xml,
    /<testcase classname="lost-update.iteration-1" name="catalog-lockfile-bijection \(run\)">\n {6}<failure message="invalid, expected hold" type="catalog-lockfile-bijection">Row &lt;@fix\/a&gt; &amp; &quot;b&quot; has no entry<\/failure>/,
  );
  assert.match(
    xml,
    /<system-out>reproduce with: deno task sim s.yaml --seed 3 --iteration 1<\/system-out>/,
  );
  assert.equal(xml.match(/<failure /g)?.length, 1);
  // Balanced: every opened element is closed.
  for (const tag of ["testsuites", "testsuite", "testcase", "failure", "system-out"]) {
    assert.equal(
      xml.match(new RegExp(`<${tag}[ >]`, "g"))?.length,
      xml.match(new RegExp(`</${tag}>`, "g"))?.length,
      tag,
    );
  }
});

Deno.test("renderJunit() gives a failure no judgement shows, and a harness error, a case of their own", () => {
  const differing: IterationResult = {
    ...resultOf(0, false),
    passed: false,
    failure: { class: "determinism", reason: "2 distinct history shapes over 3 runs of one plan" },
  };
  const xml = renderJunit(
    { scenario: "s", seed: 1, replays: {}, harnessError: "The run time limit was reached" },
    [differing],
  );
  assert.match(xml, /<testsuites name="s" tests="4" failures="1" errors="1">/);
  assert.match(
    xml,
    /<testcase classname="s.iteration-0" name="iteration \(determinism\)">\n {6}<failure message="determinism" type="iteration">2 distinct history shapes over 3 runs of one plan<\/failure>/,
  );
  assert.match(xml, /<testsuite name="s seed 1 iteration 0" tests="3" failures="1"/);
  assert.match(xml, /<error message="The run time limit was reached" type="harness"\/>/);
  // No results at all (the run ended before its first iteration) is still not a pass.
  assert.match(
    renderJunit({ scenario: "s", seed: 1, replays: {}, harnessError: "boom" }, []),
    /tests="1" failures="0" errors="1"/,
  );
});

Deno.test("renderJunit() names the target and a swamp commit in every suite's properties", () => {
  const target = {
    kind: "swamp" as const,
    label: "swamp checkout /s at abc (git)",
    checkout: "/s",
    commit: { commit: "abc", source: "git" as const, dirty: false },
    version: "swamp 1 <x>",
  };
  const xml = renderJunit({ scenario: "s", seed: 1, replays: {}, target, harnessError: "boom" }, [
    resultOf(0, true),
  ]);
  const properties =
    '<properties>\n      <property name="target" value="swamp checkout /s at abc (git)"/>\n' +
    '      <property name="commit" value="abc"/>\n      <property name="version" value="swamp 1 &lt;x&gt;"/>\n    </properties>';
  assert.equal(xml.split(properties).length - 1, 2, xml);
  assert.ok(
    !renderJunit({ scenario: "s", seed: 1, replays: {} }, [resultOf(0, true)]).includes(
      "<properties>",
    ),
  );
});

Deno.test("renderJunit() writes a case per witness, a failure for one that did not show", () => {
  const witness = {
    kind: "declared" as const,
    id: "witnesses[0]",
    process: 1,
    at: "lock.acquire" as const,
    when: "after" as const,
    threw: true,
    atLeast: 1,
    shows: "p1 meets a held lock",
  };
  const vacuous: IterationResult = {
    ...resultOf(0, false),
    passed: false,
    failure: { class: "vacuous", reason: "the pinned race did not happen" },
    witnesses: [
      { witness, held: false, count: 0, explanation: "witnesses[0] did not show: 0 < 1" },
      {
        witness: { ...witness, id: "witnesses[1]", shows: undefined },
        held: true,
        count: 2,
        explanation: "ok",
      },
    ],
  };
  const xml = renderJunit({ scenario: "s", seed: 1, replays: {} }, [vacuous]);
  assert.match(
    xml,
    /<testcase classname="s.iteration-0" name="witness witnesses\[0\] \(p1 meets a held lock\)">\n {6}<failure message="did not show" type="vacuous">witnesses\[0\] did not show: 0 &lt; 1<\/failure>/,
  );
  assert.match(
    xml,
    /<testcase classname="s.iteration-0" name="witness witnesses\[1\]"><\/testcase>/,
  );
  // The witness is the failure: no extra iteration case.
  assert.equal(xml.match(/<failure /g)?.length, 1);
  assert.match(xml, /<testsuite name="s seed 1 iteration 0" tests="4" failures="1"/);
});
