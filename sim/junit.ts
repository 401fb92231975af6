/**
 * `junit.xml`: the run in the JUnit XML format CI systems read. One
 * `<testsuite>` per iteration, one `<testcase>` per judgement (invariant and
 * phase); a judgement that did not pass is a `<failure>` carrying the
 * verdict's explanation, and the iteration's replay command goes into
 * `<system-out>` so a CI page shows how to reproduce it.
 *
 * @module
 */

import type { IterationResult } from "./runner.ts";

/** Escapes text for XML content and attribute values; drops characters XML 1.0 forbids. */
export function escapeXml(text: string): string {
  return text
    // deno-lint-ignore no-control-regex
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, "")
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&apos;");
}

/** What the report names the run by. */
export interface JunitMeta {
  scenario: string;
  seed: number;
  /** The replay command of each iteration, by iteration number. */
  replays: Record<number, string>;
}

/** The JUnit XML of a run (pure). */
export function renderJunit(meta: JunitMeta, results: readonly IterationResult[]): string {
  const suites = results.map((r) => {
    const failures = r.judgements.filter((j) => !j.pass).length;
    const name = `${meta.scenario} seed ${meta.seed} iteration ${r.iteration}`;
    const cases = r.judgements.map((j) => {
      const caseName = `${j.verdict.invariant} (${j.verdict.phase})`;
      const open =
        `    <testcase classname="${escapeXml(`${meta.scenario}.iteration-${r.iteration}`)}" ` +
        `name="${escapeXml(caseName)}">`;
      if (j.pass) return `${open}</testcase>`;
      const message = `${j.verdict.status}, expected ${j.expectation}`;
      return `${open}\n      <failure message="${escapeXml(message)}" type="${
        escapeXml(j.verdict.invariant)
      }">${escapeXml(j.verdict.explanation)}</failure>\n    </testcase>`;
    });
    const out = meta.replays[r.iteration] ?? "";
    return `  <testsuite name="${escapeXml(name)}" tests="${r.judgements.length}" ` +
      `failures="${failures}" errors="0" time="${(r.durationMs / 1000).toFixed(3)}">\n` +
      `${cases.join("\n")}\n` +
      `    <system-out>${escapeXml(`reproduce with: ${out}`)}</system-out>\n  </testsuite>`;
  });
  const tests = results.reduce((n, r) => n + r.judgements.length, 0);
  const failures = results.reduce((n, r) => n + r.judgements.filter((j) => !j.pass).length, 0);
  return `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<testsuites name="${escapeXml(meta.scenario)}" tests="${tests}" failures="${failures}">\n` +
    `${suites.join("\n")}\n</testsuites>\n`;
}
