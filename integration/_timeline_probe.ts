/**
 * Layout measurements of a rendered `timeline.html`, for the browser tests.
 * `probeTimeline()` copies the page with one extra script after the
 * renderer's; the script measures the laid-out page (widths, lane and label
 * boxes, text colours) in each lane view the toolbar offers and writes the
 * numbers as JSON into a `<pre>`, which `--dump-dom` then carries out. The
 * report page itself carries no test code.
 *
 * @module
 */

import { dumpDom, type WindowSize } from "./_chromium.ts";

/** One iteration's plot as laid out. */
export interface PlotLayout {
  /** Width of the lanes' SVG, px. */
  widthPx: number;
  /** Where the plot starts (the label column's width), px. */
  plotXPx: number;
  /** Rightmost edge of any lane label, px. */
  labelRightPx: number;
  /** Lowest height of a lane's op bar (folded groups' strips left out), px. */
  barHeightMinPx: number;
  /** Lanes drawn (ops and group rows). */
  lanes: number;
  /** Op bars drawn one per lane. */
  bars: number;
  /** Group rows drawn, and how many of them are folded. */
  groups: number;
  folded: number;
  /** Height of the lanes' SVG, px. */
  heightPx: number;
  /** Lanes whose op a failed verdict names. */
  implicated: number;
}

/** The page as laid out in one lane view. */
export interface PageLayout {
  /** The viewport's width and the document's scroll width, px. */
  viewportWidthPx: number;
  scrollWidthPx: number;
  /** Width of the body's content box, px. */
  bodyWidthPx: number;
  /** Texts drawn in the failure colour outside a failing row, heading, failure line or implicated label. */
  strayFailureText: string[];
  /** Judgement rows that passed but are drawn in the failure colour. */
  redPassingRows: number;
  plots: PlotLayout[];
}

/** Layouts of the page as it opens, with one lane per op, and grouped by kind with every group unfolded. */
export interface TimelineProbe {
  opened: PageLayout;
  perOp: PageLayout;
  unfolded: PageLayout;
}

/** `#rrggbb` as the `rgb(r, g, b)` a computed style reports. */
export function rgbOf(hex: string): string {
  const n = Number.parseInt(hex.slice(1), 16);
  return `rgb(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255})`;
}

function probeScript(failureRgb: string): string {
  return `
(function () {
  var FAILURE = ${JSON.stringify(failureRgb)};
  function ownText(e) {
    return Array.prototype.some.call(e.childNodes, function (n) { return n.nodeType === 3 && n.textContent.trim() !== ""; });
  }
  function measure() {
    var stray = [], redPassing = 0;
    Array.prototype.forEach.call(document.querySelectorAll("body *"), function (e) {
      if (!ownText(e) || e.closest("script, title, option, #swamp-sim-probe")) return;
      var style = getComputedStyle(e);
      var colour = e instanceof SVGElement ? style.fill : style.color;
      if (colour === FAILURE && !e.closest("tr.fail, h2.fail, p.fail, text.implicated")) {
        stray.push(e.tagName + ": " + e.textContent.slice(0, 80));
      }
    });
    Array.prototype.forEach.call(document.querySelectorAll("tr.pass td"), function (td) {
      if (getComputedStyle(td).color === FAILURE) redPassing += 1;
    });
    var plots = Array.prototype.map.call(document.querySelectorAll("svg.timeline"), function (s) {
      var labelRight = 0, barMin = Infinity;
      Array.prototype.forEach.call(s.querySelectorAll("g.lane > text"), function (t) {
        var box = t.getBBox();
        labelRight = Math.max(labelRight, box.x + box.width);
      });
      var bars = s.querySelectorAll("rect.op:not(.overlay)");
      Array.prototype.forEach.call(bars, function (r) { barMin = Math.min(barMin, r.getBoundingClientRect().height); });
      return {
        widthPx: s.getBoundingClientRect().width,
        plotXPx: Number(s.getAttribute("data-plot-x")),
        labelRightPx: labelRight,
        barHeightMinPx: bars.length === 0 ? 0 : barMin,
        lanes: s.querySelectorAll("g.lane").length,
        bars: bars.length,
        groups: s.querySelectorAll("g.lane.group").length,
        folded: s.querySelectorAll('g.lane.group[data-folded="yes"]').length,
        heightPx: s.getBoundingClientRect().height,
        implicated: s.querySelectorAll("g.lane[data-implicated]").length
      };
    });
    return {
      viewportWidthPx: document.documentElement.clientWidth,
      scrollWidthPx: document.documentElement.scrollWidth,
      bodyWidthPx: document.body.clientWidth - parseFloat(getComputedStyle(document.body).paddingLeft) * 2,
      strayFailureText: stray,
      redPassingRows: redPassing,
      plots: plots
    };
  }
  function view(by) {
    Array.prototype.forEach.call(document.querySelectorAll("select.grouping"), function (menu) {
      menu.value = by;
      menu.dispatchEvent(new Event("change"));
    });
  }
  var result = { opened: measure() };
  view("none");
  result.perOp = measure();
  view("kind");
  Array.prototype.forEach.call(document.querySelectorAll("button.unfold"), function (b) { b.click(); });
  result.unfolded = measure();
  var out = document.createElement("pre");
  out.id = "swamp-sim-probe";
  out.textContent = JSON.stringify(result);
  document.body.appendChild(out);
})();
`;
}

function unescapeText(html: string): string {
  return html.replaceAll("&lt;", "<").replaceAll("&gt;", ">").replaceAll("&amp;", "&");
}

/**
 * Loads `page` in headless Chromium in a window of `size` with the probe
 * after the renderer, and returns the DOM and the measurements.
 */
export async function probeTimeline(
  page: string,
  size: Readonly<WindowSize>,
  failureColourHex: string,
): Promise<{ dom: string; probe: TimelineProbe }> {
  const html = await Deno.readTextFile(page);
  const at = html.lastIndexOf("</body>");
  if (at === -1) throw new Error(`The page "${page}" has no </body>`);
  const probed = page.replace(/\.html$/, "") + "-probe.html";
  await Deno.writeTextFile(
    probed,
    `${html.slice(0, at)}<script>${probeScript(rgbOf(failureColourHex))}</script>\n${
      html.slice(at)
    }`,
  );
  try {
    const dom = await dumpDom(probed, size);
    const found = /<pre id="swamp-sim-probe">(.*?)<\/pre>/s.exec(dom);
    if (found === null) {
      throw new Error(`The probe did not run on "${page}": ${dom.slice(0, 400)}`);
    }
    return { dom, probe: JSON.parse(unescapeText(found[1])) as TimelineProbe };
  } finally {
    await Deno.remove(probed);
  }
}
