/**
 * What a search that explores schedules found (`summary.json`'s `explore`),
 * and the union of several such searches: the shards of one search
 * (`merge.ts`). A summary carries its covered pairs, the keys of its
 * distinct schedules and of its distinct failures, so shards add up
 * without counting a pair, a schedule or a failure twice. Pure.
 *
 * @module
 */

import type { CoverageSummary } from "../check/coverage.ts";
import type { LearningRun } from "../run/learn.ts";
import { type Layer, LAYERS } from "../scenario/explore.ts";

/** What ended a search. */
export type StoppedBy = "budget" | "coverage" | "iterations" | "interrupted";

/** What a search found, as `summary.json` carries it (`explore`). */
export interface ExploreSummary {
  depth: number;
  crash: boolean;
  /** The solo runs the steps were learned from. */
  learned: LearningRun[];
  /** Iterations run, and of those whose schedule happened. */
  iterations: number;
  explored: number;
  /** Iterations whose schedule did not happen (a pause released by its timeout). */
  missed: Array<{ iteration: number; reason: string }>;
  /** Explored iterations with distinct covered pairs. */
  distinctSchedules: number;
  coverage: CoverageSummary;
  coverageTarget?: number;
  /** Failing iterations, and distinct failures among them (class and failed judgements). */
  failures: number;
  distinctFailures: number;
  /** What ended the search. */
  stoppedBy: StoppedBy;
  /** Every covered pair, by layer. */
  coveredPairs: Record<Layer, string[]>;
  /** A key per distinct schedule (a hash of its covered pairs). */
  scheduleKeys: string[];
  /** A key per distinct failure (its class and failed judgements). */
  failureKeys: string[];
}

/** A short stable hash of a text (FNV-1a, 32 bits, hex). */
export function textKey(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, "0");
}

const STOP_ORDER: readonly StoppedBy[] = ["iterations", "coverage", "budget", "interrupted"];

/**
 * The union of the summaries of the shards of one search. Throws when they
 * do not come from one search (their learned steps or settings differ).
 */
export function mergeExploreSummaries(parts: readonly ExploreSummary[]): ExploreSummary {
  if (parts.length === 0) throw new Error("mergeExploreSummaries() needs at least one summary");
  const [first] = parts;
  const sameSearch = (p: ExploreSummary) =>
    p.depth === first.depth && p.crash === first.crash &&
    JSON.stringify(p.learned.map((r) => [r.key, r.steps])) ===
      JSON.stringify(first.learned.map((r) => [r.key, r.steps])) &&
    LAYERS.every((l) => p.coverage.layers[l].possible === first.coverage.layers[l].possible);
  const other = parts.findIndex((p) => !sameSearch(p));
  if (other !== -1) {
    throw new Error(
      `Cannot merge: summary ${other + 1} comes from another search (depth, crash, ` +
        "learned steps or possible pairs differ from summary 1)",
    );
  }
  const union = (pick: (p: ExploreSummary) => readonly string[]) =>
    [...new Set(parts.flatMap(pick))].sort();
  const coveredPairs = Object.fromEntries(
    LAYERS.map((l) => [l, union((p) => p.coveredPairs[l])]),
  ) as Record<Layer, string[]>;
  const layers = Object.fromEntries(
    LAYERS.map((l) => [l, {
      covered: coveredPairs[l].length,
      possible: first.coverage.layers[l].possible,
    }]),
  ) as CoverageSummary["layers"];
  const sum = (pick: (p: ExploreSummary) => number) => parts.reduce((n, p) => n + pick(p), 0);
  const scheduleKeys = union((p) => p.scheduleKeys);
  const failureKeys = union((p) => p.failureKeys);
  return {
    depth: first.depth,
    crash: first.crash,
    learned: first.learned,
    iterations: sum((p) => p.iterations),
    explored: sum((p) => p.explored),
    missed: parts.flatMap((p) => p.missed).sort((a, b) => a.iteration - b.iteration),
    distinctSchedules: scheduleKeys.length,
    coverage: {
      covered: LAYERS.reduce((n, l) => n + layers[l].covered, 0),
      possible: first.coverage.possible,
      layers,
    },
    ...(first.coverageTarget === undefined ? {} : { coverageTarget: first.coverageTarget }),
    failures: sum((p) => p.failures),
    distinctFailures: failureKeys.length,
    stoppedBy: parts.map((p) => p.stoppedBy).reduce((a, b) =>
      STOP_ORDER.indexOf(b) > STOP_ORDER.indexOf(a) ? b : a
    ),
    coveredPairs,
    scheduleKeys,
    failureKeys,
  };
}
