import assert from "node:assert/strict";
import { historyOf, historyOp } from "../check/invariants/_fixtures.ts";
import type { IterationResult } from "../check/iteration.ts";
import {
  renderTimeline,
  scriptSafeJson,
  TIMELINE_STDERR_CHARS_MAX,
  timelineData,
  type TimelineMeta,
} from "./timeline.ts";

const HOSTILE = `</script><script>document.body.dataset.pwned = "1"</script>\u2028`;

function resultOf(): IterationResult {
  const pull = historyOp(0, { op: "pull", ref: "@fix/alpha" }, {
    window: [10, 50],
    stderr: HOSTILE + "x".repeat(TIMELINE_STDERR_CHARS_MAX),
  });
  pull.events = [{
    seq: 1,
    process: 0,
    pid: 7,
    point: "lock.acquire",
    phase: "before",
    hit: 2,
    action: "delay",
    rule: "faults[0]",
    delayMs: 25,
    atMs: pull.invokeMs + 5,
  }];
  const setup = historyOp(0, { op: "init" }, { phase: "setup", window: [0, 8] });
  return {
    iteration: 4,
    plan: { scenario: "s", seed: 9, iteration: 4, processes: [] },
    history: historyOf([setup, pull]),
    verdicts: [],
    judgements: [{
      verdict: {
        invariant: "files-lockfile-match",
        phase: "run",
        status: "invalid",
        explanation: "<img src=x onerror=alert(1)> is unlisted",
        evidence: { ops: ["p0"] },
      },
      expectation: "hold",
      pass: false,
    }],
    witnesses: [],
    layerStates: { run: {} },
    passed: false,
    failure: { class: "invariant", reason: "files-lockfile-match (run) is invalid" },
    durationMs: 60,
    checkMs: 1,
  };
}

const META: TimelineMeta = {
  scenario: "s<b>",
  file: "scenarios/s.yaml",
  seed: 9,
  exitCode: 1,
  replays: { 4: "deno task sim scenarios/s.yaml --seed 9 --iteration 4" },
  notes: { 4: ["p0 was released by its pause timeout"] },
};

Deno.test("timelineData() puts times from the first invoke, labels by phase, and bounds stderr", () => {
  const data = timelineData(META, [resultOf()]);
  const [it] = data.iterations;
  assert.equal(it.replay, META.replays[4]);
  assert.deepEqual(it.notes, META.notes[4]);
  assert.equal(it.failure, "invariant: files-lockfile-match (run) is invalid");
  assert.deepEqual(it.ops.map((o) => [o.label, o.op, o.startMs, o.endMs]), [
    ["s0", "init", 0, 8],
    ["p0", "pull @fix/alpha", 10, 50],
  ]);
  assert.deepEqual(it.ops[1].events, [{
    atMs: 15,
    point: "lock.acquire",
    phase: "before",
    hit: 2,
    action: "delay",
    rule: "faults[0]",
    detail: "25 ms",
  }]);
  assert.equal(it.ops[1].stderr.length, TIMELINE_STDERR_CHARS_MAX);
  assert.deepEqual(it.judgements.map((j) => j.ops), [["p0"]]);
  assert.equal(
    JSON.stringify(data.meta),
    JSON.stringify({ scenario: "s<b>", file: "scenarios/s.yaml", seed: 9, exitCode: 1 }),
  );
});

Deno.test("renderTimeline() embeds the data so that no text of a target can end the script", () => {
  const data = timelineData(META, [resultOf()]);
  const html = renderTimeline(data);
  assert.equal(html.match(/<\/script>/g)?.length, 2, "only the page's own two scripts close");
  assert.ok(!html.includes("<script>document.body"));
  assert.ok(html.includes("<title>swamp-sim: s&lt;b&gt; (seed 9)</title>"));
  const embedded = /<script type="application\/json" id="swamp-sim-data">(.*?)<\/script>/s.exec(
    html,
  );
  assert.ok(embedded);
  assert.deepEqual(JSON.parse(embedded[1]), data);
  assert.equal(scriptSafeJson("<\u2028"), '"\\u003c\\u2028"');
});

Deno.test("renderTimeline() marks a run that ended early as failed, whatever its iterations did", () => {
  const html = renderTimeline(timelineData({ ...META, exitCode: 4, harnessError: "boom <x>" }, []));
  assert.ok(
    html.includes('<p class="summary fail">scenarios/s.yaml: 0/0 iteration(s) passed, exit 4</p>'),
  );
  assert.ok(html.includes('<p class="fail">The run ended early: boom &lt;x&gt;</p>'));
  assert.ok(
    renderTimeline(timelineData({ ...META, exitCode: 0 }, [])).includes('<p class="summary pass">'),
  );
});

Deno.test("renderTimeline() names the target and its version under the title", () => {
  const target = {
    kind: "swamp" as const,
    label: "swamp checkout /s at <abc>",
    version: "swamp 1",
  };
  const html = renderTimeline(timelineData({ ...META, target }, []));
  assert.ok(
    html.includes('<p class="target">target: swamp checkout /s at &lt;abc&gt;, swamp 1</p>'),
  );
  assert.ok(!renderTimeline(timelineData(META, [])).includes('class="target"'));
});

Deno.test("timelineData() gives each op its kind and the extension it names, without a version", () => {
  const result = resultOf();
  result.history = historyOf([
    historyOp(0, { op: "pull", ref: "@fix/alpha@2026.01.01.1" }),
    historyOp(1, { op: "rm", name: "@fix/beta" }),
    historyOp(2, { op: "update" }),
    historyOp(3, { op: "update", name: "@fix/gamma" }),
    historyOp(4, { op: "doctor", repair: true }),
    historyOp(5, { op: "list" }),
  ]);
  const [it] = timelineData(META, [result]).iterations;
  assert.deepEqual(it.ops.map((o) => [o.kind, o.extension]), [
    ["pull", "@fix/alpha"],
    ["rm", "@fix/beta"],
    ["update", null],
    ["update", "@fix/gamma"],
    ["doctor-repair", null],
    ["list", null],
  ]);
});
