/**
 * A handful of library scenarios on a real swamp checkout, the one named by
 * `SWAMP_CHECKOUT` (the dir holding swamp's `main.ts` and `deno.json`, as
 * `--swamp` takes it): a crash with its recovery, a pinned lock race, a
 * pinned catalog race, and the 50-process stress scenario for one
 * iteration. Each must pass as it does on the reference, and its report
 * must name the checkout. Without `SWAMP_CHECKOUT` each test is ignored
 * under a name that says so, and the test command lists it as not run.
 * Slow: real swamp takes seconds per op, and the stress iteration minutes.
 *
 * @module
 */

import assert from "node:assert/strict";
import { simulate } from "../sim/drive/simulate.ts";
import { forgetStartupMeasures } from "../sim/run/startup.ts";
import { EXIT } from "../sim/shared/exit_codes.ts";

const CHECKOUT = Deno.env.get("SWAMP_CHECKOUT") ?? "";
const ROOT = new URL("../", import.meta.url).pathname;

/** The scenarios run on the checkout, and why each. */
const CASES: ReadonlyArray<{ file: string; what: string; iterations?: number }> = [
  { file: "pull-crash-after-lockfile-write.yaml", what: "a crash and its recovery" },
  { file: "lockfile-lost-update.yaml", what: "a pinned lock race" },
  { file: "catalog-busy-wait.yaml", what: "a pinned catalog race" },
  { file: "lifecycle-stress.yaml", what: "the stress scenario", iterations: 1 },
];

for (const c of CASES) {
  Deno.test({
    name: `real swamp: ${c.file} (${c.what}) passes on the checkout${
      CHECKOUT === "" ? " (SWAMP_CHECKOUT not set)" : ""
    }`,
    ignore: CHECKOUT === "",
    fn: async () => {
      const lines: string[] = [];
      // Each test's limit from a start-up measured now, under the machine's load of now.
      forgetStartupMeasures();
      const reportDir = await Deno.makeTempDir({ prefix: "real-swamp-test-" });
      try {
        const result = await simulate({
          scenario: `${ROOT}scenarios/${c.file}`,
          swamp: CHECKOUT,
          ...(c.iterations === undefined ? {} : { iterations: c.iterations }),
          reportDir,
          log: (l) => lines.push(l),
        });
        const target = result.json.target as { kind?: string; checkout?: string } | undefined;
        assert.equal(target?.kind, "swamp", lines.join("\n"));
        assert.equal(target?.checkout, await Deno.realPath(CHECKOUT));
        assert.equal(result.exitCode, EXIT.pass, lines.join("\n"));
        // The figures a maintainer wants from the run: per-op time and outcomes.
        const ops = result.results.flatMap((r) => r.history.ops.filter((o) => o.phase === "run"));
        const seconds = ops.map((o) => (o.completeMs - o.invokeMs) / 1000).sort((a, b) => a - b);
        const outcomes: Record<string, number> = {};
        for (const op of ops) outcomes[op.outcome.class] = (outcomes[op.outcome.class] ?? 0) + 1;
        console.log(
          `${c.file}: ${ops.length} op(s), ${seconds[0]?.toFixed(1)}-${
            seconds.at(-1)?.toFixed(1)
          } s each, outcomes ${JSON.stringify(outcomes)}`,
        );
      } finally {
        await Deno.remove(reportDir, { recursive: true });
      }
    },
  });
}
