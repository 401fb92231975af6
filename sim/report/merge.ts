/**
 * Merging the report dirs of the shards of one run (`--shard i/n`) into one
 * summary and one JUnit file: iterations side by side in iteration order,
 * counts added, the worst exit code, the first failure's replay command,
 * and a search's coverage as the union of its shards'. Pure: the parsed
 * files in, the merged ones out (`cli/merge_reports_main.ts` reads and
 * writes them).
 *
 * @module
 */

import { EXIT } from "../shared/exit_codes.ts";
import type { InvariantSummary } from "./report.ts";
import { type ExploreSummary, mergeExploreSummaries } from "./explore_summary.ts";

/** The parts of a `summary.json` a merge reads. */
export interface ShardSummary {
  exitCode: number;
  options: Record<string, unknown>;
  passed: number;
  failed: number;
  iterations: Array<{ iteration: number; passed: boolean; replay?: string }>;
  invariants: InvariantSummary[];
  replay?: string;
  harnessError?: string;
  explore?: ExploreSummary;
  durationMs: number;
}

/** One shard's report dir, read. */
export interface ShardReport {
  dir: string;
  summary: ShardSummary;
  junit: string;
}

/** Exit codes from least to most severe: a merged run ends with its shards' worst. */
const SEVERITY: readonly number[] = [
  EXIT.pass,
  EXIT.invariant,
  EXIT.target,
  EXIT.harness,
  EXIT.badInput,
  EXIT.sigint,
  EXIT.sigterm,
];

function worst(codes: readonly number[]): number {
  return codes.reduce((a, b) => SEVERITY.indexOf(b) > SEVERITY.indexOf(a) ? b : a, EXIT.pass);
}

/** Options every shard of one run shares. */
const SAME = ["scenario", "file", "seed", "mutant", "target", "backend"] as const;

/** Checks that a value read from a summary has the shape a merge needs; names what is wrong. */
export function asShardSummary(value: unknown, source: string): ShardSummary {
  const v = value as Partial<ShardSummary> | null;
  const problem = typeof v !== "object" || v === null
    ? "not an object"
    : typeof v.exitCode !== "number"
    ? "no exitCode"
    : typeof v.options !== "object" || v.options === null
    ? "no options"
    : !Array.isArray(v.iterations)
    ? "no iterations"
    : !Array.isArray(v.invariants)
    ? "no invariants"
    : undefined;
  if (problem !== undefined) {
    throw new Error(`${source}: not a swamp-sim summary.json (${problem})`);
  }
  return v as ShardSummary;
}

function addInvariants(parts: readonly InvariantSummary[][]): InvariantSummary[] {
  const out: InvariantSummary[] = structuredClone(parts[0] ?? []);
  for (const part of parts.slice(1)) {
    for (const row of part) {
      let into = out.find((r) => r.invariant === row.invariant);
      if (into === undefined) {
        into = { invariant: row.invariant, phases: {} };
        out.push(into);
      }
      for (const [phase, counts] of Object.entries(row.phases)) {
        const key = phase as keyof InvariantSummary["phases"];
        const target = into.phases[key] ??= {
          valid: 0,
          invalid: 0,
          unknown: 0,
          failedExpectation: 0,
          expectations: [],
        };
        target.valid += counts.valid;
        target.invalid += counts.invalid;
        target.unknown += counts.unknown;
        target.failedExpectation += counts.failedExpectation;
        target.expectations = [...new Set([...target.expectations, ...counts.expectations])].sort();
      }
    }
  }
  return out;
}

/**
 * The merged `summary.json` of the shards of one run. Throws when they are
 * not shards of one run (another scenario, seed, mutant or target) or name
 * one iteration twice.
 */
export function mergeSummaries(shards: readonly ShardReport[]): Record<string, unknown> {
  if (shards.length === 0) throw new Error("mergeSummaries() needs at least one shard");
  const [first] = shards;
  for (const shard of shards.slice(1)) {
    for (const key of SAME) {
      if (
        JSON.stringify(shard.summary.options[key]) !== JSON.stringify(first.summary.options[key])
      ) {
        throw new Error(
          `Cannot merge ${shard.dir} with ${first.dir}: option ${key} differs ` +
            `(${JSON.stringify(shard.summary.options[key])} vs ${
              JSON.stringify(first.summary.options[key])
            })`,
        );
      }
    }
  }
  const iterations = shards.flatMap((s) => s.summary.iterations)
    .sort((a, b) => a.iteration - b.iteration);
  const twice = iterations.find((it, i) => i > 0 && iterations[i - 1].iteration === it.iteration);
  if (twice !== undefined) {
    throw new Error(`Cannot merge: iteration ${twice.iteration} is in more than one shard`);
  }
  const firstFailure = iterations.find((it) => !it.passed);
  const harnessErrors = shards.flatMap((s) =>
    s.summary.harnessError === undefined ? [] : [`${s.dir}: ${s.summary.harnessError}`]
  );
  const explores = shards.flatMap((s) =>
    s.summary.explore === undefined ? [] : [s.summary.explore]
  );
  const { shard: _shard, ...options } = first.summary.options;
  return {
    ...(firstFailure?.replay === undefined ? {} : { replay: firstFailure.replay }),
    exitCode: worst(shards.map((s) => s.summary.exitCode)),
    merged: shards.map((s) => s.dir),
    options: { ...options, iterations: iterations.length },
    passed: shards.reduce((n, s) => n + s.summary.passed, 0),
    failed: shards.reduce((n, s) => n + s.summary.failed, 0),
    ...(harnessErrors.length === 0 ? {} : { harnessError: harnessErrors.join("; ") }),
    iterations,
    invariants: addInvariants(shards.map((s) => s.summary.invariants)),
    ...(explores.length === 0 ? {} : { explore: mergeExploreSummaries(explores) }),
    durationMs: Math.max(...shards.map((s) => s.summary.durationMs)),
  };
}

const SUITE = /^ {2}<testsuite [\s\S]*?^ {2}<\/testsuite>$/gm;

/** The merged `junit.xml` of the shards: every shard's test suites under one root. */
export function mergeJunit(name: string, junits: readonly string[]): string {
  const suites = junits.flatMap((text) => [...text.matchAll(SUITE)].map((m) => m[0]));
  const count = (pattern: RegExp) =>
    suites.reduce((n, suite) => n + (suite.match(pattern)?.length ?? 0), 0);
  const escaped = name.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll('"', "&quot;");
  return `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<testsuites name="${escaped}" tests="${count(/<testcase /g)}" ` +
    `failures="${count(/<failure /g)}" errors="${count(/<error /g)}">\n` +
    `${suites.join("\n")}\n</testsuites>\n`;
}
