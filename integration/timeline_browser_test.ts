/**
 * The HTML report in a real browser: a failing run's `timeline.html`, loaded
 * by headless Chromium, draws one lane per op with its fault events and
 * marks the failed judgements; it has a legend for every colour and marker,
 * colours only failing rows as failures, and uses the page's full width; the
 * 50-process stress scenario's page is readable (lanes of a fixed height,
 * labels clear of the plot, no sideways scrolling, the whole iteration on
 * one screen as it opens); a page whose data holds hostile text
 * (`</script>`, markup in an explanation or an op) renders it as text and
 * runs none of it.
 *
 * @module
 */

import assert from "node:assert/strict";
import { EXIT } from "../sim/shared/exit_codes.ts";
import { simulate } from "../sim/drive/simulate.ts";
import { renderTimeline, type TimelineData, type TimelineOp } from "../sim/report/timeline.ts";
import {
  ACTION_SWATCHES,
  FAILURE_COLOUR,
  OUTCOME_SWATCHES,
} from "../sim/report/timeline_legend.ts";
import { TIMELINE_LANE_PX, TIMELINE_PER_OP_LANES_MAX } from "../sim/report/timeline_renderer.ts";
import { DEFAULT_WINDOW, dumpDom } from "./_chromium.ts";
import { type PageLayout, probeTimeline } from "./_timeline_probe.ts";

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
    assert.match(
      dom,
      /(deno|npx --yes deno@[\d.]+) task sim /,
      "the replay command is on the page",
    );
    const junit = await Deno.readTextFile(`${reportDir}/junit.xml`);
    assert.equal(count(junit, /<failure /g), failed.length);

    for (const type of Object.keys(OUTCOME_SWATCHES)) {
      assert.ok(
        dom.includes(`<rect class="legend op ${type}"`),
        `the legend shows outcome ${type}`,
      );
    }
    for (const action of Object.keys(ACTION_SWATCHES)) {
      assert.match(dom, new RegExp(`<(path|circle) class="legend event ${action}"`));
    }
    assert.match(dom, /<rect class="legend op ok implicated"[^>]*\/?>(<\/rect>)?<\/svg>red dashed/);

    const { probe } = await probeTimeline(
      `${reportDir}/timeline.html`,
      DEFAULT_WINDOW,
      FAILURE_COLOUR,
    );
    const page = probe.opened;
    assert.ok(iteration.judgements.some((j) => j.pass), "the failing iteration has passing rows");
    assert.equal(page.redPassingRows, 0, "no passing row is drawn in the failure colour");
    assert.deepEqual(page.strayFailureText, [], "failure colour only on failing rows");
    assertFullWidth(page);
  } finally {
    await Deno.remove(reportDir, { recursive: true });
  }
});

/** The plot spans the body's width and nothing makes the page scroll sideways. */
function assertFullWidth(page: PageLayout): void {
  assert.ok(page.scrollWidthPx <= page.viewportWidthPx, JSON.stringify(page));
  assert.ok(page.bodyWidthPx >= page.viewportWidthPx * 0.9, JSON.stringify(page));
  for (const plot of page.plots) {
    assert.ok(plot.widthPx >= page.bodyWidthPx - 1, `plot ${plot.widthPx} of ${page.bodyWidthPx}`);
    assert.ok(plot.widthPx <= page.bodyWidthPx + 1, `plot ${plot.widthPx} of ${page.bodyWidthPx}`);
  }
}

/** Every lane is a full lane high, and no label runs into the plot. */
function assertReadableLanes(page: PageLayout): void {
  for (const plot of page.plots) {
    if (plot.bars > 0) assert.ok(plot.barHeightMinPx >= TIMELINE_LANE_PX - 6, JSON.stringify(plot));
    assert.ok(plot.heightPx >= plot.lanes * TIMELINE_LANE_PX, JSON.stringify(plot));
    assert.ok(plot.labelRightPx <= plot.plotXPx, JSON.stringify(plot));
  }
}

Deno.test("timeline.html of the 50-process stress scenario is readable in a wide and a narrow window", async () => {
  const reportDir = await Deno.makeTempDir({ prefix: "swamp-sim-timeline-test-" });
  try {
    const result = await simulate({
      scenario: new URL("../scenarios/lifecycle-stress.yaml", import.meta.url).pathname,
      iteration: 0,
      reportDir,
      log: () => {},
    });
    assert.ok(result.exitCode === EXIT.pass || result.exitCode === EXIT.invariant);
    const ops = result.results[0].history.ops.length;
    assert.ok(ops >= 50 && ops > TIMELINE_PER_OP_LANES_MAX, `${ops} ops`);
    for (const widthPx of [1600, 760]) {
      const { dom, probe } = await probeTimeline(
        `${reportDir}/timeline.html`,
        { widthPx, heightPx: 900 },
        FAILURE_COLOUR,
      );
      assert.match(dom, /<body data-rendered="ok">/);
      for (const page of [probe.opened, probe.perOp, probe.unfolded]) {
        assertFullWidth(page);
        assertReadableLanes(page);
      }
      const [opened] = probe.opened.plots;
      assert.ok(opened.groups > 1 && opened.groups === opened.lanes - opened.bars, `${widthPx}`);
      assert.ok(opened.heightPx <= 600, `the iteration opens on one screen: ${opened.heightPx} px`);
      const [perOp] = probe.perOp.plots;
      assert.equal(perOp.bars, ops);
      assert.equal(perOp.lanes, ops);
      const [unfolded] = probe.unfolded.plots;
      assert.equal(unfolded.bars, ops);
      assert.equal(unfolded.folded, 0);
      assert.equal(unfolded.lanes, ops + unfolded.groups);
    }
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

function op(label: string, kind: string, extension: string | null, type: string): TimelineOp {
  return {
    label,
    phase: "run",
    op: extension === null ? kind : `${kind} ${extension}`,
    kind,
    extension,
    argv: ["swamp", kind],
    startMs: 0,
    endMs: 10,
    outcome: { type, class: type === "ok" ? "ok" : "failed" },
    exitCode: type === "ok" ? 0 : 1,
    signal: null,
    stderr: "",
    events: [],
  };
}

Deno.test("timeline.html opens many lanes grouped and folded, but each op a failed verdict names on a lane of its own", async () => {
  const dir = await Deno.makeTempDir({ prefix: "swamp-sim-timeline-test-" });
  try {
    const kinds = ["pull", "rm", "update", "list"];
    const ops = Array.from(
      { length: 50 },
      (_, i) =>
        op(`p${i}`, kinds[i % 4], i % 4 === 3 ? null : "@fix/alpha", i % 7 === 0 ? "info" : "ok"),
    );
    const data: TimelineData = {
      meta: { scenario: "many", file: "many.yaml", seed: 1, exitCode: 1 },
      iterations: [{
        iteration: 0,
        passed: false,
        failure: "invariant: linearizable (run) is invalid",
        replay: "deno task sim many.yaml --seed 1 --iteration 0",
        notes: [],
        ops,
        judgements: [
          {
            invariant: "linearizable",
            phase: "run",
            status: "invalid",
            expectation: "hold",
            pass: false,
            explanation: "p5 and p9 answered in no serial order",
            ops: ["p5", "p9"],
          },
          {
            invariant: "files-lockfile-match",
            phase: "run",
            status: "valid",
            expectation: "hold",
            pass: true,
            explanation: "All listed files exist",
            ops: [],
          },
        ],
      }],
    };
    const page = `${dir}/timeline.html`;
    await Deno.writeTextFile(page, renderTimeline(data));
    const { dom, probe } = await probeTimeline(page, DEFAULT_WINDOW, FAILURE_COLOUR);
    assert.match(dom, /<body data-rendered="ok">/);
    const [opened] = probe.opened.plots;
    assert.equal(opened.groups, 4);
    assert.equal(opened.folded, 3, "only rm (p5, p9) is unfolded");
    assert.ok(dom.includes('data-group="rm" data-folded="no"'));
    assert.equal(opened.implicated, 2);
    assert.equal(opened.bars, ops.filter((o) => o.kind === "rm").length);
    assert.equal(probe.opened.redPassingRows, 0);
    assert.deepEqual(probe.opened.strayFailureText, []);
    assertFullWidth(probe.opened);
    assertReadableLanes(probe.opened);
    assert.equal(probe.perOp.plots[0].implicated, 2);
  } finally {
    await Deno.remove(dir, { recursive: true });
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
          kind: hostile,
          extension: hostile,
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
        witnesses: [{
          name: hostile,
          held: false,
          explanation: `<img src="x" onerror="document.body.setAttribute('data-pwned', '3')">`,
        }],
      }, {
        iteration: 1,
        passed: true,
        replay: "deno task sim h.yaml --seed 1 --iteration 1",
        notes: [hostile],
        ops: Array.from({ length: TIMELINE_PER_OP_LANES_MAX + 1 }, (_, i) => ({
          ...op(`p${i}`, i % 2 === 0 ? hostile : "__proto__", hostile, "ok"),
          op: hostile,
        })),
        judgements: [],
        witnesses: [],
      }],
    };
    const page = `${dir}/timeline.html`;
    await Deno.writeTextFile(page, renderTimeline(data));
    const dom = await dumpDom(page);
    assert.match(dom, /<body data-rendered="ok">/);
    assert.ok(!/<body[^>]*data-pwned/.test(dom), "no injected script or handler ran");
    const { probe } = await probeTimeline(page, { widthPx: 900, heightPx: 900 }, FAILURE_COLOUR);
    for (const layout of [probe.opened, probe.perOp, probe.unfolded]) {
      assertFullWidth(layout);
      assertReadableLanes(layout);
    }
    assert.ok(!dom.includes("<img"), "no element was made from the text");
    assert.ok(dom.includes('&lt;img src="x" onerror='), "the explanation is shown as text");
    assert.ok(dom.includes("p0 &lt;/script&gt;&lt;script&gt;"), "the op is shown as text");
    assert.ok(
      dom.includes('<g class="lane group" data-group="&lt;/script&gt;&lt;script&gt;'),
      "lanes grouped by a hostile op kind",
    );
    assert.ok(dom.includes('<g class="lane group" data-group="__proto__"'));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
