/**
 * The HTML report in a real browser: a failing run's `timeline.html`, loaded
 * by headless Chromium, draws one lane per op with its fault events and
 * marks the failed judgements; a page whose data holds hostile text
 * (`</script>`, markup in an explanation) renders it as text and runs none of it.
 *
 * @module
 */

import assert from "node:assert/strict";
import { EXIT } from "../sim/shared/exit_codes.ts";
import { simulate } from "../sim/drive/simulate.ts";
import { renderTimeline, type TimelineData } from "../sim/report/timeline.ts";
import { dumpDom } from "./_chromium.ts";

const SCENARIO = new URL("../scenarios/rm-crash-after-commit.yaml", import.meta.url).pathname;

function count(text: string, pattern: RegExp): number {
  return text.match(pattern)?.length ?? 0;
}

Deno.test("timeline.html of a failing run draws every op, its crash and the failed judgements in Chromium", async () => {
  const reportDir = await Deno.makeTempDir({ prefix: "swamp-sim-timeline-test-" });
  try {
    const result = await simulate({
      scenario: SCENARIO,
      mutant: "remove-files-first",
      reportDir,
      log: () => {},
    });
    assert.equal(result.exitCode, EXIT.invariant);
    const [iteration] = result.results;
    const dom = await dumpDom(`${reportDir}/timeline.html`);
    assert.match(dom, /<body data-rendered="ok">/);
    assert.equal(count(dom, /<rect class="op /g), iteration.history.ops.length);
    assert.equal(count(dom, /<path class="event crash"/g), 1);
    assert.match(dom, /<h2 class="fail">Iteration 0: FAIL<\/h2>/);
    const failed = iteration.judgements.filter((j) => !j.pass);
    assert.ok(failed.length > 0);
    assert.equal(count(dom, /<tr class="fail" /g), failed.length);
    for (const j of failed) {
      assert.ok(dom.includes(`<tr class="fail" data-invariant="${j.verdict.invariant}">`));
    }
    assert.ok(dom.includes("deno task sim "), "the replay command is on the page");
    const junit = await Deno.readTextFile(`${reportDir}/junit.xml`);
    assert.equal(count(junit, /<failure /g), failed.length);
  } finally {
    await Deno.remove(reportDir, { recursive: true });
  }
});

Deno.test("timeline.html marks the ops whose answers linearizable cannot order", async () => {
  const reportDir = await Deno.makeTempDir({ prefix: "swamp-sim-timeline-test-" });
  try {
    const result = await simulate({
      scenario: new URL("../scenarios/serial-answers.yaml", import.meta.url).pathname,
      mutant: "list-stale-cache",
      reportDir,
      log: () => {},
    });
    assert.equal(result.exitCode, EXIT.invariant);
    const verdict = result.results[0].verdicts.find((v) => v.invariant === "linearizable")!;
    assert.equal(verdict.status, "invalid");
    const marked = verdict.evidence.ops ?? [];
    assert.ok(marked.length > 0, verdict.explanation);
    const dom = await dumpDom(`${reportDir}/timeline.html`);
    assert.match(dom, /<body data-rendered="ok">/);
    assert.equal(count(dom, /data-implicated="linearizable \(run\)"/g), marked.length);
    for (const label of marked) {
      assert.ok(
        dom.includes(`data-op="${label}" data-implicated="linearizable (run)"`),
        `lane ${label} is marked`,
      );
    }
    assert.equal(count(dom, /<rect class="op [a-z]+ implicated"/g), marked.length);
  } finally {
    await Deno.remove(reportDir, { recursive: true });
  }
});

Deno.test("timeline.html renders hostile target output as text and runs none of it", async () => {
  const dir = await Deno.makeTempDir({ prefix: "swamp-sim-timeline-test-" });
  try {
    const hostile = `</script><script>document.body.setAttribute("data-pwned", "1")</script>`;
    const data: TimelineData = {
      meta: { scenario: "hostile", file: "h.yaml", seed: 1, exitCode: 1 },
      iterations: [{
        iteration: 0,
        passed: false,
        failure: "invariant: x",
        replay: "deno task sim h.yaml --seed 1 --iteration 0",
        notes: [],
        ops: [{
          label: "p0",
          phase: "run",
          op: hostile,
          argv: ["swamp", hostile],
          startMs: 0,
          endMs: 10,
          outcome: { type: "fail", class: "usage", message: hostile },
          exitCode: 1,
          signal: null,
          stderr: hostile,
          events: [],
        }],
        judgements: [{
          invariant: "files-lockfile-match",
          phase: "run",
          status: "invalid",
          expectation: "hold",
          pass: false,
          explanation: `<img src="x" onerror="document.body.setAttribute('data-pwned', '2')">`,
          ops: ["p0"],
        }],
      }],
    };
    const page = `${dir}/timeline.html`;
    await Deno.writeTextFile(page, renderTimeline(data));
    const dom = await dumpDom(page);
    assert.match(dom, /<body data-rendered="ok">/);
    assert.ok(!/<body[^>]*data-pwned/.test(dom), "no injected script or handler ran");
    assert.ok(!dom.includes("<img"), "no element was made from the text");
    assert.ok(dom.includes('&lt;img src="x" onerror='), "the explanation is shown as text");
    assert.ok(dom.includes("p0 &lt;/script&gt;&lt;script&gt;"), "the op is shown as text");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
