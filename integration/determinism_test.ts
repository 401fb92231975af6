/**
 * Races pinned by event-ordered pauses are reproduced, not sampled: each of
 * these scenarios, run three times from the same plan, leaves one history
 * shape (outcomes, fault actions taken, layer states, verdicts). The full
 * library is `deno task determinism`.
 *
 * @module
 */

import assert from "node:assert/strict";
import { EXIT } from "../sim/shared/exit_codes.ts";
import { simulate } from "../sim/drive/simulate.ts";

const PINNED = [
  "lockfile-lost-update.yaml",
  "pull-same-extension.yaml",
  "rm-races-update.yaml",
  "rm-concurrent-both-removed.yaml",
  "pull-two-versions-race.yaml",
  "lock-contend-absorbed-strace.yaml",
  "lock-budget-edge-strace.yaml",
  "lock-budget-edge.yaml",
  "install-lists-changing-tree.yaml",
];

for (const name of PINNED) {
  Deno.test(`${name} leaves one history shape over 3 runs of its plan`, async () => {
    const reportDir = await Deno.makeTempDir({ prefix: "swamp-sim-determinism-test-" });
    try {
      const result = await simulate({
        scenario: new URL(`../scenarios/${name}`, import.meta.url).pathname,
        repeat: 3,
        reportDir,
        log: () => {},
      });
      const [iteration] = result.json.iterations as Array<{
        determinism: { runs: number; distinct: number; difference?: string };
      }>;
      assert.equal(iteration.determinism.runs, 3);
      assert.equal(iteration.determinism.distinct, 1, iteration.determinism.difference);
      assert.equal(result.exitCode, EXIT.pass);
    } finally {
      await Deno.remove(reportDir, { recursive: true });
    }
  });
}
