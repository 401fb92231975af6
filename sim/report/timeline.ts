/**
 * `timeline.html`: one self-contained page per run (no network, no external
 * files) that draws each iteration's processes on a time axis across the
 * page's full width, one lane per op from invoke to completion, coloured by
 * outcome, with its fault events as markers, followed by the iteration's
 * judgements and witnesses (whether the pinned race happened). A legend (`timeline_legend.ts`) says what every colour,
 * marker and outline means; the failure colour marks only what failed (the
 * failed iteration's heading and failure line, its failing judgement rows,
 * implicated lanes), never a whole iteration. The ops a failed judgement
 * names (`evidence.ops`, e.g. the answers `linearizable` cannot order) are
 * marked: a red dashed outline, a `!` before the label, and the invariant in
 * the lane's `data-implicated` and tooltip. Clicking a lane shows the op's
 * argv, outcome, stderr and events. Iterations with many ops open grouped
 * and folded (`timeline_renderer.ts` says how and why).
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
import { witnessName } from "../check/witness.ts";
import { type HistoryOp, type HistoryOpSpec, opText, processLabel } from "../record/history.ts";
import type { IterationResult } from "../check/iteration.ts";
import { FAILURE_COLOUR, legendHtml, swatchCss } from "./timeline_legend.ts";
import { TIMELINE_LANE_PX, TIMELINE_SCRIPT } from "./timeline_renderer.ts";

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
  /** The op's kind, e.g. `pull`, `doctor-repair` (lanes group by it). */
  kind: string;
  /** The extension the op names (without a version), or null for a repo-wide op. */
  extension: string | null;
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
    /** Whether each witness showed (the pinned race happened); absent: none. */
    witnesses?: Array<{ name: string; held: boolean; explanation: string }>;
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

/** The kind of an op: the first word of its text. */
function opKind(op: HistoryOpSpec): string {
  const text = opText(op);
  const space = text.indexOf(" ");
  return space === -1 ? text : text.slice(0, space);
}

/** The extension an op names, without a version, or null. */
function opExtension(op: HistoryOpSpec): string | null {
  const name = op.op === "pull"
    ? op.ref
    : op.op === "rm" || op.op === "update"
    ? op.name
    : undefined;
  if (name === undefined || name === null) return null;
  const at = name.indexOf("@", 1);
  return at === -1 ? name : name.slice(0, at);
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
          kind: opKind(o.op),
          extension: opExtension(o.op),
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
        witnesses: r.witnesses.map((w) => ({
          name: witnessName(w.witness),
          held: w.held,
          explanation: w.explanation,
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

function style(): string {
  return `
html { overflow-y: scroll; }
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #222; }
h1 { font-size: 1.4em; margin: 0 0 .3em; }
h2 { font-size: 1.15em; margin: 1.4em 0 .3em; }
code, pre { font: 12px/1.35 ui-monospace, monospace; }
code, td { overflow-wrap: anywhere; }
pre { background: #f5f5f5; padding: .6em; overflow: auto; white-space: pre-wrap; }
.pass { color: #1a7f37; } .fail { color: ${FAILURE_COLOUR}; }
section.iteration { border-top: 1px solid #ccc; }
#legend { border: 1px solid #ddd; padding: .3em .8em .5em; }
#legend summary { font-weight: bold; cursor: pointer; }
#legend .legend-groups { display: flex; flex-wrap: wrap; gap: 0 2em; }
#legend h3 { font-size: .85em; font-weight: normal; color: #555; margin: .4em 0 .2em; }
#legend ul { list-style: none; margin: 0; padding: 0; }
#legend li { display: flex; align-items: center; gap: .4em; font-size: .9em; }
.toolbar { display: flex; align-items: center; gap: .6em; margin: .4em 0; font-size: .9em; }
.toolbar .hint { color: #666; }
.plot { width: 100%; }
svg.axis { display: block; position: sticky; top: 0; background: #fff; z-index: 1; }
svg.timeline { display: block; margin: 0 0 .5em; }
svg text { font: 11px ui-monospace, monospace; fill: #333; white-space: pre; }
rect.op { cursor: pointer; stroke: #0003; }
${swatchCss()}
rect.op.overlay { opacity: .45; stroke: none; cursor: inherit; }
rect.op.selected { stroke: #000; stroke-width: 2; }
rect.op.implicated { stroke: ${FAILURE_COLOUR}; stroke-width: 3; stroke-dasharray: 5 2; opacity: 1; }
text.implicated { fill: ${FAILURE_COLOUR}; font-weight: bold; }
g.group { cursor: pointer; } text.group { font-weight: bold; } rect.span { fill: #999; }
line.axis { stroke: #999; } line.tick { stroke: #e3e3e3; }
.event { stroke: #0006; }
pre.details { position: sticky; bottom: 0; max-height: 25vh; margin: 0 0 .5em; border: 1px solid #ddd; }
table.judgements { border-collapse: collapse; margin: .5em 0; width: 100%; }
table.judgements td, table.judgements th { border: 1px solid #ddd; padding: .2em .5em; text-align: left; vertical-align: top; }
tr.pass { color: inherit; } tr.fail { color: ${FAILURE_COLOUR}; } tr.fail td { background: #fdecea; } td.judged-fail { font-weight: bold; }
ul.notes li { color: #8a6d00; }
p.summary { font-weight: bold; }
/* one lane is ${TIMELINE_LANE_PX} px high */
`;
}

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
<style>${style()}</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>${
    m.target === undefined
      ? ""
      : `\n<p class="target">target: ${escapeHtml(m.target.label)}${
        m.target.version === undefined ? "" : `, ${escapeHtml(m.target.version)}`
      }</p>`
  }
<p class="summary ${verdict}">${escapeHtml(m.file)}: ${
    data.iterations.length - failed
  }/${data.iterations.length} iteration(s) passed, exit ${m.exitCode}</p>${
    m.harnessError === undefined
      ? ""
      : `\n<p class="fail">The run ended early: ${escapeHtml(m.harnessError)}</p>`
  }
${legendHtml()}
<noscript>This page draws its timelines with JavaScript; the same data is in history.json and verdicts.json.</noscript>
<main id="iterations"></main>
<script type="application/json" id="swamp-sim-data">${scriptSafeJson(data)}</script>
<script>${TIMELINE_SCRIPT}</script>
</body>
</html>
`;
}
