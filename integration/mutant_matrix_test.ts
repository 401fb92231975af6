/**
 * The mutant matrix: the scenario library passes on the clean reference
 * (every iteration, failing only where a scenario documents an expected
 * violation), and every mutant is caught by at least one scenario at the
 * scenario's own seed on its first iteration. `deno task mutants` prints the
 * same matrix as a table.
 */

import assert from "node:assert/strict";
import { MUTANT_NAMES } from "../reference/mutants.ts";
import { EXIT } from "../sim/exit_codes.ts";
import { CLEAN, formatMatrix, runMatrix, uncaughtMutants } from "../sim/matrix.ts";

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
  // A mutant run that fails must fail on an invariant, never on the harness.
  for (const c of cells.filter((c) => c.variant !== CLEAN)) {
    assert.ok(
      [EXIT.pass, EXIT.invariant, EXIT.target].includes(c.exitCode as 0),
      `${c.scenario} x ${c.variant}: exit ${c.exitCode}\n  ${c.replay}`,
    );
  }
});
