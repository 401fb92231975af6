/**
 * No vacuous pass: a deliberately mis-pinned scenario, whose race cannot
 * happen on the reference, fails as `vacuous` (exit 5) although every
 * invariant holds, and it is the witness that fails it: every judgement
 * passes, and the run names the witness in the console, the JSON result,
 * `junit.xml` and `timeline.html`, with a replay command.
 *
 * @module
 */

import assert from "node:assert/strict";
import { EXIT } from "../sim/shared/exit_codes.ts";
import { simulate } from "../sim/drive/simulate.ts";

const DATA = new URL("../sim/testdata/", import.meta.url).pathname;

async function runMisPinned(name: string) {
  const reportDir = await Deno.makeTempDir({ prefix: "swamp-sim-vacuous-test-" });
  const lines: string[] = [];
  const result = await simulate({
    scenario: `${DATA}${name}`,
    reportDir,
    log: (l) => lines.push(l),
  });
  return { result, lines, reportDir };
}

Deno.test("a witness that a lock attempt was refused fails a run where nothing held the lock (exit 5)", async () => {
  const { result, lines, reportDir } = await runMisPinned("vacuous-unheld-lock.yaml");
  try {
    assert.equal(result.exitCode, EXIT.vacuous, lines.join("\n"));
    const [iteration] = result.results;
    assert.equal(iteration.failure?.class, "vacuous");
    // Every invariant holds: the witness alone fails the iteration.
    assert.ok(iteration.judgements.length > 0);
    assert.ok(iteration.judgements.every((j) => j.pass && j.verdict.status === "valid"));
    const unshown = iteration.witnesses.filter((w) => !w.held);
    assert.deepEqual(unshown.map((w) => w.witness.id), ["witnesses[0]"]);
    assert.equal(unshown[0].count, 0);
    // The pause's own witness shows: process 1 did start once process 0 exited.
    assert.deepEqual(
      iteration.witnesses.filter((w) => w.held).map((w) => w.witness.id),
      ["pause faults[0] of p1"],
    );
    const console = lines.join("\n");
    assert.match(
      console,
      /reproduce with: (deno|npx --yes deno@[\d.]+) task sim \S*vacuous-unheld-lock\.yaml --seed 5/,
    );
    assert.match(console, /iteration 0: VACUOUS .*witnesses 1\/2 shown/);
    assert.match(
      console,
      /witness: witnesses\[0\] \(p1 meets p0's held lock\) did not show: 0 event\(s\) p1 after lock\.acquire that threw, needed >= 1/,
    );
    const [json] = result.json.iterations as Array<
      { failure: { class: string }; witnesses: Array<{ held: boolean }> }
    >;
    assert.equal(json.failure.class, "vacuous");
    assert.deepEqual(json.witnesses.map((w) => w.held), [false, true]);
    const junit = await Deno.readTextFile(`${reportDir}/junit.xml`);
    assert.match(
      junit,
      /name="witness witnesses\[0\] \(p1 meets p0&apos;s held lock\)">\n\s*<failure message="did not show" type="vacuous">/,
    );
    assert.equal(junit.match(/<failure /g)?.length, 1, "only the witness fails");
    const page = await Deno.readTextFile(`${reportDir}/timeline.html`);
    assert.ok(page.includes('"held":false'), "the timeline carries the witness");
  } finally {
    await Deno.remove(reportDir, { recursive: true });
  }
});

Deno.test("a pause released by its timeout instead of its condition fails the run as vacuous (exit 5)", async () => {
  const { result, lines, reportDir } = await runMisPinned("vacuous-unreached-event.yaml");
  try {
    assert.equal(result.exitCode, EXIT.vacuous, lines.join("\n"));
    const [iteration] = result.results;
    assert.ok(iteration.judgements.every((j) => j.pass));
    assert.deepEqual(
      iteration.witnesses.map((w) => [w.witness.id, w.held]),
      [["pause faults[0] of p1", false]],
    );
    assert.match(
      iteration.witnesses[0].explanation,
      /released by its 300 ms timeout .*, not by p0 after catalog\.rollback #1$/,
    );
  } finally {
    await Deno.remove(reportDir, { recursive: true });
  }
});
