/**
 * `timeline.html`: one self-contained page per run (no network, no external
 * files) that draws each iteration's processes on a time axis, one lane per
 * op from invoke to completion, coloured by outcome, with its fault events
 * as markers, followed by the iteration's judgements. The ops a failed
 * judgement names (`evidence.ops`, e.g. the answers `linearizable` cannot
 * order) are marked: a red dashed outline, a `!` before the label, and the
 * invariant in the lane's `data-implicated` and tooltip. Clicking a lane shows
 * the op's argv, outcome, stderr and events.
 *
 * The page is data plus a small renderer: the run is embedded as JSON (every
 * `<` escaped, so no output of a target can close the script element), and
 * the script builds the DOM from it with `textContent` only, never HTML
 * strings. When it is done it sets `data-rendered="ok"` on `<body>` (or
 * `error: ...`), which is what the browser test checks.
 *
 * @module
 */

import type { TargetIdentity } from "../run/target_identity.ts";
import { type HistoryOp, opText, processLabel } from "../record/history.ts";
import type { IterationResult } from "../check/iteration.ts";

/** Most stderr characters kept per op in the page. */
export const TIMELINE_STDERR_CHARS_MAX = 4_000;

/** What the page says about the run as a whole. */
export interface TimelineMeta {
  scenario: string;
  file: string;
  seed: number;
  mutant?: string;
  /** The target the run ran on (absent in pages written before targets were named). */
  target?: TargetIdentity;
  exitCode: number;
  /** The replay command of each iteration, by iteration number. */
  replays: Record<number, string>;
  /** Notes per iteration number (see `iterationNotes()`). */
  notes: Record<number, string[]>;
  /** Why the run ended early (a harness error or an interruption), if it did. */
  harnessError?: string;
}

/** One op as the page shows it; times in ms from the iteration's first invoke. */
export interface TimelineOp {
  label: string;
  phase: string;
  op: string;
  argv: string[];
  startMs: number;
  endMs: number;
  outcome: { type: string; class: string; message?: string };
  exitCode: number | null;
  signal: string | null;
  stderr: string;
  events: Array<{
    atMs: number;
    point: string;
    phase: string;
    hit: number;
    action: string;
    rule?: string;
    detail?: string;
  }>;
}

/** The page's data (embedded as JSON). */
export interface TimelineData {
  meta: Omit<TimelineMeta, "replays" | "notes">;
  iterations: Array<{
    iteration: number;
    passed: boolean;
    failure?: string;
    replay: string;
    notes: string[];
    ops: TimelineOp[];
    judgements: Array<{
      invariant: string;
      phase: string;
      status: string;
      expectation: string;
      pass: boolean;
      explanation: string;
      /** Labels of the ops the verdict names (`evidence.ops`); a failed judgement marks their lanes. */
      ops: string[];
    }>;
  }>;
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

function eventDetail(e: HistoryOp["events"][number]): string | undefined {
  const parts: string[] = [];
  if (e.delayMs !== undefined) parts.push(`${e.delayMs} ms`);
  if (e.error !== undefined) parts.push(e.error);
  if (e.pausedMs !== undefined) {
    parts.push(`paused ${e.pausedMs} ms${e.released === false ? ", released by timeout" : ""}`);
  }
  if (e.threw === true) parts.push("threw");
  return parts.length === 0 ? undefined : parts.join(", ");
}

/** The page's data for a run's iteration results (pure). */
export function timelineData(
  meta: TimelineMeta,
  results: readonly IterationResult[],
): TimelineData {
  const { replays: _replays, notes: _notes, ...shown } = meta;
  return {
    meta: shown,
    iterations: results.map((r) => {
      const t0 = Math.min(...r.history.ops.map((o) => o.invokeMs));
      return {
        iteration: r.iteration,
        passed: r.passed,
        ...(r.failure === undefined ? {} : { failure: `${r.failure.class}: ${r.failure.reason}` }),
        replay: meta.replays[r.iteration] ?? "",
        notes: meta.notes[r.iteration] ?? [],
        ops: r.history.ops.map((o): TimelineOp => ({
          label: processLabel(o),
          phase: o.phase,
          op: opText(o.op),
          argv: o.argv,
          startMs: round(o.invokeMs - t0),
          endMs: round(Math.max(o.completeMs, o.invokeMs) - t0),
          outcome: {
            type: o.outcome.type,
            class: o.outcome.class,
            ...(o.outcome.message === undefined ? {} : { message: o.outcome.message }),
          },
          exitCode: o.exitCode,
          signal: o.signal,
          stderr: o.stderr.slice(0, TIMELINE_STDERR_CHARS_MAX),
          events: o.events.map((e) => {
            const detail = eventDetail(e);
            return {
              atMs: round(e.atMs - t0),
              point: e.point,
              phase: e.phase,
              hit: e.hit,
              action: e.action,
              ...(e.rule === undefined ? {} : { rule: e.rule }),
              ...(detail === undefined ? {} : { detail }),
            };
          }),
        })),
        judgements: r.judgements.map((j) => ({
          invariant: j.verdict.invariant,
          phase: j.verdict.phase,
          status: j.verdict.status,
          expectation: j.expectation,
          pass: j.pass,
          explanation: j.verdict.explanation,
          ops: j.verdict.evidence.ops ?? [],
        })),
      };
    }),
  };
}

/** JSON that is safe inside a `<script>` element: no `<`, and no line separators JS would reject. */
export function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value)
    .replaceAll("<", "\\u003c")
    .replaceAll("\u2028", "\\u2028")
    .replaceAll("\u2029", "\\u2029");
}

function escapeHtml(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;");
}

const STYLE = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #222; }
h1 { font-size: 1.4em; margin: 0 0 .3em; }
h2 { font-size: 1.15em; margin: 1.4em 0 .3em; }
code, pre { font: 12px/1.35 ui-monospace, monospace; }
pre { background: #f5f5f5; padding: .6em; overflow: auto; max-height: 24em; white-space: pre-wrap; }
.pass { color: #1a7f37; } .fail { color: #c62828; }
section.iteration { border-top: 1px solid #ccc; }
svg.timeline { display: block; margin: .5em 0; }
svg text { font: 11px ui-monospace, monospace; fill: #333; }
rect.op { cursor: pointer; stroke: #0003; }
rect.op.ok { fill: #8fd19e; } rect.op.fail { fill: #f3c969; } rect.op.info { fill: #ef9a9a; }
rect.op.selected { stroke: #000; stroke-width: 2; }
rect.op.implicated { stroke: #c62828; stroke-width: 3; stroke-dasharray: 5 2; }
text.implicated { fill: #c62828; font-weight: bold; }
line.axis { stroke: #999; } line.tick { stroke: #ddd; }
.event { stroke: #0006; } .event.none { fill: #fff; }
.event.delay { fill: #fb8c00; } .event.crash { fill: #d50000; } .event.error { fill: #8e24aa; }
.event.contend { fill: #6d4c41; } .event.pause { fill: #1e88e5; }
table.judgements { border-collapse: collapse; margin: .5em 0; }
table.judgements td, table.judgements th { border: 1px solid #ddd; padding: .2em .5em; text-align: left; vertical-align: top; }
table.judgements tr.pass { color: inherit; }
tr.fail td { background: #fdecea; } td.judged-fail { color: #c62828; font-weight: bold; }
ul.notes li { color: #8a6d00; }
`;

/** The renderer (plain ES2020, runs in the page). */
const SCRIPT = `
(function () {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    for (var k in attrs || {}) node.setAttribute(k, attrs[k]);
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function svg(tag, attrs, text) {
    var node = document.createElementNS(SVG, tag);
    for (var k in attrs || {}) node.setAttribute(k, String(attrs[k]));
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function detailsOf(op) {
    var lines = [op.label + "  " + op.op + "  (" + op.phase + ")",
      "argv: " + op.argv.join(" "),
      "outcome: " + op.outcome.type + " / " + op.outcome.class +
        (op.outcome.message ? " - " + op.outcome.message : ""),
      "exit: " + (op.signal !== null ? op.signal : op.exitCode),
      "time: " + op.startMs + " .. " + op.endMs + " ms", "events:"];
    op.events.forEach(function (e) {
      lines.push("  " + e.atMs + " ms  " + e.phase + " " + e.point + " #" + e.hit + "  " + e.action +
        (e.rule ? " [" + e.rule + "]" : "") + (e.detail ? "  " + e.detail : ""));
    });
    lines.push("stderr:", op.stderr || "(empty)");
    return lines.join("\\n");
  }
  function implicatedBy(it) {
    var marks = {};
    it.judgements.forEach(function (j) {
      if (j.pass) return;
      (j.ops || []).forEach(function (label) {
        (marks[label] = marks[label] || []).push(j.invariant + " (" + j.phase + ")");
      });
    });
    return marks;
  }
  function timeline(it, details) {
    var LABEL = 230, WIDTH = 760, LANE = 22, TOP = 24;
    var marks = implicatedBy(it);
    var endMs = Math.max(1, Math.max.apply(null, it.ops.map(function (o) { return o.endMs; })));
    var x = function (ms) { return LABEL + (ms / endMs) * WIDTH; };
    var root = svg("svg", { "class": "timeline", width: LABEL + WIDTH + 20, height: TOP + it.ops.length * LANE + 10 });
    for (var i = 0; i <= 4; i++) {
      var ms = Math.round((endMs * i) / 4);
      root.appendChild(svg("line", { "class": "tick", x1: x(ms), x2: x(ms), y1: TOP - 6, y2: TOP + it.ops.length * LANE }));
      root.appendChild(svg("text", { x: x(ms), y: TOP - 10, "text-anchor": i === 0 ? "start" : i === 4 ? "end" : "middle" }, ms + " ms"));
    }
    it.ops.forEach(function (op, row) {
      var y = TOP + row * LANE;
      var marked = marks[op.label];
      var lane = svg("g", marked ? { "class": "lane", "data-op": op.label, "data-implicated": marked.join(", ") }
        : { "class": "lane", "data-op": op.label });
      lane.appendChild(svg("text", marked ? { x: 4, y: y + 14, "class": "implicated" } : { x: 4, y: y + 14 },
        (marked ? "! " : "") + op.label + " " + op.op));
      var bar = svg("rect", { "class": "op " + op.outcome.type + (marked ? " implicated" : ""), x: x(op.startMs), y: y + 3,
        width: Math.max(2, x(op.endMs) - x(op.startMs)), height: LANE - 6 });
      bar.appendChild(svg("title", {}, op.label + " " + op.op + ": " + op.outcome.class +
        (marked ? "; named by " + marked.join(", ") : "")));
      bar.addEventListener("click", function () {
        var selected = root.querySelectorAll("rect.op.selected");
        for (var s = 0; s < selected.length; s++) selected[s].classList.remove("selected");
        bar.classList.add("selected");
        details.textContent = detailsOf(op);
      });
      lane.appendChild(bar);
      op.events.forEach(function (e) {
        var cx = x(e.atMs), cy = y + LANE / 2;
        var mark = e.action === "none"
          ? svg("circle", { "class": "event none", cx: cx, cy: cy, r: 2 })
          : svg("path", { "class": "event " + e.action,
              d: "M" + cx + " " + (cy - 6) + " L" + (cx + 5) + " " + cy + " L" + cx + " " + (cy + 6) + " L" + (cx - 5) + " " + cy + " Z" });
        mark.appendChild(svg("title", {}, e.phase + " " + e.point + " #" + e.hit + ": " + e.action + (e.detail ? " (" + e.detail + ")" : "")));
        lane.appendChild(mark);
      });
      root.appendChild(lane);
    });
    return root;
  }
  function judgements(it) {
    var table = el("table", { "class": "judgements" });
    var head = el("tr");
    ["invariant", "phase", "verdict", "expected", "judged", "explanation", "ops"].forEach(function (h) { head.appendChild(el("th", {}, h)); });
    table.appendChild(head);
    it.judgements.forEach(function (j) {
      var row = el("tr", { "class": j.pass ? "pass" : "fail", "data-invariant": j.invariant });
      [j.invariant, j.phase, j.status, j.expectation, j.pass ? "pass" : "FAIL", j.explanation, (j.ops || []).join(" ")].forEach(function (c, col) {
        row.appendChild(el("td", col === 4 && !j.pass ? { "class": "judged-fail" } : {}, c));
      });
      table.appendChild(row);
    });
    return table;
  }
  try {
    var data = JSON.parse(document.getElementById("swamp-sim-data").textContent);
    var main = document.getElementById("iterations");
    data.iterations.forEach(function (it) {
      var section = el("section", { "class": "iteration " + (it.passed ? "pass" : "fail"), id: "iteration-" + it.iteration });
      section.appendChild(el("h2", { "class": it.passed ? "pass" : "fail" }, "Iteration " + it.iteration + ": " + (it.passed ? "PASS" : "FAIL")));
      if (it.failure) section.appendChild(el("p", { "class": "failure" }, it.failure));
      var replay = el("p", {}, "replay: ");
      replay.appendChild(el("code", {}, it.replay));
      section.appendChild(replay);
      if (it.notes.length > 0) {
        var notes = el("ul", { "class": "notes" });
        it.notes.forEach(function (n) { notes.appendChild(el("li", {}, n)); });
        section.appendChild(notes);
      }
      var details = el("pre", { "class": "details" }, "Click a lane to see its op.");
      section.appendChild(timeline(it, details));
      section.appendChild(details);
      section.appendChild(judgements(it));
      main.appendChild(section);
    });
    document.body.setAttribute("data-rendered", "ok");
  } catch (error) {
    document.body.setAttribute("data-rendered", "error: " + error);
    throw error;
  }
})();
`;

/** The whole page for a run. */
export function renderTimeline(data: TimelineData): string {
  const m = data.meta;
  const failed = data.iterations.filter((i) => !i.passed).length;
  const verdict = m.exitCode === 0 ? "pass" : "fail";
  const title = `${m.scenario} (seed ${m.seed}${
    m.mutant === undefined ? "" : `, mutant ${m.mutant}`
  })`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>swamp-sim: ${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>${
    m.target === undefined
      ? ""
      : `\n<p class="target">target: ${escapeHtml(m.target.label)}${
        m.target.version === undefined ? "" : `, ${escapeHtml(m.target.version)}`
      }</p>`
  }
<p class="${verdict}">${escapeHtml(m.file)}: ${
    data.iterations.length - failed
  }/${data.iterations.length} iteration(s) passed, exit ${m.exitCode}</p>${
    m.harnessError === undefined
      ? ""
      : `\n<p class="fail">The run ended early: ${escapeHtml(m.harnessError)}</p>`
  }
<noscript>This page draws its timelines with JavaScript; the same data is in history.json and verdicts.json.</noscript>
<main id="iterations"></main>
<script type="application/json" id="swamp-sim-data">${scriptSafeJson(data)}</script>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
