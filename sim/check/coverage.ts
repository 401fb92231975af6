/**
 * Schedule coverage: which orders of conflicting steps of different
 * processes a run has exercised. A pair "process i at step a, then process
 * j at step b" is covered when, in some iteration, a was the last step of i
 * on b's resource before b (both touch the same resource: the lock, the
 * catalog, or one path of the file tree). The possible pairs come from the
 * steps the processes learned alone: every step of i and every step of j on
 * a shared resource, in both directions.
 *
 * "Last step of i before b", not "some step of i before b": otherwise two
 * serial runs (all of i, then all of j, and the reverse) would cover every
 * pair. With it, the serial runs cover one pair per step and each
 * interleaving covers the pairs of the steps it put next to each other.
 *
 * An iteration whose schedule did not happen (a pause of the schedule was
 * released by its timeout) covers nothing. Iterations with the same
 * covered pairs ran the same schedule up to the order of steps that touch
 * nothing in common, and count once. Pure.
 *
 * @module
 */

import type { FaultEvent } from "../../faults/event.ts";
import type { PointPatterns } from "../../faults/rule.ts";
import type { History } from "../record/history.ts";
import {
  conflicts,
  type Layer,
  layerOf,
  LAYERS,
  type Step,
  stepOf,
  type StepRef,
  stepText,
} from "../scenario/explore.ts";

/** The key of a pair: `p0 lock.acquire before #1 < p1 lockfile.write before #1`. */
export function pairKey(i: number, a: StepRef, j: number, b: StepRef): string {
  return `p${i} ${stepText(a)} < p${j} ${stepText(b)}`;
}

/** Every pair a run of processes with these learned steps can cover, with its layer. */
export function possiblePairs(steps: readonly (readonly Step[])[]): Map<string, Layer> {
  const pairs = new Map<string, Layer>();
  steps.forEach((own, i) =>
    steps.forEach((other, j) => {
      if (i === j) return;
      for (const a of own) {
        for (const b of other) {
          if (conflicts(a.resource, b.resource)) {
            pairs.set(pairKey(i, a, j, b), layerOf(b.resource!));
          }
        }
      }
    })
  );
  return pairs;
}

/** The pairs one iteration's run ops covered (see the module doc). */
export function observedPairs(
  history: Pick<History, "ops">,
  patterns: Pick<PointPatterns, "extractDir">,
): Set<string> {
  const timed = history.ops.filter((op) => op.phase === "run").map((op) => ({
    process: op.process,
    events: op.events.map((e: FaultEvent) => ({ step: stepOf(e, patterns), atMs: e.atMs })),
  }));
  const out = new Set<string>();
  for (const j of timed) {
    for (const b of j.events) {
      if (b.step.resource === undefined) continue;
      for (const i of timed) {
        if (i.process === j.process) continue;
        let last: { step: Step; atMs: number } | undefined;
        for (const a of i.events) {
          if (a.atMs >= b.atMs || !conflicts(a.step.resource, b.step.resource)) continue;
          if (last === undefined || a.atMs >= last.atMs) last = a;
        }
        if (last !== undefined) out.add(pairKey(i.process, last.step, j.process, b.step));
      }
    }
  }
  return out;
}

/** Covered and possible pairs, in total and per layer. */
export interface CoverageSummary {
  covered: number;
  possible: number;
  layers: Record<Layer, { covered: number; possible: number }>;
}

/** How much of `possible` the `covered` keys cover (keys outside it are not counted). */
export function coverageOf(
  possible: ReadonlyMap<string, Layer>,
  covered: ReadonlySet<string>,
): CoverageSummary {
  const layers = Object.fromEntries(LAYERS.map((l) => [l, { covered: 0, possible: 0 }])) as Record<
    Layer,
    { covered: number; possible: number }
  >;
  let count = 0;
  for (const [key, layer] of possible) {
    layers[layer].possible++;
    if (covered.has(key)) {
      layers[layer].covered++;
      count++;
    }
  }
  return { covered: count, possible: possible.size, layers };
}

/** The covered fraction, 0 when nothing is possible. */
export function ratio(c: { covered: number; possible: number }): number {
  return c.possible === 0 ? 0 : c.covered / c.possible;
}

/** Whether a rule id is one of an explored schedule's (`explore[k]`, `explore-crash`). */
export function isScheduleRule(id: string | undefined): boolean {
  return id !== undefined && id.startsWith("explore");
}

/**
 * Why an iteration's drawn schedule did not happen, or undefined when it
 * did: a pause of the schedule released by its timeout rather than by what
 * it waited for.
 */
export function scheduleMissed(history: Pick<History, "ops">): string | undefined {
  for (const op of history.ops) {
    if (op.phase !== "run") continue;
    const timedOut = op.events.find((e) =>
      e.action === "pause" && e.released === false && isScheduleRule(e.rule)
    );
    if (timedOut !== undefined) {
      return `p${op.process} was released by its pause timeout at ${timedOut.phase} ` +
        `${timedOut.point} #${timedOut.hit} (${timedOut.rule}): the drawn schedule did not happen`;
    }
  }
  return undefined;
}
