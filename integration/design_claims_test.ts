/**
 * Keeps the claims table of design/extension.md honest: every claim names
 * scenario files that exist, load and are not exploratory, and mutants that
 * exist; every scenario of the library is cited by a claim or marked
 * exploratory; each claim's status on swamp says what `design/fidelity.json`
 * (`deno task fidelity --json` on the swamp checkout the table names) shows
 * for the scenarios as they are now. (That each cited scenario passes on the
 * clean reference and catches each cited mutant is checked by the mutant
 * matrix test.)
 */

import assert from "node:assert/strict";
import { MUTANT_NAMES } from "../reference/mutants.ts";
import {
  CLAIMS_DOC,
  claimsSwampCommit,
  FIDELITY_FILE,
  type FidelityRecord,
  loadClaims,
  parseClaims,
  parseSwampFindings,
  swampStatusProblems,
} from "../sim/drive/claims.ts";
import { scenarioDigest } from "../sim/drive/fidelity.ts";
import { libraryScenarios } from "../sim/drive/matrix.ts";
import { loadScenario } from "../sim/scenario/load.ts";

const SCENARIOS = new URL("../scenarios/", import.meta.url).pathname;

Deno.test("design/extension.md cites existing, non-exploratory scenarios and known mutants", async () => {
  const claims = await loadClaims();
  assert.ok(claims.length >= 15, `only ${claims.length} claims`);
  assert.deepEqual(
    claims.map((c) => c.id),
    claims.map((_, i) => `C${i + 1}`),
    "claim ids run C1, C2, ...",
  );
  for (const claim of claims) {
    assert.ok(claim.scenarios.length > 0, `${claim.id} cites no scenario`);
    for (const file of claim.scenarios) {
      const scenario = await loadScenario(`${SCENARIOS}${file}`);
      assert.equal(scenario.exploratory, false, `${claim.id} cites exploratory ${file}`);
    }
    for (const mutant of claim.mutants) {
      assert.ok(
        (MUTANT_NAMES as readonly string[]).includes(mutant),
        `${claim.id} cites unknown mutant ${mutant}`,
      );
    }
  }
});

Deno.test("every scenario of the library is cited by a claim or marked exploratory", async () => {
  const cited = new Set((await loadClaims()).flatMap((c) => c.scenarios));
  for (const path of await libraryScenarios()) {
    const file = path.slice(path.lastIndexOf("/") + 1);
    const scenario = await loadScenario(path);
    assert.ok(
      cited.has(file) || scenario.exploratory,
      `${file} is neither cited in design/extension.md nor exploratory`,
    );
  }
});

Deno.test("every mutant is cited by at least one claim", async () => {
  const cited = new Set((await loadClaims()).flatMap((c) => c.mutants));
  assert.deepEqual(MUTANT_NAMES.filter((m) => !cited.has(m)), []);
});

Deno.test("parseClaims() rejects a malformed row and reads a good one", () => {
  const good =
    "<!-- claims:begin -->\n| id | claim | reference | swamp 06b61472 | scenarios | mutants |\n" +
    "| C1 | A claim. | holds | finding S1, S2 | `a.yaml`, `b.yaml` | `m1` |\n<!-- claims:end -->";
  assert.deepEqual(parseClaims(good), [{
    id: "C1",
    text: "A claim.",
    status: "holds",
    swamp: { status: "finding", findings: ["S1", "S2"], partly: false },
    scenarios: ["a.yaml", "b.yaml"],
    mutants: ["m1"],
  }]);
  assert.equal(claimsSwampCommit(good), "06b61472");
  assert.throws(() => claimsSwampCommit(good.replace("swamp 06b61472", "swamp")), /header/);
  assert.deepEqual(parseClaims(good.replace("finding S1, S2", "not run"))[0].swamp, {
    status: "not run",
    findings: [],
    partly: false,
  });
  assert.throws(() => parseClaims(good.replace("| holds", "| maybe")), /status "maybe"/);
  assert.throws(() => parseClaims(good.replace("finding S1, S2", "fails")), /swamp status "fails"/);
  assert.throws(() => parseClaims(good.replace(" | `m1` |", " |")), /cells/);
  assert.throws(() => parseClaims("no markers"), /markers are missing/);
});

Deno.test("the swamp column and the findings about swamp say what design/fidelity.json shows", async () => {
  const markdown = await Deno.readTextFile(CLAIMS_DOC);
  let fidelity: FidelityRecord | undefined;
  try {
    fidelity = JSON.parse(await Deno.readTextFile(FIDELITY_FILE)) as FidelityRecord;
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  const digests: Record<string, string> = {};
  for (const path of await libraryScenarios()) {
    digests[path.slice(path.lastIndexOf("/") + 1)] = scenarioDigest(await Deno.readTextFile(path));
  }
  assert.deepEqual(
    swampStatusProblems({
      claims: parseClaims(markdown),
      findings: parseSwampFindings(markdown),
      headerCommit: claimsSwampCommit(markdown),
      fidelity,
      digests,
    }),
    [],
  );
});
