/**
 * `junit.xml`: the run in the JUnit XML format CI systems read. One
 * `<testsuite>` per iteration, one `<testcase>` per judgement (invariant and
 * phase) and per witness; a judgement that did not pass (or a witness that
 * did not show) is a `<failure>` carrying the explanation, and the
 * iteration's replay command goes into `<system-out>` so a CI page shows how
 * to reproduce it. Every suite names the target (and a swamp checkout's
 * commit) in its `<properties>`.
 *
 * @module
 */

import type { IterationResult } from "../check/iteration.ts";
import type { TargetIdentity } from "../run/target_identity.ts";
import { witnessName } from "../check/witness.ts";

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
  /** The target the run ran on, written as properties of every suite. */
  target?: TargetIdentity;
  /** The replay command of each iteration, by iteration number. */
  replays: Record<number, string>;
  /** Why the run ended early (a harness error or an interruption), if it did. */
  harnessError?: string;
}

/** The `<properties>` element naming the target (target, and for swamp its commit), or "". */
function targetProperties(target: TargetIdentity | undefined): string {
  if (target === undefined) return "";
  const properties: Array<[string, string]> = [["target", target.label]];
  if (target.commit !== undefined) properties.push(["commit", target.commit.commit]);
  if (target.version !== undefined) properties.push(["version", target.version]);
  return `    <properties>\n${
    properties.map(([name, value]) =>
      `      <property name="${escapeXml(name)}" value="${escapeXml(value)}"/>\n`
    ).join("")
  }    </properties>\n`;
}

/** The JUnit XML of a run (pure). */
export function renderJunit(meta: JunitMeta, results: readonly IterationResult[]): string {
  const properties = targetProperties(meta.target);
  const suites = results.map((r) => {
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
    for (const w of r.witnesses) {
      const open =
        `    <testcase classname="${escapeXml(`${meta.scenario}.iteration-${r.iteration}`)}" ` +
        `name="${escapeXml(`witness ${witnessName(w.witness)}`)}">`;
      cases.push(
        w.held
          ? `${open}</testcase>`
          : `${open}\n      <failure message="did not show" type="vacuous">${
            escapeXml(w.explanation)
          }</failure>\n    </testcase>`,
      );
    }
    // A failure no judgement or witness shows (runs of one plan that differ) gets a case of its own.
    if (!r.passed && r.judgements.every((j) => j.pass) && r.witnesses.every((w) => w.held)) {
      const reason = r.failure?.reason ?? "failed";
      cases.push(
        `    <testcase classname="${escapeXml(`${meta.scenario}.iteration-${r.iteration}`)}" ` +
          `name="iteration (${escapeXml(r.failure?.class ?? "failure")})">\n` +
          `      <failure message="${escapeXml(r.failure?.class ?? "failure")}" type="iteration">${
            escapeXml(reason)
          }</failure>\n    </testcase>`,
      );
    }
    const failures = cases.filter((c) => c.includes("<failure ")).length;
    const out = meta.replays[r.iteration] ?? "";
    return `  <testsuite name="${escapeXml(name)}" tests="${cases.length}" ` +
      `failures="${failures}" errors="0" time="${(r.durationMs / 1000).toFixed(3)}">\n` +
      properties +
      `${cases.join("\n")}\n` +
      `    <system-out>${escapeXml(`reproduce with: ${out}`)}</system-out>\n  </testsuite>`;
  });
  if (meta.harnessError !== undefined) {
    suites.push(
      `  <testsuite name="${escapeXml(`${meta.scenario} seed ${meta.seed} run`)}" tests="1" ` +
        `failures="0" errors="1">\n` +
        properties +
        `    <testcase classname="${escapeXml(meta.scenario)}" name="run">\n` +
        `      <error message="${escapeXml(meta.harnessError)}" type="harness"/>\n` +
        `    </testcase>\n  </testsuite>`,
    );
  }
  const count = (pattern: RegExp) =>
    suites.reduce((n, suite) => n + (suite.match(pattern)?.length ?? 0), 0);
  return `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<testsuites name="${escapeXml(meta.scenario)}" tests="${count(/<testcase /g)}" ` +
    `failures="${count(/<failure /g)}" errors="${count(/<error /g)}">\n` +
    `${suites.join("\n")}\n</testsuites>\n`;
}
