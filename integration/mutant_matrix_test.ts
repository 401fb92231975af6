/**
 * The mutant matrix: the scenario library passes on the clean reference
 * (every iteration, failing only where a scenario documents an expected
 * violation), and every mutant is caught by at least one scenario at the
 * scenario's own seed on its first iteration. `deno task mutants` prints the
 * same matrix as a table.
 */

import assert from "node:assert/strict";
import { MUTANT_NAMES } from "../reference/mutants.ts";
import { EXIT } from "../sim/shared/exit_codes.ts";
import { loadClaims } from "../sim/drive/claims.ts";
import { CLEAN, detected, formatMatrix, runMatrix, uncaughtMutants } from "../sim/drive/matrix.ts";

Deno.test("the scenario library passes on the clean reference and catches every mutant", async () => {
  const cells = await runMatrix({ concurrency: 2 });
  const table = formatMatrix(cells);
  const clean = cells.filter((c) => c.variant === CLEAN);
  assert.ok(clean.length >= 20, `only ${clean.length} scenarios in the library`);
  for (const c of clean) {
    assert.equal(
      c.exitCode,
      EXIT.pass,
      `${c.scenario} fails on the clean reference: ${c.failed.join(", ")}\n  ${c.replay}\n${table}`,
    );
  }
  assert.deepEqual(uncaughtMutants(cells), [], table);
  assert.equal(new Set(cells.map((c) => c.variant)).size, MUTANT_NAMES.length + 1);
  // Each claim of design/extension.md: one of its scenarios catches each of its mutants.
  for (const claim of await loadClaims()) {
    for (const mutant of claim.mutants) {
      const scenarios = claim.scenarios.map((f) => f.replace(/\.yaml$/, ""));
      const caught = cells.some((c) =>
        c.variant === mutant && scenarios.includes(c.scenario) && detected(c)
      );
      assert.ok(
        caught,
        `${claim.id}: no scenario of ${scenarios.join(", ")} catches ${mutant}\n${table}`,
      );
    }
  }
  // A mutant run that fails must fail on an invariant, never on the harness.
  for (const c of cells.filter((c) => c.variant !== CLEAN)) {
    assert.ok(
      [EXIT.pass, EXIT.invariant, EXIT.target].includes(c.exitCode as 0),
      `${c.scenario} x ${c.variant}: exit ${c.exitCode}\n  ${c.replay}`,
    );
  }
});
