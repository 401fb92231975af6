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
import { parseStoredFidelity, type StoredFidelity } from "../sim/drive/fidelity_record.ts";
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
      scenarios: [SCENARIO, `${ROOT}scenarios/smoke.yaml`],
      reportRoot: `${tmp}/reports`,
      findings: [],
      progress: (l) => progress.push(l),
    });
    assert.equal(result.exitCode, EXIT.pass, progress.join("\n"));
    assert.equal(result.swamp?.commit?.commit, head);
    assert.deepEqual(result.rows.map((r) => [r.scenario, r.same]), [
      ["lockfile-lost-update", true],
      ["smoke", true],
    ]);
    // Each run measures its target's start-up afresh (the load of that moment).
    assert.equal(
      progress.filter((l) =>
        /^ {2}(reference|swamp): startup=\d+ ms \(one extension list, solo\)/.test(l)
      )
        .length,
      4,
      progress.join("\n"),
    );
    assert.equal(result.rows[0].digest, scenarioDigest(await Deno.readTextFile(SCENARIO)));
    assert.ok(progress.some((l) => l === "[1/2] lockfile-lost-update on swamp"));
    const json = fidelityJson(result) as { swamp: { commit: string }; summary: unknown };
    assert.equal(json.swamp.commit, head);
    assert.deepEqual(json.summary, {
      scenarios: 2,
      same: 2,
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

Deno.test("runFidelity() refuses a checkout at another commit than the record being updated, before any scenario runs", async () => {
  await withTemp(async (tmp) => {
    const head = await standInCheckout(`${tmp}/swamp`);
    const progress: string[] = [];
    const other = "1".repeat(40);
    const result = await runFidelity({
      checkout: `${tmp}/swamp`,
      scenarios: [SCENARIO],
      reportRoot: `${tmp}/reports`,
      findings: [],
      progress: (l) => progress.push(l),
      expectCommit: other,
    });
    assert.equal(result.exitCode, EXIT.badInput);
    assert.equal(
      result.error,
      `error: swamp checkout ${tmp}/swamp is at ${head}, the record being updated measured ${other}; ` +
        "run the whole library without --update to measure another commit",
    );
    assert.deepEqual(result.rows, []);
    assert.ok(!progress.some((l) => l.includes(" on reference")));
  });
});

Deno.test("deno task fidelity --only --update replaces the re-run row and keeps the current ones", async () => {
  await withTemp(async (tmp) => {
    const head = await standInCheckout(`${tmp}/swamp`);
    const smoke = `${ROOT}scenarios/smoke.yaml`;
    const run = (name: string, digest: string) => ({
      scenario: name,
      digest,
      wallMs: 1000,
      pinned: true,
      same: true,
      findings: [],
      reference: { exitCode: 0, verdict: "pass 1/1", durationMs: 400 },
      swamp: { exitCode: 0, verdict: "pass 1/1", durationMs: 600 },
      differences: [],
    });
    const stored: StoredFidelity = {
      exitCode: 0,
      swamp: { checkout: `${tmp}/swamp`, commit: head },
      startedAt: "2026-01-01T00:00:00.000Z",
      wallMs: 3500,
      referenceMs: 1200,
      swampMs: 1800,
      summary: { scenarios: 3, same: 3, differ: [], undocumented: [] },
      rows: [
        run("lockfile-lost-update", "stale"),
        run("smoke", scenarioDigest(await Deno.readTextFile(smoke))),
        run("gone", "x"),
      ],
    };
    const file = `${tmp}/fidelity.json`;
    await Deno.writeTextFile(file, JSON.stringify(stored));
    const output = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        "sim/cli/fidelity_main.ts",
        "--swamp",
        `${tmp}/swamp`,
        "--only",
        "lockfile-lost-update",
        "--update",
        file,
      ],
      cwd: ROOT,
      env: { TMPDIR: tmp, NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(output.stderr);
    assert.equal(output.code, EXIT.pass, stderr);
    assert.match(
      stderr,
      /updated .*fidelity\.json: replaced lockfile-lost-update; kept 1 row\(s\)/,
    );
    assert.match(stderr, /dropped gone \(no such scenario\)/);
    const merged = parseStoredFidelity(await Deno.readTextFile(file), file);
    const digest = scenarioDigest(await Deno.readTextFile(SCENARIO));
    assert.deepEqual(merged.rows.map((r) => [r.scenario, r.digest, r.same]), [
      ["lockfile-lost-update", digest, true],
      ["smoke", stored.rows[1].digest, true],
    ]);
    assert.notEqual(merged.rows[0].measuredAt, stored.startedAt);
    assert.equal(merged.rows[1].measuredAt, stored.startedAt);
    assert.equal(merged.wallMs, merged.rows[0].wallMs! + 1000);
    assert.equal(merged.updates?.length, 1);
  });
});
