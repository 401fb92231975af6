/**
 * What a search that explores schedules found (`summary.json`'s `explore`),
 * and the union of several such searches (the shards of one search, see
 * `merge.ts`).
 *
 * @module
 */

import type { CoverageSummary } from "../check/coverage.ts";
import type { LearningRun } from "../run/learn.ts";

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
  stoppedBy: "budget" | "coverage" | "iterations" | "interrupted";
  /** Every covered pair, for merging shards (`report/merge.ts`). */
  coveredPairs: string[];
}
