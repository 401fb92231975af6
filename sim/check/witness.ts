/**
 * Witnesses: proof from the history that an iteration's race happened. A
 * pass whose interleaving never happened is a check that cannot fail, so an
 * iteration whose witnesses did not all show fails as `vacuous`, whatever
 * the invariants say (in the spirit of Antithesis' `sometimes` and
 * `reachable` assertions).
 *
 * Two kinds:
 *
 * - **declared** (`witnesses:` in the scenario): the run process's events
 *   at a point and phase (only one hit, only steps that threw or returned)
 *   number from `atLeast` to `atMost`, e.g. "p1's lock attempts were
 *   refused 9 times";
 * - **derived from a pause** ({@link derivedWitnesses}): a pin whose hit is
 *   fixed must have fired and been released by its condition, not by its
 *   timeout.
 *
 * Pure: the scenario, the plan and the run's ops in, one result per
 * witness out, each with a sentence a maintainer can read.
 *
 * @module
 */

import type { FaultEvent } from "../../faults/event.ts";
import type { EventRef, ShimRule } from "../../faults/rule.ts";
import type { Phase, Point } from "../../faults/vocabulary.ts";
import type { HistoryOp } from "../record/history.ts";
import type { Plan } from "../scenario/plan.ts";
import type { DeclaredWitness, Scenario } from "../scenario/resolve.ts";

/** A witness derived from a pause: it fired at its hit and its condition released it. */
export interface PauseWitness {
  /** `pause faults[i] of p<n>`. */
  id: string;
  process: number;
  /** The pause rule's id (`faults[i]`). */
  rule: string;
  at: Point;
  when: Phase;
  /** The hit the pause fires at, or `every` (then every firing must be released by its condition). */
  hit: number | "every";
  timeoutMs: number;
  /** What the pause waits for, in words. */
  waitsFor: string;
}

/** Every witness of an iteration. */
export type Witness =
  | ({ kind: "declared" } & DeclaredWitness)
  | ({ kind: "pause" } & PauseWitness);

/** What one witness showed in one iteration. */
export interface WitnessResult {
  witness: Witness;
  /** Whether the witness showed. */
  held: boolean;
  /** Matching events (declared), or pause events of the rule (derived). */
  count: number;
  /** One sentence, for the console, the JSON result and the reports. */
  explanation: string;
}

function label(process: number): string {
  return `p${process}`;
}

function eventText(e: Pick<EventRef, "process" | "point" | "phase" | "hit">): string {
  return `${label(e.process)} ${e.phase} ${e.point} #${e.hit}`;
}

/** What a pause waits for, in words. */
function waitsForText(action: Extract<ShimRule["action"], { kind: "pause" }>): string {
  const parts = [
    ...action.untilExitOf.map((p) => `${label(p)}'s exit`),
    ...(action.untilEvents ?? []).map(eventText),
  ];
  return parts.length === 0 ? "nothing" : parts.join(" and ");
}

/**
 * The witnesses the plan's pauses derive. A pause pins an interleaving only
 * where its process is expected to reach it, so nothing is derived:
 *
 * - in a sweep or a `mix` workload (which process runs which op, and where
 *   a swept fault stops it, is not a pin);
 * - from a fault that does not name its processes (a pause on every process
 *   samples rather than pins);
 * - from a probabilistic hit (it may not fire);
 * - from a process carrying a `crash` rule (it may die before its pause);
 * - from a pause marked `release: timeout` (its timeout is the release).
 */
export function derivedWitnesses(scenario: Scenario, plan: Plan): PauseWitness[] {
  if (scenario.sweep !== undefined || scenario.workload.kind !== "explicit") return [];
  const pinned = new Set(scenario.faults.filter((f) => f.processes !== undefined).map((f) => f.id));
  const out: PauseWitness[] = [];
  for (const process of plan.processes) {
    if (process.rules.some((r) => r.action.kind === "crash")) continue;
    for (const rule of process.rules) {
      const action = rule.action;
      if (action.kind !== "pause" || action.release === "timeout") continue;
      if ("probability" in rule.hit || !pinned.has(rule.id)) continue;
      out.push({
        id: `pause ${rule.id} of ${label(process.index)}`,
        process: process.index,
        rule: rule.id,
        at: rule.at,
        when: rule.when,
        hit: "nth" in rule.hit ? rule.hit.nth : "every",
        timeoutMs: action.timeoutMs,
        waitsFor: waitsForText(action),
      });
    }
  }
  return out;
}

/** The witnesses of one iteration: the scenario's declared ones, then those its pauses derive. */
export function iterationWitnesses(scenario: Scenario, plan: Plan): Witness[] {
  return [
    ...scenario.witnesses.map((w) => ({ kind: "declared" as const, ...w })),
    ...derivedWitnesses(scenario, plan).map((w) => ({ kind: "pause" as const, ...w })),
  ];
}

/** A declared witness's predicate in words, e.g. `p1 after lock.acquire #3 that threw`. */
export function predicateText(w: DeclaredWitness): string {
  const threw = w.threw === undefined ? "" : w.threw ? " that threw" : " that returned";
  return `${label(w.process)} ${w.when} ${w.at}${w.hit === undefined ? "" : ` #${w.hit}`}${threw}`;
}

/** The range a declared witness needs, e.g. `>= 1`, `9`, `2..5`, `<= 3`. */
export function rangeText(w: Pick<DeclaredWitness, "atLeast" | "atMost">): string {
  if (w.atMost === undefined) return `>= ${w.atLeast}`;
  if (w.atMost === w.atLeast) return `${w.atLeast}`;
  if (w.atLeast === 0) return `<= ${w.atMost}`;
  return `${w.atLeast}..${w.atMost}`;
}

/** A witness's name in reports: its id and, for a declared one, what it shows. */
export function witnessName(w: Witness): string {
  if (w.kind === "pause") return w.id;
  return w.shows === undefined ? w.id : `${w.id} (${w.shows})`;
}

function matches(w: DeclaredWitness, e: FaultEvent): boolean {
  return e.point === w.at && e.phase === w.when &&
    (w.hit === undefined || e.hit === w.hit) &&
    (w.threw === undefined || (e.threw ?? false) === w.threw);
}

function checkDeclared(w: DeclaredWitness, events: readonly FaultEvent[]): WitnessResult {
  const count = events.filter((e) => matches(w, e)).length;
  const held = count >= w.atLeast && (w.atMost === undefined || count <= w.atMost);
  const what = `${count} event(s) ${predicateText(w)}, needed ${rangeText(w)}`;
  const name = w.shows === undefined ? w.id : `${w.id} (${w.shows})`;
  return {
    witness: { kind: "declared", ...w },
    held,
    count,
    explanation: held ? `${name} showed: ${what}` : `${name} did not show: ${what}`,
  };
}

function checkPause(w: PauseWitness, events: readonly FaultEvent[]): WitnessResult {
  const witness: Witness = { kind: "pause", ...w };
  const fired = events.filter((e) =>
    e.action === "pause" && e.rule === w.rule && e.point === w.at && e.phase === w.when &&
    (w.hit === "every" || e.hit === w.hit)
  );
  const where = `${w.when} ${w.at}${w.hit === "every" ? "" : ` #${w.hit}`}`;
  const who = `${label(w.process)}'s pause (${w.rule}) at ${where}`;
  if (fired.length === 0) {
    const reached = events.filter((e) => e.point === w.at && e.phase === w.when).length;
    return {
      witness,
      held: false,
      count: 0,
      explanation: `${who} never fired: ${label(w.process)} reached ${w.when} ${w.at} ${reached} ` +
        `time(s), so the interleaving it pins (waiting for ${w.waitsFor}) did not happen`,
    };
  }
  const timedOut = fired.filter((e) => e.released !== true);
  if (timedOut.length > 0) {
    const e = timedOut[0];
    return {
      witness,
      held: false,
      count: fired.length,
      explanation: `${who} was released by its ${w.timeoutMs} ms timeout (hit ${e.hit}, ` +
        `${e.pausedMs ?? "?"} ms), not by ${w.waitsFor}`,
    };
  }
  return {
    witness,
    held: true,
    count: fired.length,
    explanation: `${who} was released by ${w.waitsFor}`,
  };
}

/**
 * Checks witnesses against the run ops of an iteration (process `i` is the
 * run op with index `i`; a process that never ran has no events).
 */
export function checkWitnesses(
  witnesses: readonly Witness[],
  ops: readonly HistoryOp[],
): WitnessResult[] {
  const eventsOf = (process: number) =>
    ops.find((op) => op.phase === "run" && op.process === process)?.events ?? [];
  return witnesses.map((w) => {
    if (w.kind === "declared") {
      const { kind: _kind, ...declared } = w;
      return checkDeclared(declared, eventsOf(w.process));
    }
    const { kind: _kind, ...pause } = w;
    return checkPause(pause, eventsOf(w.process));
  });
}

/** The witnesses that did not show. */
export function unshown(results: readonly WitnessResult[]): WitnessResult[] {
  return results.filter((r) => !r.held);
}
