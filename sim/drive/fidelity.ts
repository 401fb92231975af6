/**
 * `deno task fidelity`: every scenario of the library on the reference and
 * on a swamp checkout, one run after the other (never two at once, so one
 * target's load does not slow the other's), compared scenario by scenario
 * (`fidelity_compare.ts`). The checkout is probed once before anything
 * runs. The result names the checkout's commit and the run's wall time, and
 * carries each scenario's digest (of its YAML content, comments excluded),
 * so a later reader can tell which rows still describe the scenario as it
 * is (`integration/design_claims_test.ts`).
 *
 * @module
 */

import { createHash } from "node:crypto";
import { parse as parseYaml } from "yaml";
import { EXIT } from "../shared/exit_codes.ts";
import type { TargetIdentity } from "../run/target_identity.ts";
import {
  type DocumentedFinding,
  type FidelityRow,
  fidelityRow,
  summariseRun,
  type TargetRun,
  undocumented,
} from "./fidelity_compare.ts";
import type { StoredFidelity, StoredRun } from "./fidelity_record.ts";
import { libraryScenarios } from "./matrix.ts";
import { checkedInput } from "./simulate_input.ts";
import { simulate } from "./simulate.ts";
import { checkTarget } from "./target_check.ts";
import { forgetStartupMeasures } from "../run/startup.ts";

/** Options of a fidelity run. */
export interface FidelityOptions {
  /** The swamp checkout dir (relative to the working dir). */
  checkout: string;
  /** Scenario files (default: the library). */
  scenarios?: string[];
  /** Where each run's report dir goes (`<scenario>/<target>`). */
  reportRoot: string;
  /** The documented swamp findings (`design/extension.md`). */
  findings: readonly DocumentedFinding[];
  /** Progress lines. */
  progress: (line: string) => void;
  /** Install SIGINT/SIGTERM handlers in each run (the CLI does). */
  handleSignals?: boolean;
  /**
   * The swamp commit the checkout must be at (a record being updated was
   * measured there): refused after the probe, before any scenario runs, when
   * it is elsewhere.
   */
  expectCommit?: string;
}

/** One row of the result: the comparison, the scenario's digest and the row's wall time (both targets), ms. */
export type FidelityResultRow = FidelityRow & { digest: string; wallMs: number };

/** What a fidelity run produced. */
export interface FidelityResult {
  /** 0: every verdict the same or documented; 1: an undocumented difference; 2: refused; 130/143. */
  exitCode: number;
  /** The checkout, its commit and version (absent when refused). */
  swamp?: TargetIdentity;
  /** Why the run was refused or stopped, one line. */
  error?: string;
  /** ISO time the run started. */
  startedAt: string;
  /** Wall time of the whole run, ms; and of each target's runs. */
  wallMs: number;
  referenceMs: number;
  swampMs: number;
  rows: FidelityResultRow[];
}

/** The digest of a scenario file's content: its YAML as data (comments and layout excluded). */
export function scenarioDigest(yamlText: string): string {
  const canonical = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(canonical);
    if (value !== null && typeof value === "object") {
      return Object.fromEntries(
        Object.keys(value).sort().map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
      );
    }
    return value;
  };
  return createHash("sha256").update(JSON.stringify(canonical(parseYaml(yamlText))))
    .digest("hex").slice(0, 16);
}

function nameOf(file: string): string {
  return file.slice(file.lastIndexOf("/") + 1).replace(/\.yaml$/, "");
}

const INTERRUPTED: ReadonlySet<number> = new Set([EXIT.sigint, EXIT.sigterm]);

/** Runs the comparison; see the module doc. Never throws for a refused checkout. */
export async function runFidelity(options: FidelityOptions): Promise<FidelityResult> {
  const startedMs = performance.now();
  const result: FidelityResult = {
    exitCode: EXIT.pass,
    startedAt: new Date().toISOString(),
    wallMs: 0,
    referenceMs: 0,
    swampMs: 0,
    rows: [],
  };
  const files = options.scenarios ?? await libraryScenarios();
  const identity = files.length === 0 ? undefined : await probeOnce(files[0], options);
  if (identity === undefined || "message" in identity) {
    result.exitCode = identity === undefined ? EXIT.badInput : identity.exitCode;
    result.error = identity === undefined ? "no scenario to run" : identity.message;
    return result;
  }
  result.swamp = identity;
  const commit = identity.commit?.commit ?? "unknown";
  if (options.expectCommit !== undefined && commit !== options.expectCommit) {
    result.exitCode = EXIT.badInput;
    result.error = `error: swamp checkout ${identity.checkout} is at ${commit}, ` +
      `the record being updated measured ${options.expectCommit}; ` +
      "run the whole library without --update to measure another commit";
    return result;
  }
  const checkout = identity.checkout!;
  for (const [index, file] of files.entries()) {
    const name = nameOf(file);
    const rowStartedMs = performance.now();
    const runs: Partial<Record<"reference" | "swamp", TargetRun>> = {};
    let pinned = true;
    for (const target of ["reference", "swamp"] as const) {
      options.progress(`[${index + 1}/${files.length}] ${name} on ${target}`);
      const started = performance.now();
      // Each run measures its target's start-up afresh: the machine's load an hour into
      // the run is not the load of its first scenario, and the derived limit follows it.
      forgetStartupMeasures();
      const output = await simulate({
        scenario: file,
        ...(target === "swamp" ? { swamp: checkout } : {}),
        reportDir: `${options.reportRoot}/${name}/${target}`,
        handleSignals: options.handleSignals,
        log: (line) => {
          if (/^(iteration \d+:|harness error|interrupted|startup=|.*: error: )/.test(line)) {
            options.progress(`  ${target}: ${line}`);
          }
        },
      });
      const durationMs = performance.now() - started;
      if (target === "reference") result.referenceMs += durationMs;
      else result.swampMs += durationMs;
      pinned = output.scenario?.deterministic ?? pinned;
      runs[target] = summariseRun(output, durationMs);
      options.progress(
        `  ${target}: ${runs[target]!.verdict} (exit ${output.exitCode}) in ${
          (durationMs / 1000).toFixed(1)
        } s`,
      );
      if (INTERRUPTED.has(output.exitCode)) {
        result.exitCode = output.exitCode;
        result.error = `interrupted during ${name} on ${target}`;
        result.wallMs = Math.round(performance.now() - startedMs);
        return result;
      }
    }
    const row = fidelityRow(name, pinned, runs.reference!, runs.swamp!, options.findings);
    result.rows.push({
      ...row,
      digest: scenarioDigest(await Deno.readTextFile(file)),
      wallMs: Math.round(performance.now() - rowStartedMs),
    });
    if (!row.same) {
      options.progress(
        `  verdicts differ: ${
          row.findings.length > 0 ? `documented (${row.findings.join(", ")})` : "NOT documented"
        }`,
      );
    }
  }
  result.wallMs = Math.round(performance.now() - startedMs);
  result.referenceMs = Math.round(result.referenceMs);
  result.swampMs = Math.round(result.swampMs);
  result.exitCode = undocumented(result.rows).length === 0 ? EXIT.pass : EXIT.invariant;
  return result;
}

/** Loads `file` with the checkout as its target, probes the checkout, and names it. */
async function probeOnce(
  file: string,
  options: FidelityOptions,
): Promise<TargetIdentity | { message: string; exitCode: number }> {
  const input = await checkedInput({ scenario: file, swamp: options.checkout });
  if (!input.ok) return { message: input.message, exitCode: EXIT.badInput };
  options.progress(`probing ${input.scenario.target.checkout} (main.ts --version)`);
  const target = await checkTarget(input.scenario, {
    handleSignals: options.handleSignals,
    log: options.progress,
  });
  if (!target.ok) {
    return {
      message: target.message.replace(/^.*?: error: /, "error: "),
      exitCode: target.exitCode,
    };
  }
  options.progress(`swamp: ${target.identity.label}, ${target.identity.version ?? "?"}`);
  return target.identity;
}

/** Renders the result as a table, with the differing judgements and layer states under a differing row. */
export function formatFidelity(result: FidelityResult): string {
  const commit = result.swamp?.commit?.commit ?? "unknown";
  const swampHeader = `swamp ${commit === "unknown" ? "(unknown commit)" : commit.slice(0, 8)}`;
  const header = ["scenario", "reference", swampHeader, "same", "finding"];
  const rows = result.rows.map((r) => [
    r.scenario,
    r.reference.verdict,
    r.swamp.verdict,
    r.same ? "yes" : "NO",
    r.same ? "" : r.findings.join(", ") || "undocumented",
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const fmt = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd();
  const lines = [fmt(header), fmt(widths.map((w) => "-".repeat(w)))];
  for (const [i, row] of result.rows.entries()) {
    lines.push(fmt(rows[i]));
    if (row.same) continue;
    for (const d of row.differences) {
      for (const j of [...d.judgements, ...d.layerStates]) {
        lines.push(
          `    iteration ${d.iteration}: ${j.what}: reference ${j.reference} | swamp ${j.swamp}`,
        );
      }
    }
    for (const [target, run] of [["reference", row.reference], ["swamp", row.swamp]] as const) {
      if (run.error !== undefined) lines.push(`    ${target}: ${run.error}`);
      if (run.replay !== undefined) lines.push(`    ${target}: reproduce with: ${run.replay}`);
    }
  }
  const differ = result.rows.filter((r) => !r.same);
  const open = undocumented(result.rows);
  lines.push(
    `${result.rows.length} scenario(s): ${
      result.rows.length - differ.length
    } same, ${differ.length} differ` +
      (differ.length === 0
        ? ""
        : ` (${differ.length - open.length} documented, ${open.length} undocumented${
          open.length === 0 ? "" : `: ${open.map((r) => r.scenario).join(", ")}`
        })`),
    `swamp: ${result.swamp?.label ?? "-"}${
      result.swamp?.version === undefined ? "" : `, ${result.swamp.version}`
    }`,
    `wall time: ${(result.wallMs / 1000).toFixed(0)} s (reference ${
      (result.referenceMs / 1000).toFixed(0)
    } s, swamp ${(result.swampMs / 1000).toFixed(0)} s)`,
  );
  if (result.error !== undefined) lines.push(`stopped: ${result.error}`);
  return lines.join("\n");
}

/** One target's run as the JSON result holds it: the verdict, failed iterations, notes and op figures. */
function runJson(run: TargetRun): StoredRun {
  return {
    exitCode: run.exitCode,
    verdict: run.verdict,
    passed: run.passed,
    iterations: run.iterations.length,
    failed: run.iterations.filter((i) => !i.passed).map((i) => ({
      iteration: i.iteration,
      failure: i.failure ?? "?",
    })),
    notes: run.iterations.flatMap((i) => i.notes.map((n) => `iteration ${i.iteration}: ${n}`)),
    ops: run.ops,
    durationMs: run.durationMs,
    ...(run.error === undefined ? {} : { error: run.error }),
    ...(run.replay === undefined ? {} : { replay: run.replay }),
  };
}

/** The machine-readable result (`--json`, `design/fidelity.json`): per-iteration detail only where it differs. */
export function fidelityJson(result: FidelityResult): StoredFidelity {
  const open = undocumented(result.rows);
  return {
    exitCode: result.exitCode,
    ...(result.error === undefined ? {} : { error: result.error }),
    swamp: result.swamp === undefined ? null : {
      checkout: result.swamp.checkout,
      commit: result.swamp.commit?.commit ?? "unknown",
      commitSource: result.swamp.commit?.source ?? "unknown",
      ...(result.swamp.commit?.dirty === undefined ? {} : { dirty: result.swamp.commit.dirty }),
      ...(result.swamp.version === undefined ? {} : { version: result.swamp.version }),
    },
    startedAt: result.startedAt,
    wallMs: result.wallMs,
    referenceMs: result.referenceMs,
    swampMs: result.swampMs,
    summary: {
      scenarios: result.rows.length,
      same: result.rows.filter((r) => r.same).length,
      differ: result.rows.filter((r) => !r.same).map((r) => r.scenario),
      undocumented: open.map((r) => r.scenario),
    },
    rows: result.rows.map((r) => ({
      scenario: r.scenario,
      digest: r.digest,
      wallMs: r.wallMs,
      pinned: r.pinned,
      same: r.same,
      findings: r.findings,
      reference: runJson(r.reference),
      swamp: runJson(r.swamp),
      differences: r.differences,
    })),
  };
}
