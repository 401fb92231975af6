/**
 * The cross-process concurrency stress test of swamp's extension lifecycle:
 * 50 concurrent target processes against ONE repo, each running one of
 * `extension pull @fix/alpha` (many at once: the same extension installed
 * concurrently), `extension rm @fix/beta` and `extension update`, over
 * several iterations. It runs through the simulator (the scenario
 * `scenarios/lifecycle-stress.yaml`), not through a second harness. The
 * scenario samples schedules, so the test requires only what holds under
 * any schedule, and that every violation a schedule may cause has the shape
 * of a documented finding:
 *
 * - always: a well-formed lockfile, an intact catalog, no benign
 *   DuplicateTypeError, no SQLITE_BUSY exhaustion;
 * - answers linearizable, except overlapping rm of @fix/beta both answering
 *   removed (C20);
 * - catalog <-> lockfile: only rows missing for an installed extension,
 *   never a row without its entry (C22: an install saved a listing that
 *   lacked a file another install was rewriting);
 * - files <-> lockfile: only in an iteration where some op gave up on the
 *   lock, which leaves its extracted files unlisted (C13).
 *
 * `deno task soak` runs the same scenario 60 times.
 */

import assert from "node:assert/strict";
import { EXIT } from "../sim/shared/exit_codes.ts";
import type { InvariantId } from "../sim/shared/invariant_ids.ts";
import { simulate } from "../sim/drive/simulate.ts";

const SCENARIO = new URL("../scenarios/lifecycle-stress.yaml", import.meta.url).pathname;

/** What must hold in every iteration, whatever the schedule. */
const REQUIRED: readonly InvariantId[] = [
  "no-benign-duplicate-type",
  "lockfile-well-formed",
  "no-busy-exhaustion",
  "catalog-integrity",
];

Deno.test("50 concurrent pull / rm / pull-same / update processes keep the three layers in agreement", async () => {
  const reportDir = await Deno.makeTempDir({ prefix: "stress-report-" });
  try {
    const lines: string[] = [];
    const result = await simulate({ scenario: SCENARIO, reportDir, log: (l) => lines.push(l) });
    assert.equal(result.exitCode, EXIT.pass, lines.join("\n"));
    assert.equal(result.results.length, 3);
    for (const r of result.results) {
      const run = r.history.ops.filter((op) => op.phase === "run");
      assert.equal(run.length, 50, `iteration ${r.iteration} ran ${run.length} processes`);
      const kinds = new Set(run.map((op) => op.op.op));
      for (const k of ["pull", "rm", "update"]) {
        assert.ok(kinds.has(k as never), `iteration ${r.iteration} has no ${k}`);
      }
      const samePulls = run.filter((op) => op.op.op === "pull").length;
      assert.ok(samePulls >= 2, `iteration ${r.iteration} pulls @fix/alpha ${samePulls} time(s)`);
      // Answers: linearizable, or the one documented finding (overlapping rm of
      // @fix/beta both answering removed, rm-concurrent-both-removed.yaml).
      const lin = r.verdicts.find((v) => v.invariant === "linearizable" && v.phase === "run");
      if (lin?.status !== "valid") {
        assert.equal(lin?.status, "invalid", `iteration ${r.iteration}: ${lin?.explanation}`);
        assert.deepEqual(lin.evidence.entries, ["@fix/beta"], lin.explanation);
        const removals = run.filter((op) =>
          lin.evidence.ops?.includes(`p${op.process}`) && op.op.op === "rm" &&
          op.outcome.class === "ok"
        );
        assert.ok(removals.length >= 2, `two rm that both removed @fix/beta: ${lin.explanation}`);
      }
      const verdictOf = (id: InvariantId) =>
        r.verdicts.find((v) => v.invariant === id && v.phase === "run");
      // Rows missing for installed extensions only (C22), never a row without its entry.
      const bijection = verdictOf("catalog-lockfile-bijection");
      if (bijection?.status !== "valid") {
        assert.equal(
          bijection?.status,
          "invalid",
          `iteration ${r.iteration}: ${bijection?.explanation}`,
        );
        for (const name of bijection.evidence.entries ?? []) {
          const state = r.layerStates.run[name];
          assert.ok(
            state !== undefined && state.lockfile !== "absent" &&
              (state.catalog === "absent" || state.catalog === state.lockfile),
            `iteration ${r.iteration}: ${name} is not the documented missing-rows finding ` +
              `(${JSON.stringify(state)}): ${bijection.explanation}`,
          );
        }
      }
      // Unlisted files only where some op gave up on the lock (C13).
      const files = verdictOf("files-lockfile-match");
      if (files?.status !== "valid") {
        assert.equal(
          verdictOf("no-lock-exhaustion")?.status,
          "invalid",
          `iteration ${r.iteration}: files and lockfile differ without a lock give-up: ${files?.explanation}`,
        );
      }
      for (const id of REQUIRED) {
        const verdict = r.verdicts.find((v) => v.invariant === id && v.phase === "run");
        assert.equal(
          verdict?.status,
          "valid",
          `iteration ${r.iteration}: ${id}: ${verdict?.explanation}`,
        );
      }
    }
  } finally {
    await Deno.remove(reportDir, { recursive: true });
  }
});
