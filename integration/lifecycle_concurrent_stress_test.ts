/**
 * The cross-process concurrency stress test of swamp's extension lifecycle:
 * 50 concurrent target processes against ONE repo, each running one of
 * `extension pull @fix/alpha` (many at once: the same extension installed
 * concurrently), `extension rm @fix/beta` and `extension update`, over
 * several iterations. It runs through the simulator (the scenario
 * `scenarios/lifecycle-stress.yaml`), not through a second harness. After
 * each iteration it asserts: no orphan catalog rows (catalog <-> lockfile
 * bijection), no benign DuplicateTypeError, a well-formed lockfile, a
 * pulled-extensions tree that matches the lockfile (no orphans, no dangling
 * references), and no SQLITE_BUSY exhaustion; every answer is linearizable
 * except where overlapping rm of one extension both answer removed (a
 * finding). Lock-retry exhaustion is counted rather than failed on: see the
 * scenario's header. `deno task
 * soak` runs the same scenario 60 times.
 */

import assert from "node:assert/strict";
import { EXIT } from "../sim/shared/exit_codes.ts";
import type { InvariantId } from "../sim/shared/invariant_ids.ts";
import { simulate } from "../sim/drive/simulate.ts";

const SCENARIO = new URL("../scenarios/lifecycle-stress.yaml", import.meta.url).pathname;

/** The assertions of the stress test, by invariant. */
const REQUIRED: readonly InvariantId[] = [
  "catalog-lockfile-bijection",
  "no-benign-duplicate-type",
  "lockfile-well-formed",
  "files-lockfile-match",
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
