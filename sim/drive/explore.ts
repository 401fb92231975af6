/**
 * Schedule exploration, the search: what a run that explores keeps between
 * iterations (coverage, distinct schedules, failures found), when it stops
 * (its budget of iterations or time, its coverage target), and the progress
 * it reports. The planning is `scenario/explore.ts`, the learning
 * `run/learn.ts`, the coverage `check/coverage.ts`.
 *
 * @module
 */

import {
  coverageOf,
  type CoverageSummary,
  observedPairs,
  possiblePairs,
  ratio,
  scheduleMissed,
} from "../check/coverage.ts";
import type { IterationResult } from "../check/iteration.ts";
import { type Layer, LAYERS, type LearnedSteps, opKey } from "../scenario/explore.ts";
import type { Scenario } from "../scenario/load.ts";
import type { LearningRun } from "../run/learn.ts";
import { type ExploreSummary, textKey } from "../report/explore_summary.ts";

/** How long a search may go on: a number of iterations, or a duration. */
export type ExploreBudget = { iterations: number } | { durationMs: number };

/** The most time a budget may name. */
export const EXPLORE_BUDGET_MS_MAX = 24 * 60 * 60 * 1000;

/**
 * Parses `--explore-budget`: an iteration count (`200`) or a duration
 * (`90s`, `10m`, `2h`). Returns a message for anything else.
 */
export function parseExploreBudget(text: string): ExploreBudget | string {
  const count = /^(\d+)$/.exec(text);
  if (count !== null) {
    const n = Number(count[1]);
    if (n < 1 || n > 10_000) return `must be 1 to 10000 iterations, got ${n}`;
    return { iterations: n };
  }
  const duration = /^(\d+)(s|m|h)$/.exec(text);
  if (duration === null) {
    return `must be an iteration count or a duration like 90s, 10m or 2h, got "${text}"`;
  }
  const unitMs = { s: 1000, m: 60_000, h: 3_600_000 }[duration[2] as "s" | "m" | "h"];
  const ms = Number(duration[1]) * unitMs;
  if (ms < 1000 || ms > EXPLORE_BUDGET_MS_MAX) return `must be 1 s to 24 h, got "${text}"`;
  return { durationMs: ms };
}

/** The state of one search, iteration by iteration. */
export class ExploreSearch {
  readonly #scenario: Scenario;
  readonly #learned: LearningRun[];
  readonly #possible: Map<string, Layer>;
  readonly #covered = new Map<string, Layer>();
  readonly #schedules = new Set<string>();
  readonly #failures = new Set<string>();
  readonly #missed: Array<{ iteration: number; reason: string }> = [];
  #iterations = 0;
  #failed = 0;
  #stoppedBy: ExploreSummary["stoppedBy"] = "iterations";

  constructor(scenario: Scenario, steps: LearnedSteps, learned: LearningRun[]) {
    if (scenario.explore === undefined || scenario.workload.kind !== "explicit") {
      throw new Error("ExploreSearch needs a scenario that explores an explicit workload");
    }
    this.#scenario = scenario;
    this.#learned = learned;
    this.#possible = possiblePairs(
      scenario.workload.processes.map(({ startMs: _startMs, ...op }) => steps[opKey(op)] ?? []),
    );
  }

  /** Takes one judged iteration in; returns why its schedule did not happen, if it did not. */
  record(result: IterationResult): string | undefined {
    this.#iterations++;
    // A vacuous iteration (a pause its condition did not end) is a missed schedule, not a find.
    if (!result.passed && result.failure?.class !== "vacuous") {
      this.#failed++;
      const failed = result.judgements.filter((j) => !j.pass)
        .map((j) => `${j.verdict.invariant}@${j.verdict.phase}`).sort();
      this.#failures.add(textKey(`${result.failure?.class} ${failed.join(",")}`));
    }
    const missed = scheduleMissed(result.history);
    if (missed !== undefined) {
      this.#missed.push({ iteration: result.iteration, reason: missed });
      return missed;
    }
    const pairs = observedPairs(result.history, this.#scenario.target.patterns);
    for (const key of pairs) {
      const layer = this.#possible.get(key);
      if (layer !== undefined) this.#covered.set(key, layer);
    }
    this.#schedules.add(textKey([...pairs].sort().join("\n")));
    return undefined;
  }

  /** The coverage so far. */
  coverage(): CoverageSummary {
    return coverageOf(this.#possible, new Set(this.#covered.keys()));
  }

  /** Whether the coverage target (if any) is reached. */
  targetReached(): boolean {
    const target = this.#scenario.explore?.coverageTarget;
    return target !== undefined && this.#possible.size > 0 && ratio(this.coverage()) >= target;
  }

  /** Records what ended the search. */
  stop(reason: ExploreSummary["stoppedBy"]): void {
    this.#stoppedBy = reason;
  }

  /** Failing iterations so far. */
  get failures(): number {
    return this.#failed;
  }

  /** The search's summary. */
  summary(): ExploreSummary {
    const config = this.#scenario.explore!;
    return {
      depth: config.depth,
      crash: config.crash,
      learned: this.#learned,
      iterations: this.#iterations,
      explored: this.#iterations - this.#missed.length,
      missed: this.#missed,
      distinctSchedules: this.#schedules.size,
      coverage: this.coverage(),
      ...(config.coverageTarget === undefined ? {} : { coverageTarget: config.coverageTarget }),
      failures: this.#failed,
      distinctFailures: this.#failures.size,
      stoppedBy: this.#stoppedBy,
      coveredPairs: Object.fromEntries(
        LAYERS.map((
          l,
        ) => [l, [...this.#covered].filter(([, x]) => x === l).map(([k]) => k).sort()]),
      ) as Record<Layer, string[]>,
      scheduleKeys: [...this.#schedules].sort(),
      failureKeys: [...this.#failures].sort(),
    };
  }
}
