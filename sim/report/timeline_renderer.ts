/**
 * The script inside `timeline.html` (plain ES2020, no dependencies). It reads
 * the run from the page's JSON element and builds the DOM with `textContent`
 * and `setAttribute` only, never from HTML strings, so no text of a target
 * can become markup.
 *
 * Per iteration it draws a time axis (sticky, so it stays in view while the
 * lanes scroll) and one lane per op across the full width of the page,
 * redrawn when the page's width changes. The label column is as wide as the
 * longest label needs, at most 40% of the width; longer labels are cut with
 * an ellipsis and shown whole in the tooltip. Lanes are
 * `TIMELINE_LANE_PX` high whatever their number.
 *
 * Many lanes: an iteration with more than `TIMELINE_PER_OP_LANES_MAX` ops
 * (the 50-process stress scenario has 55) opens grouped by op kind, every
 * group folded onto one lane that overlays its ops' bars (one strip per
 * outcome type, so colours never mix; overlaps show darker), except the groups
 * holding an op a failed verdict names. That shows the whole iteration on
 * one screen (when each kind ran, with which outcomes, where the failure
 * is) and keeps the failing ops one lane each; a click on a group unfolds
 * it, and the toolbar switches to one lane per op (the interleaving, as for
 * small iterations) or groups by extension, outcome or phase.
 *
 * @module
 */

/** Height of one lane, px: lanes never get thinner, however many there are. */
export const TIMELINE_LANE_PX = 20;

/** Most ops an iteration may have to open with one lane per op; more open grouped and folded. */
export const TIMELINE_PER_OP_LANES_MAX = 24;

/** The renderer's source, run in the page after the data element. */
export const TIMELINE_SCRIPT = `
(function () {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";
  var LANE = ${TIMELINE_LANE_PX}, AXIS = 22, CHAR_PX = 6.7, LABEL_MIN = 120, LABEL_SHARE_MAX = 0.4;
  var RIGHT = 14, TICK_PX = 110, PER_OP_LANES_MAX = ${TIMELINE_PER_OP_LANES_MAX};
  var GROUPINGS = [["none", "one lane per op"], ["kind", "grouped by op kind"],
    ["extension", "grouped by extension"], ["outcome", "grouped by outcome"], ["phase", "grouped by phase"]];
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
  function diamond(x, y) {
    return "M" + x + " " + (y - 6) + " L" + (x + 5) + " " + y + " L" + x + " " + (y + 6) + " L" + (x - 5) + " " + y + " Z";
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
    var marks = new Map();
    it.judgements.forEach(function (j) {
      if (j.pass) return;
      (j.ops || []).forEach(function (label) {
        if (!marks.has(label)) marks.set(label, []);
        marks.get(label).push(j.invariant + " (" + j.phase + ")");
      });
    });
    return marks;
  }
  function groupKey(op, by) {
    var where = op.phase === "run" ? "" : op.phase + ": ";
    if (by === "kind") return where + op.kind;
    if (by === "extension") return where + (op.extension === null ? "(whole repo)" : op.extension);
    if (by === "outcome") return op.outcome.type + ": " + op.outcome.class;
    return op.phase;
  }
  function groupsOf(view) {
    var members = new Map();
    view.it.ops.forEach(function (op, index) {
      var key = groupKey(op, view.by);
      if (!members.has(key)) members.set(key, []);
      members.get(key).push(index);
    });
    return Array.from(members, function (entry) { return { key: entry[0], ops: entry[1] }; });
  }
  function openByDefault(view) {
    var open = new Set();
    if (view.by === "none") return open;
    groupsOf(view).forEach(function (g) {
      if (g.ops.some(function (i) { return view.marks.has(view.it.ops[i].label); })) open.add(g.key);
    });
    return open;
  }
  function rowsOf(view) {
    if (view.by === "none") return view.it.ops.map(function (op, index) { return { op: index }; });
    var rows = [];
    groupsOf(view).forEach(function (g) {
      var folded = !view.open.has(g.key);
      rows.push({ group: g, folded: folded });
      if (!folded) g.ops.forEach(function (index) { rows.push({ op: index, indent: true }); });
    });
    return rows;
  }
  function countsOf(it, indices) {
    var n = { ok: 0, fail: 0, info: 0 };
    indices.forEach(function (i) { n[it.ops[i].outcome.type] += 1; });
    var parts = ["ok", "fail", "info"].filter(function (t) { return n[t] > 0; })
      .map(function (t) { return n[t] + " " + t; });
    return indices.length + " op(s): " + parts.join(", ");
  }
  function labelOf(view, row) {
    if (row.group) return (row.folded ? "\\u25b8 " : "\\u25be ") + row.group.key + " (" + countsOf(view.it, row.group.ops) + ")";
    var op = view.it.ops[row.op];
    return (row.indent ? "  " : "") + (view.marks.has(op.label) ? "! " : "") + op.label + " " + op.op;
  }
  function fit(text, chars) {
    return text.length <= chars ? text : text.slice(0, Math.max(1, chars - 1)) + "\\u2026";
  }
  function niceStep(rawMs) {
    var p = Math.pow(10, Math.floor(Math.log10(Math.max(rawMs, 1e-3))));
    var m = rawMs / p;
    return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
  }
  function select(view, index, bar) {
    var selected = view.plot.querySelectorAll("rect.op.selected");
    for (var s = 0; s < selected.length; s++) selected[s].classList.remove("selected");
    if (view.selected === index) {
      view.selected = -1;
      view.details.textContent = "Click a lane to see its op.";
      return;
    }
    view.selected = index;
    bar.classList.add("selected");
    view.details.textContent = detailsOf(view.it.ops[index]) + "\\n(click the lane again to close)";
  }
  function opBar(view, index, x, y, overlay) {
    var op = view.it.ops[index];
    var marked = view.marks.get(op.label);
    var bar = svg("rect", { "class": "op " + op.outcome.type + (overlay ? " overlay" : "") + (marked ? " implicated" : "") +
        (!overlay && view.selected === index ? " selected" : ""),
      x: x(op.startMs), y: y + 3, width: Math.max(2, x(op.endMs) - x(op.startMs)), height: LANE - 6 });
    bar.appendChild(svg("title", {}, op.label + " " + op.op + ": " + op.outcome.class +
      (marked ? "; named by " + marked.join(", ") : "")));
    return bar;
  }
  function opLane(view, row, y, x, labelChars) {
    var index = row.op, op = view.it.ops[index];
    var marked = view.marks.get(op.label);
    var attrs = { "class": "lane", "data-op": op.label };
    if (marked) attrs["data-implicated"] = marked.join(", ");
    var lane = svg("g", attrs);
    var full = labelOf(view, row);
    var label = svg("text", marked ? { x: 4, y: y + 14, "class": "implicated" } : { x: 4, y: y + 14 }, fit(full, labelChars));
    if (full.length > labelChars) label.appendChild(svg("title", {}, full));
    lane.appendChild(label);
    var bar = opBar(view, index, x, y, false);
    bar.addEventListener("click", function () { select(view, index, bar); });
    lane.appendChild(bar);
    op.events.forEach(function (e) {
      var cx = x(e.atMs), cy = y + LANE / 2;
      var mark = e.action === "none"
        ? svg("circle", { "class": "event none", cx: cx, cy: cy, r: 2 })
        : svg("path", { "class": "event " + e.action, d: diamond(cx, cy) });
      mark.appendChild(svg("title", {}, e.phase + " " + e.point + " #" + e.hit + ": " + e.action + (e.detail ? " (" + e.detail + ")" : "")));
      lane.appendChild(mark);
    });
    return lane;
  }
  function groupLane(view, row, y, x, labelChars) {
    var g = row.group;
    var lane = svg("g", { "class": "lane group", "data-group": g.key, "data-folded": row.folded ? "yes" : "no" });
    var full = labelOf(view, row);
    var label = svg("text", { x: 4, y: y + 14, "class": "group" }, fit(full, labelChars));
    label.appendChild(svg("title", {}, full + (row.folded ? ": click to unfold" : ": click to fold")));
    lane.appendChild(label);
    if (row.folded) {
      var types = ["ok", "fail", "info"].filter(function (t) {
        return g.ops.some(function (i) { return view.it.ops[i].outcome.type === t; });
      });
      var strip = (LANE - 6) / types.length;
      g.ops.forEach(function (index) {
        var band = types.indexOf(view.it.ops[index].outcome.type);
        var bar = opBar(view, index, x, y, true);
        bar.setAttribute("y", String(y + 3 + band * strip));
        bar.setAttribute("height", String(strip));
        lane.appendChild(bar);
      });
    } else {
      var start = Math.min.apply(null, g.ops.map(function (i) { return view.it.ops[i].startMs; }));
      var end = Math.max.apply(null, g.ops.map(function (i) { return view.it.ops[i].endMs; }));
      lane.appendChild(svg("rect", { "class": "span", x: x(start), y: y + LANE / 2 - 1, width: Math.max(2, x(end) - x(start)), height: 2 }));
    }
    lane.addEventListener("click", function () {
      if (view.open.has(g.key)) view.open.delete(g.key); else view.open.add(g.key);
      draw(view);
    });
    return lane;
  }
  function draw(view) {
    var width = Math.max(320, view.plot.clientWidth);
    view.drawnWidth = view.plot.clientWidth;
    var rows = rowsOf(view);
    var longest = Math.max.apply(null, rows.map(function (row) { return labelOf(view, row).length; }));
    var labelPx = Math.round(Math.min(Math.max(LABEL_MIN, longest * CHAR_PX + 16), width * LABEL_SHARE_MAX));
    var labelChars = Math.max(4, Math.floor((labelPx - 12) / CHAR_PX));
    var plotPx = width - labelPx - RIGHT;
    var x = function (ms) { return labelPx + (ms / view.endMs) * plotPx; };
    var step = niceStep(view.endMs / Math.max(1, Math.floor(plotPx / TICK_PX)));
    var ticks = [];
    for (var ms = 0; ms <= view.endMs + 1e-9; ms += step) ticks.push(ms);
    var axis = svg("svg", { "class": "axis", width: width, height: AXIS });
    var height = rows.length * LANE + 4;
    var root = svg("svg", { "class": "timeline", width: width, height: height, "data-plot-x": labelPx, "data-lanes": rows.length });
    ticks.forEach(function (ms, i) {
      var last = i === ticks.length - 1 && x(ms) > width - 60;
      axis.appendChild(svg("text", { x: x(ms), y: AXIS - 7, "text-anchor": i === 0 ? "start" : last ? "end" : "middle" },
        (Math.round(ms * 10) / 10) + " ms"));
      axis.appendChild(svg("line", { "class": "tick", x1: x(ms), x2: x(ms), y1: AXIS - 4, y2: AXIS }));
      root.appendChild(svg("line", { "class": "tick", x1: x(ms), x2: x(ms), y1: 0, y2: height }));
    });
    axis.appendChild(svg("line", { "class": "axis", x1: labelPx, x2: labelPx + plotPx, y1: AXIS - 1, y2: AXIS - 1 }));
    rows.forEach(function (row, i) {
      var y = i * LANE;
      root.appendChild(row.group ? groupLane(view, row, y, x, labelChars) : opLane(view, row, y, x, labelChars));
    });
    view.plot.replaceChildren(axis, root);
    view.fold.disabled = view.by === "none";
    view.unfold.disabled = view.by === "none";
  }
  function toolbar(view) {
    var bar = el("div", { "class": "toolbar" });
    var choose = el("label", {}, "lanes: ");
    var menu = el("select", { "class": "grouping" });
    GROUPINGS.forEach(function (g) {
      var option = el("option", { value: g[0] }, g[1]);
      if (g[0] === view.by) option.selected = true;
      menu.appendChild(option);
    });
    menu.addEventListener("change", function () {
      view.by = menu.value;
      view.open = openByDefault(view);
      draw(view);
    });
    choose.appendChild(menu);
    bar.appendChild(choose);
    view.unfold = el("button", { type: "button", "class": "unfold" }, "unfold all");
    view.unfold.addEventListener("click", function () {
      groupsOf(view).forEach(function (g) { view.open.add(g.key); });
      draw(view);
    });
    view.fold = el("button", { type: "button", "class": "fold" }, "fold all");
    view.fold.addEventListener("click", function () { view.open = new Set(); draw(view); });
    bar.appendChild(view.unfold);
    bar.appendChild(view.fold);
    bar.appendChild(el("span", { "class": "hint" }, view.it.ops.length + " op(s); click a lane for its op, a group to fold or unfold it"));
    return bar;
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
  function witnesses(it) {
    var table = el("table", { "class": "judgements witnesses" });
    var head = el("tr");
    ["witness", "showed", "explanation"].forEach(function (h) { head.appendChild(el("th", {}, h)); });
    table.appendChild(head);
    it.witnesses.forEach(function (w) {
      var row = el("tr", { "class": w.held ? "pass" : "fail", "data-witness": w.name });
      [w.name, w.held ? "yes" : "NO", w.explanation].forEach(function (c, col) {
        row.appendChild(el("td", col === 1 && !w.held ? { "class": "judged-fail" } : {}, c));
      });
      table.appendChild(row);
    });
    return table;
  }
  var views = [];
  try {
    var data = JSON.parse(document.getElementById("swamp-sim-data").textContent);
    var main = document.getElementById("iterations");
    data.iterations.forEach(function (it) {
      var section = el("section", { "class": "iteration", "data-passed": it.passed ? "yes" : "no", id: "iteration-" + it.iteration });
      section.appendChild(el("h2", { "class": it.passed ? "pass" : "fail" }, "Iteration " + it.iteration + ": " + (it.passed ? "PASS" : "FAIL")));
      if (it.failure) section.appendChild(el("p", { "class": "failure fail" }, it.failure));
      var replay = el("p", { "class": "replay" }, "replay: ");
      replay.appendChild(el("code", {}, it.replay));
      section.appendChild(replay);
      if (it.notes.length > 0) {
        var notes = el("ul", { "class": "notes" });
        it.notes.forEach(function (n) { notes.appendChild(el("li", {}, n)); });
        section.appendChild(notes);
      }
      var view = { it: it, marks: implicatedBy(it), selected: -1, drawnWidth: -1,
        by: it.ops.length > PER_OP_LANES_MAX ? "kind" : "none",
        endMs: Math.max(1, Math.max.apply(null, it.ops.map(function (o) { return o.endMs; }))) };
      view.open = openByDefault(view);
      section.appendChild(toolbar(view));
      view.plot = el("div", { "class": "plot" });
      section.appendChild(view.plot);
      view.details = el("pre", { "class": "details" }, "Click a lane to see its op.");
      section.appendChild(view.details);
      section.appendChild(judgements(it));
      if (it.witnesses && it.witnesses.length > 0) section.appendChild(witnesses(it));
      main.appendChild(section);
      views.push(view);
    });
    views.forEach(draw);
    var redraw = function () {
      views.forEach(function (v) { if (v.plot.clientWidth !== v.drawnWidth) draw(v); });
    };
    if (typeof ResizeObserver === "function") new ResizeObserver(redraw).observe(main);
    else window.addEventListener("resize", redraw);
    document.body.setAttribute("data-rendered", "ok");
  } catch (error) {
    document.body.setAttribute("data-rendered", "error: " + error);
    throw error;
  }
})();
`;
