import assert from "node:assert/strict";
import {
  type Claim,
  type FidelityRecord,
  parseSwampFindings,
  parseSwampStatus,
  type SwampFinding,
  type SwampStatusInput,
  swampStatusProblems,
} from "./claims.ts";

Deno.test("parseSwampFindings() reads the findings table, none without its markers", () => {
  const table =
    "<!-- swamp-findings:begin -->\n| id | finding | scenarios |\n| --- | --- | --- |\n" +
    "| S1 | The waiter starts late. | `a.yaml`, `b.yaml` |\n<!-- swamp-findings:end -->";
  assert.deepEqual(parseSwampFindings(table), [
    { id: "S1", text: "The waiter starts late.", scenarios: ["a.yaml", "b.yaml"] },
  ]);
  assert.deepEqual(parseSwampFindings("no table"), []);
  assert.throws(
    () => parseSwampFindings(table.replace("<!-- swamp-findings:end -->", "")),
    /one marker/,
  );
  assert.throws(
    () => parseSwampFindings(table.replace("`a.yaml`, `b.yaml`", "none")),
    /cites no scenario/,
  );
  assert.throws(() => parseSwampFindings(table.replace(" | `a.yaml`", " | x | `a.yaml`")), /cells/);
});

function claim(id: string, status: Claim["status"], swamp: string, scenarios: string[]): Claim {
  return { id, text: "", status, swamp: parseSwampStatus(swamp)!, scenarios, mutants: [] };
}

function row(scenario: string, same: boolean, digest = `d-${scenario}`) {
  return {
    scenario,
    digest,
    same,
    reference: { exitCode: 0, verdict: "pass 1/1" },
    swamp: same ? { exitCode: 0, verdict: "pass 1/1" } : { exitCode: 1, verdict: "FAIL 0/1" },
  };
}

const DIGESTS = { "a.yaml": "d-a", "b.yaml": "d-b", "c.yaml": "d-c" };
const FIDELITY: FidelityRecord = {
  swamp: { commit: "06b6147274f251d022cddb3778ea88ee2936f8fb" },
  rows: [row("a", true), row("b", false), row("c", true, "old")],
};
const FINDINGS: SwampFinding[] = [{ id: "S1", text: "", scenarios: ["b.yaml"] }];

function problems(claims: Claim[], overrides: Partial<SwampStatusInput> = {}): string[] {
  return swampStatusProblems({
    claims,
    findings: FINDINGS,
    headerCommit: "06b61472",
    fidelity: FIDELITY,
    digests: DIGESTS,
    ...overrides,
  });
}

Deno.test("swampStatusProblems() accepts statuses that say what the fidelity result shows", () => {
  assert.deepEqual(
    problems([
      claim("C1", "gap", "gap", ["a.yaml"]),
      claim("C2", "holds", "finding S1", ["a.yaml", "b.yaml"]),
      claim("C3", "holds", "holds, partly run", ["a.yaml", "c.yaml"]),
      claim("C4", "holds", "not run", ["c.yaml"]),
      claim("C5", "holds", "finding S1, partly run", ["b.yaml", "c.yaml"]),
    ]),
    [],
  );
});

Deno.test("swampStatusProblems() says partly run when only some cited scenarios ran on swamp", () => {
  assert.deepEqual(problems([claim("C3", "holds", "not run", ["a.yaml", "c.yaml"])]), [
    'C3\'s swamp status is "not run", expected "holds, partly run" ' +
    "(no current swamp result for c.yaml)",
  ]);
  assert.deepEqual(problems([claim("C3", "holds", "holds, partly run", ["a.yaml"])]), [
    'C3\'s swamp status is "holds, partly run", expected "holds"',
  ]);
  assert.deepEqual(problems([claim("C5", "holds", "finding S1", ["b.yaml", "c.yaml"])]), [
    'C5\'s swamp status is "finding S1", expected "finding S<n> covering b.yaml, partly run" ' +
    "(no current swamp result for c.yaml)",
  ]);
  assert.deepEqual(parseSwampStatus("gap, partly run"), {
    status: "gap",
    findings: [],
    partly: true,
  });
  assert.equal(parseSwampStatus("not run, partly run"), undefined);
});

Deno.test("swampStatusProblems() names a status that does not follow from the result", () => {
  assert.deepEqual(problems([claim("C1", "gap", "holds", ["a.yaml"])]), [
    'C1\'s swamp status is "holds", expected "gap"',
  ]);
  assert.deepEqual(problems([claim("C2", "holds", "holds", ["b.yaml"])]), [
    'C2\'s swamp status is "holds", expected "finding S<n> covering b.yaml"',
  ]);
  assert.deepEqual(problems([claim("C2", "holds", "finding S9", ["b.yaml"])]), [
    'C2\'s swamp status is "finding S9", expected "finding S<n> covering b.yaml (no finding S9)"',
  ]);
  // A result for an older version of the scenario does not count.
  assert.deepEqual(problems([claim("C3", "holds", "holds", ["c.yaml"])]), [
    'C3\'s swamp status is "holds", expected "not run" (no current swamp result for c.yaml)',
  ]);
  assert.deepEqual(
    problems([claim("C4", "holds", "holds", ["a.yaml"])], {
      fidelity: undefined,
      findings: [],
    }),
    [
      'C4\'s swamp status is "holds", expected "not run" (no current swamp result for a.yaml)',
    ],
  );
});

Deno.test("swampStatusProblems() needs a finding for every difference and a difference for every finding", () => {
  assert.deepEqual(problems([], { findings: [] }), [
    "b.yaml differs on swamp (FAIL 0/1) but no finding cites it",
  ]);
  assert.deepEqual(
    problems([], {
      findings: [...FINDINGS, { id: "S2", text: "", scenarios: ["a.yaml", "z.yaml"] }],
    }),
    [
      "S2 cites a.yaml, which gives the same verdict",
      "S2 cites z.yaml, which design/fidelity.json has no result for",
    ],
  );
});

Deno.test("swampStatusProblems() checks the column's commit and that the reference passed", () => {
  assert.deepEqual(problems([], { headerCommit: "deadbeef" }), [
    "The claims table's swamp column names deadbeef, design/fidelity.json ran 06b6147274f251d022cddb3778ea88ee2936f8fb",
  ]);
  const failing = { ...row("a", true), reference: { exitCode: 1, verdict: "FAIL 0/1" } };
  assert.deepEqual(problems([], { fidelity: { ...FIDELITY, rows: [failing] }, findings: [] }), [
    "design/fidelity.json: a failed on the reference (FAIL 0/1)",
  ]);
});
