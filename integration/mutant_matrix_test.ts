/**
 * The mutant matrix: every pinned scenario of the library passes on the
 * clean reference (every iteration, failing only where a scenario documents
 * an expected violation), and every mutant is caught by at least one pinned
 * scenario at the scenario's own seed on its first iteration. Scenarios that
 * sample schedules (`deterministic: false`) run on the clean reference only
 * and are reported as sampled: no verdict of theirs is required, since it
 * may depend on the schedule. `deno task mutants` prints the same matrix as
 * a table.
 */

import assert from "node:assert/strict";
import { MUTANT_NAMES } from "../reference/mutants.ts";
import { EXIT } from "../sim/shared/exit_codes.ts";
import { loadClaims } from "../sim/drive/claims.ts";
import {
  CLEAN,
  cleanFailures,
  detected,
  formatMatrix,
  runMatrix,
  uncaughtMutants,
} from "../sim/drive/matrix.ts";

Deno.test("the scenario library passes on the clean reference and catches every mutant", async () => {
  const cells = await runMatrix({ concurrency: 2 });
  const table = formatMatrix(cells);
  const clean = cells.filter((c) => c.variant === CLEAN);
  assert.ok(clean.filter((c) => c.pinned).length >= 20, `only ${clean.length} pinned scenarios`);
  for (const c of cleanFailures(cells)) {
    assert.fail(
      `${c.scenario} fails on the clean reference (exit ${c.exitCode}): ${
        c.failed.join(", ")
      }\n  ${c.replay}\n${table}`,
    );
  }
  // Sampled scenarios run on the clean reference only: they cannot count as a catch.
  for (const c of clean.filter((c) => !c.pinned)) {
    assert.ok(!cells.some((m) => m.scenario === c.scenario && m.variant !== CLEAN), c.scenario);
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
  // A mutant run ends as a pass, a detection (invariant or target) or vacuous (the mutant
  // broke the race before it happened: no detection), never as a harness error.
  for (const c of cells.filter((c) => c.variant !== CLEAN)) {
    assert.ok(
      ([EXIT.pass, EXIT.invariant, EXIT.target, EXIT.vacuous] as number[]).includes(c.exitCode),
      `${c.scenario} x ${c.variant}: exit ${c.exitCode}\n  ${c.replay}`,
    );
  }
});
