/**
 * `deno task fidelity` without a real swamp: a stand-in checkout that is
 * the reference gives the same verdicts (exit 0); one that is a mutant
 * differs on the scenario that catches the mutant, which fails the run
 * (exit 1) until a documented finding cites that scenario; a checkout that
 * cannot start is refused before any scenario runs (exit 2). The CLI's
 * table and JSON are checked on the same runs.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  fidelityJson,
  formatFidelity,
  runFidelity,
  scenarioDigest,
} from "../sim/drive/fidelity.ts";
import { EXIT } from "../sim/shared/exit_codes.ts";
import { standInCheckout, withTemp } from "./_stand_in.ts";

const ROOT = new URL("../", import.meta.url).pathname;
/** Caught by `lock-no-retry` on its first iteration (the mutant matrix). */
const SCENARIO = `${ROOT}scenarios/lockfile-lost-update.yaml`;

Deno.test("runFidelity() finds no difference between the reference and a stand-in that is the reference", async () => {
  await withTemp(async (tmp) => {
    const head = await standInCheckout(`${tmp}/swamp`);
    const progress: string[] = [];
    const result = await runFidelity({
      checkout: `${tmp}/swamp`,
      scenarios: [SCENARIO],
      reportRoot: `${tmp}/reports`,
      findings: [],
      progress: (l) => progress.push(l),
    });
    assert.equal(result.exitCode, EXIT.pass, progress.join("\n"));
    assert.equal(result.swamp?.commit?.commit, head);
    assert.equal(result.rows.length, 1);
    assert.equal(result.rows[0].same, true);
    assert.equal(result.rows[0].digest, scenarioDigest(await Deno.readTextFile(SCENARIO)));
    assert.ok(progress.some((l) => l === "[1/1] lockfile-lost-update on swamp"));
    const json = fidelityJson(result) as { swamp: { commit: string }; summary: unknown };
    assert.equal(json.swamp.commit, head);
    assert.deepEqual(json.summary, {
      scenarios: 1,
      same: 1,
      differ: [],
      undocumented: [],
    });
  });
});

Deno.test("runFidelity() fails on a difference until a documented finding cites its scenario", async () => {
  await withTemp(async (tmp) => {
    await standInCheckout(`${tmp}/swamp`, "lock-no-retry");
    const options = {
      checkout: `${tmp}/swamp`,
      scenarios: [SCENARIO],
      reportRoot: `${tmp}/reports`,
      progress: () => {},
    };
    const open = await runFidelity({ ...options, findings: [] });
    assert.equal(open.exitCode, EXIT.invariant);
    const row = open.rows[0];
    assert.equal(row.same, false);
    assert.equal(row.reference.verdict, "pass 1/1");
    assert.match(row.swamp.verdict, /^FAIL 0\/1/);
    assert.ok(row.differences[0].judgements.length > 0, JSON.stringify(row.differences));
    const table = formatFidelity(open);
    assert.match(table, /lockfile-lost-update +pass 1\/1 +FAIL 0\/1 \(\w+\) +NO +undocumented/);
    assert.match(table, /iteration 0: .*: reference valid \| swamp invalid \(FAILED\)/);
    assert.match(table, /1 differ \(0 documented, 1 undocumented: lockfile-lost-update\)/);

    const documented = await runFidelity({
      ...options,
      findings: [{ id: "S7", scenarios: ["lockfile-lost-update.yaml"] }],
    });
    assert.equal(documented.exitCode, EXIT.pass);
    assert.deepEqual(documented.rows[0].findings, ["S7"]);
  });
});

Deno.test("runFidelity() refuses a checkout that cannot start before running any scenario", async () => {
  await withTemp(async (tmp) => {
    await Deno.mkdir(`${tmp}/swamp`);
    await Deno.writeTextFile(`${tmp}/swamp/main.ts`, "Deno.exit(3);\n");
    await Deno.writeTextFile(`${tmp}/swamp/deno.json`, "{}");
    const progress: string[] = [];
    const result = await runFidelity({
      checkout: `${tmp}/swamp`,
      scenarios: [SCENARIO],
      reportRoot: `${tmp}/reports`,
      findings: [],
      progress: (l) => progress.push(l),
    });
    assert.equal(result.exitCode, EXIT.badInput);
    assert.equal(
      result.error,
      `error: swamp checkout ${tmp}/swamp cannot start: \`main.ts --version\` exited with code 3 and printed nothing`,
    );
    assert.deepEqual(result.rows, []);
    assert.ok(!progress.some((l) => l.includes(" on reference")));
  });
});
