/**
 * The look of `timeline.html` in one table: the fill of each outcome type
 * and of each fault action's marker, with what each means. The page's CSS
 * and its legend are both generated from it, so the legend cannot drift from
 * what the lanes show: a new outcome type or action kind fails the type
 * check until it has a colour and a meaning here.
 *
 * @module
 */

import type { ActionTaken } from "../../faults/event.ts";
import type { OutcomeType } from "../shared/outcome.ts";

/** A fill and what it stands for. */
export interface Swatch {
  fill: string;
  meaning: string;
}

/** Bar fills by the op's outcome type (Jepsen's completion types). */
export const OUTCOME_SWATCHES: Readonly<Record<OutcomeType, Swatch>> = {
  ok: { fill: "#8fd19e", meaning: "ok: the op succeeded" },
  fail: { fill: "#f3c969", meaning: "fail: the op failed and certainly had no effect" },
  info: {
    fill: "#ef9a9a",
    meaning:
      "info: crashed, killed, timed out or failed otherwise: it may or may not have happened",
  },
};

/** Marker fills by what the shim did at a point (a dot for `none`, a diamond for an action). */
export const ACTION_SWATCHES: Readonly<Record<ActionTaken, Swatch>> = {
  none: { fill: "#ffffff", meaning: "point passed, no fault" },
  delay: { fill: "#fb8c00", meaning: "delay" },
  crash: { fill: "#d50000", meaning: "crash (SIGKILL)" },
  error: { fill: "#8e24aa", meaning: "error raised" },
  contend: { fill: "#6d4c41", meaning: "contend (the lock looked held)" },
  pause: { fill: "#1e88e5", meaning: "pause (parked until events or exits)" },
};

/** The colour of failure text: failing rows, the failed iteration's heading, implicated labels. */
export const FAILURE_COLOUR = "#c62828";

/** CSS rules for the bar and marker fills. */
export function swatchCss(): string {
  const outcomes = Object.entries(OUTCOME_SWATCHES).map(([type, s]) =>
    `rect.op.${type} { fill: ${s.fill}; }`
  );
  const actions = Object.entries(ACTION_SWATCHES).map(([action, s]) =>
    `.event.${action} { fill: ${s.fill}; }`
  );
  return [...outcomes, ...actions].join("\n");
}

/** The SVG path of the diamond an action's marker is drawn as, centred on (x, y). */
function diamondPath(x: number, y: number): string {
  return `M${x} ${y - 6} L${x + 5} ${y} L${x} ${y + 6} L${x - 5} ${y} Z`;
}

function item(swatch: string, text: string): string {
  return `<li><svg class="swatch" width="30" height="16" aria-hidden="true">${swatch}</svg>${text}</li>`;
}

/**
 * The legend as static HTML: every text in it is a constant of this module
 * (no run data), so it needs no escaping beyond what is written here.
 */
export function legendHtml(): string {
  const bar = (cls: string) =>
    `<rect class="legend op ${cls}" x="2" y="2" width="26" height="12"/>`;
  const outcomes = Object.entries(OUTCOME_SWATCHES).map(([type, s]) => item(bar(type), s.meaning));
  const actions = Object.entries(ACTION_SWATCHES).map(([action, s]) =>
    item(
      action === "none"
        ? `<circle class="legend event none" cx="15" cy="8" r="2.5"/>`
        : `<path class="legend event ${action}" d="${diamondPath(15, 8)}"/>`,
      s.meaning,
    )
  );
  return `<details id="legend" open>
<summary>Legend</summary>
<div class="legend-groups">
<div class="legend-group"><h3>lane colour: the op's outcome</h3><ul>${outcomes.join("")}</ul></div>
<div class="legend-group"><h3>markers: fault points the op passed (dot) or where the shim acted (diamond)</h3><ul>${
    actions.join("")
  }</ul></div>
<div class="legend-group"><h3>outlines and groups</h3><ul>${
    item(
      `<rect class="legend op ok implicated" x="2" y="2" width="26" height="12"/>`,
      `red dashed outline and "!": an op a failed verdict names`,
    )
  }${
    item(
      `<rect class="legend op ok selected" x="2" y="2" width="26" height="12"/>`,
      "black outline: the op shown in the details pane (click a lane)",
    )
  }${
    item(
      `<rect class="legend op ok overlay" x="2" y="2" width="16" height="6"/><rect class="legend op ok overlay" x="10" y="2" width="18" height="6"/><rect class="legend op info overlay" x="6" y="8" width="14" height="6"/>`,
      "&#9656; a folded group: its ops on one lane, a strip per outcome, overlaps darker (click to unfold)",
    )
  }</ul></div>
</div>
</details>`;
}
