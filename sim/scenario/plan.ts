/**
 * The planner: (scenario, iteration) -> plan, a pure function. Every random
 * choice (which op each process runs, its start jitter, the seeds of
 * probabilistic hits and delay ranges, an explored schedule) comes from one
 * seeded stream: the
 * scenario's seed, jumped once per iteration, so each iteration owns an
 * independent slice of the same sequence and can be replayed alone.
 *
 * @module
 */

import { uniformInt } from "pure-rand/distribution/uniformInt";
import { xoroshiro128plus } from "pure-rand/generator/xoroshiro128plus";
import type { JumpableRandomGenerator } from "pure-rand/types/JumpableRandomGenerator";
import type { PublishedEvent, ShimAction, ShimHit, ShimRule } from "../../faults/rule.ts";
import type { OpSpec, Scenario, ScenarioFault, SweepCase } from "./load.ts";
import { drawSchedule, type ExplorePlan, type LearnedSteps, opKey } from "./explore.ts";

/** One target process of a plan. */
export interface PlannedProcess {
  /** Index in the plan, from 0. */
  index: number;
  op: OpSpec;
  /** When to start it, in ms after the iteration's t0. */
  startOffsetMs: number;
  /** The fault rules this process carries, resolved with their seeds. */
  rules: ShimRule[];
  /** The points this process announces because another process's pause waits for them. */
  publish: PublishedEvent[];
}

/** Everything one iteration will do, fixed before anything runs. */
export interface Plan {
  scenario: string;
  seed: number;
  iteration: number;
  processes: PlannedProcess[];
  /** The sweep case of this iteration, when the scenario sweeps. */
  sweepCase?: SweepCase;
  /** The schedule this iteration explores, when the scenario explores (`explore.ts`). */
  explore?: ExplorePlan;
}

/** The seeded stream of one iteration: the scenario's seed jumped `iteration` times. */
export function iterationStream(seed: number, iteration: number): JumpableRandomGenerator {
  if (!Number.isInteger(iteration) || iteration < 0) {
    throw new RangeError(`Cannot plan iteration ${iteration}: must be a non-negative integer`);
  }
  const rng = xoroshiro128plus(seed);
  for (let i = 0; i < iteration; i++) rng.jump();
  return rng;
}

function drawSeed(rng: JumpableRandomGenerator): number {
  return uniformInt(rng, 0, 0xffff_ffff);
}

function pickWeighted<T extends { weight: number }>(
  rng: JumpableRandomGenerator,
  items: readonly T[],
): T {
  const total = items.reduce((sum, item) => sum + item.weight, 0);
  let ticket = uniformInt(rng, 1, total);
  for (const item of items) {
    ticket -= item.weight;
    if (ticket <= 0) return item;
  }
  throw new Error("pickWeighted() ran past the last item: weights must be positive");
}

function resolveRule(
  id: string,
  fault: Omit<ScenarioFault, "id">,
  rng: JumpableRandomGenerator,
): ShimRule {
  const action: ShimAction = fault.action.kind === "delay" && "delayMsMin" in fault.action
    ? { ...fault.action, seed: drawSeed(rng) }
    : fault.action;
  const hit: ShimHit = "probability" in fault.hit
    ? { probability: fault.hit.probability, seed: drawSeed(rng) }
    : fault.hit;
  return { id, at: fault.at, when: fault.when, action, hit };
}

function faultApplies(
  fault: ScenarioFault,
  process: number,
  op: OpSpec,
  iteration: number,
): boolean {
  if (fault.iterations !== undefined && !fault.iterations.includes(iteration)) return false;
  if (fault.processes !== undefined && !fault.processes.includes(process)) return false;
  if (fault.ops !== undefined && !(fault.ops as string[]).includes(op.op)) return false;
  return true;
}

/**
 * Plans one iteration. Pure: the same scenario and iteration (and, for a
 * scenario that explores schedules, the same learned steps of its ops)
 * always give the same plan.
 */
export function planIteration(
  scenario: Scenario,
  iteration: number,
  learned?: LearnedSteps,
): Plan {
  if (iteration >= scenario.iterations) {
    throw new RangeError(
      `Cannot plan iteration ${iteration}: the scenario runs ${scenario.iterations}`,
    );
  }
  const rng = iterationStream(scenario.seed, iteration);
  const sweepCase = scenario.sweep?.[iteration];

  const drafts: Array<{ op: OpSpec; startMs: number }> = [];
  if (sweepCase !== undefined) {
    drafts.push({ op: sweepCase.op, startMs: 0 });
  } else if (scenario.workload.kind === "explicit") {
    for (const { startMs, ...op } of scenario.workload.processes) {
      drafts.push({ op: op as OpSpec, startMs });
    }
  } else {
    for (let i = 0; i < scenario.workload.count; i++) {
      const { weight: _weight, ...op } = pickWeighted(rng, scenario.workload.mix);
      drafts.push({ op: op as OpSpec, startMs: 0 });
    }
  }

  const jitter = scenario.workload.startJitterMs;
  const processes: PlannedProcess[] = drafts.map((draft, index) => ({
    index,
    op: draft.op,
    startOffsetMs: draft.startMs + (jitter.max > 0 ? uniformInt(rng, jitter.min, jitter.max) : 0),
    rules: [],
    publish: [],
  }));

  for (const fault of scenario.faults) {
    for (const process of processes) {
      if (!faultApplies(fault, process.index, process.op, iteration)) continue;
      process.rules.push(resolveRule(fault.id, fault, rng));
    }
  }
  if (sweepCase !== undefined) {
    processes[0].rules.push(
      resolveRule("sweep", {
        at: sweepCase.at,
        when: sweepCase.when,
        action: sweepCase.action,
        hit: { nth: 1 },
      }, rng),
    );
  }

  let explore: ExplorePlan | undefined;
  if (scenario.explore !== undefined) {
    if (learned === undefined) {
      throw new Error(
        `Cannot plan iteration ${iteration} of "${scenario.name}": it explores schedules, ` +
          "which needs the learned steps of its ops",
      );
    }
    const steps = processes.map((p) => {
      const own = learned[opKey(p.op)];
      if (own === undefined) {
        throw new Error(`Cannot plan process ${p.index}: no learned steps for ${opKey(p.op)}`);
      }
      return [...own];
    });
    const drawn = drawSchedule(steps, scenario.explore, rng);
    drawn.rules.forEach((rules, i) => processes[i].rules.push(...rules));
    explore = drawn.plan;
  }

  for (const process of processes) {
    for (const rule of process.rules) {
      if (rule.action.kind !== "pause") continue;
      for (const e of rule.action.untilEvents ?? []) {
        const target = processes[e.process];
        const key = (p: PublishedEvent) => `${p.point} ${p.phase} ${p.hit}`;
        const published: PublishedEvent = { point: e.point, phase: e.phase, hit: e.hit };
        if (!target.publish.some((p) => key(p) === key(published))) target.publish.push(published);
      }
    }
  }

  return {
    scenario: scenario.name,
    seed: scenario.seed,
    iteration,
    processes,
    sweepCase,
    ...(explore === undefined ? {} : { explore }),
  };
}

/** A stable text digest of a plan, for determinism checks and reports. */
export async function planDigest(plan: Plan): Promise<string> {
  const bytes = new TextEncoder().encode(JSON.stringify(plan));
  const hash = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(hash, (b) => b.toString(16).padStart(2, "0")).join("");
}
