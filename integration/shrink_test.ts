/**
 * `--shrink` end to end: a failure buried among unrelated processes and
 * faults is reduced to the one process and the one fault that cause it, the
 * reduced scenario is written as a file, and that file alone replays the
 * failure.
 *
 * @module
 */

import { taskLauncher } from "../sim/report/replay.ts";
import assert from "node:assert/strict";
import { parse as parseYaml } from "yaml";
import { EXIT } from "../sim/shared/exit_codes.ts";
import type { ScenarioInput } from "../sim/scenario/schema.ts";
import { simulate } from "../sim/drive/simulate.ts";
import type { ShrinkReport } from "../sim/drive/shrink_run.ts";

const NOISY = new URL("../sim/testdata/shrink-noisy.yaml", import.meta.url).pathname;

Deno.test("simulate --shrink reduces a failure to its cause and writes a scenario that replays it", async () => {
  const reportDir = await Deno.makeTempDir({ prefix: "swamp-sim-shrink-test-" });
  const replayDir = await Deno.makeTempDir({ prefix: "swamp-sim-shrink-replay-" });
  try {
    const lines: string[] = [];
    const result = await simulate({
      scenario: NOISY,
      mutant: "remove-files-first",
      shrink: true,
      reportDir,
      log: (line) => lines.push(line),
    });
    assert.equal(result.exitCode, EXIT.invariant, lines.join("\n"));
    const shrink = result.json.shrink as ShrinkReport;
    assert.equal(shrink.status, "shrunk", lines.join("\n"));
    assert.deepEqual(shrink.from, { processes: 4, faults: 6 });
    assert.deepEqual(shrink.to, { processes: 1, faults: 1 });
    assert.equal(shrink.file, `${reportDir}/shrink-noisy-shrunk.yaml`);
    assert.ok(
      lines.includes(`replay the shrunk scenario with: ${taskLauncher()} task sim ${shrink.file}`),
    );

    const shrunk = parseYaml(await Deno.readTextFile(shrink.file!)) as ScenarioInput;
    assert.deepEqual(shrunk.workload?.processes, [{ op: "rm", name: "@fix/alpha" }]);
    assert.deepEqual(shrunk.faults, [{
      at: "catalog.commit",
      when: "after",
      action: "crash",
      hit: { nth: 1 },
      processes: [0],
    }]);
    assert.equal(shrunk.target?.mutant, "remove-files-first");
    assert.deepEqual(shrunk.fixture.registry.map((e) => e.name), ["@fix/alpha"]);

    const replay = await simulate({ scenario: shrink.file!, reportDir: replayDir, log: () => {} });
    assert.equal(replay.exitCode, EXIT.invariant);
    const failed = replay.results[0].judgements.filter((j) => !j.pass)
      .map((j) => `${j.verdict.invariant}@${j.verdict.phase}`).sort();
    assert.deepEqual(failed, shrink.failure.failed);
  } finally {
    await Deno.remove(reportDir, { recursive: true });
    await Deno.remove(replayDir, { recursive: true });
  }
});

Deno.test("simulate --shrink on a passing run has nothing to shrink and writes no scenario", async () => {
  const reportDir = await Deno.makeTempDir({ prefix: "swamp-sim-shrink-test-" });
  try {
    const lines: string[] = [];
    const result = await simulate({
      scenario: NOISY,
      shrink: true,
      reportDir,
      log: (line) => lines.push(line),
    });
    assert.equal(result.exitCode, EXIT.pass, lines.join("\n"));
    assert.ok(lines.includes("shrink: nothing to shrink, every iteration passed"));
    assert.equal(result.json.shrink, undefined);
    await assert.rejects(
      Deno.stat(`${reportDir}/shrink-noisy-shrunk.yaml`),
      Deno.errors.NotFound,
    );
  } finally {
    await Deno.remove(reportDir, { recursive: true });
  }
});
