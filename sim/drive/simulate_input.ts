/**
 * The input of a simulator run, checked before anything is spawned: the
 * scenario file loads (`loadScenario()`), and the command line fits it
 * (`--mutant`, `--iterations`, `--iteration`, and the rules the strace
 * backend must take together in each planned iteration). Every refusal is
 * one line naming the file: exit 2, nothing spawned.
 *
 * @module
 */

import { MUTANT_NAMES } from "../../reference/mutants.ts";
import { planStrace } from "../../faults/strace/command.ts";
import { UnsupportedRuleError } from "../../faults/strace/support.ts";
import { straceContext } from "../run/backend.ts";
import { planIteration } from "../scenario/plan.ts";
import {
  loadScenario,
  type ResolvedTarget,
  type Scenario,
  ScenarioError,
} from "../scenario/load.ts";
import { exploreProblem, resolveExplore } from "../scenario/resolve.ts";
import type { ExploreBudget } from "./explore.ts";
import { withSwampTarget } from "../scenario/swamp_target.ts";
import { checkoutProblem } from "../run/swamp_checkout.ts";

/** The command-line options the input checks read. */
export interface InputOptions {
  /** The scenario file. */
  scenario: string;
  seed?: number;
  iteration?: number;
  iterations?: number;
  mutant?: string;
  /** Explore schedules though the scenario has no `explore:` block. */
  explore?: boolean;
  /** A search's budget (needs a scenario that explores). */
  exploreBudget?: ExploreBudget;
  /** `--shard index/count`. */
  shard?: { index: number; count: number };
  /** A swamp checkout dir (relative to the working dir) that replaces the scenario's target. */
  swamp?: string;
}

/** A scenario that loaded and fits the command line, or why not (the scenario, when it loaded). */
export type CheckedInput =
  | {
    ok: true;
    /** The scenario as it runs (with `--swamp`, its target replaced). */
    scenario: Scenario;
    /** The scenario's own target kind, when `--swamp` replaced it. */
    replacedKind?: ResolvedTarget["kind"];
  }
  | { ok: false; message: string; scenario?: Scenario };

/** Loads the scenario and checks the command line against it. */
export async function checkedInput(options: InputOptions): Promise<CheckedInput> {
  let scenario: Scenario;
  try {
    scenario = await loadScenario(options.scenario);
  } catch (error) {
    if (!(error instanceof ScenarioError)) throw error;
    return { ok: false, message: error.message };
  }
  const refuse = (problem: string): CheckedInput => ({
    ok: false,
    message: `${scenario.file}: error: ${problem}`,
    scenario,
  });
  let replacedKind: ResolvedTarget["kind"] | undefined;
  if (options.swamp !== undefined) {
    if (options.mutant !== undefined) {
      return refuse("--mutant only applies to the reference target, and --swamp replaces it");
    }
    const checkout = await realDir(options.swamp);
    if (checkout === undefined) return refuse(`--swamp: ${options.swamp} does not exist`);
    replacedKind = scenario.target.kind;
    scenario = { ...scenario, target: withSwampTarget(scenario.target, checkout) };
  }
  const checkout = scenario.target.checkout;
  const notCheckout = checkout === undefined ? undefined : await checkoutProblem(checkout);
  if (notCheckout !== undefined) {
    return refuse(`${options.swamp !== undefined ? "--swamp" : "target.checkout"}: ${notCheckout}`);
  }
  const explored = options.explore === true && scenario.explore === undefined
    ? { ...scenario, explore: resolveExplore({}) }
    : scenario;
  const problem = exploreOptionProblem(explored, options) ?? optionProblem(explored, options) ??
    backendProblem(explored, options);
  if (problem !== undefined) return refuse(problem);
  return {
    ok: true,
    scenario: explored,
    ...(replacedKind === undefined ? {} : { replacedKind }),
  };
}

/** The canonical absolute path of `path` (relative to the working dir), or undefined when it does not exist. */
async function realDir(path: string): Promise<string | undefined> {
  try {
    return await Deno.realPath(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
}

/** Why `--explore`, `--explore-budget` or `--shard` do not fit the scenario, or undefined. */
function exploreOptionProblem(scenario: Scenario, options: InputOptions): string | undefined {
  if (options.explore === true) {
    const problem = exploreProblem(scenario);
    if (problem !== undefined) return `--explore: ${problem.message}`;
  }
  if (options.exploreBudget !== undefined && scenario.explore === undefined) {
    return "--explore-budget needs a scenario that explores schedules (explore:) or --explore";
  }
  if (options.shard !== undefined && options.iteration !== undefined) {
    return "--shard and --iteration do not go together: --iteration already names one iteration";
  }
  return undefined;
}

/** Why the command-line options do not fit the scenario, or undefined. */
function optionProblem(scenario: Scenario, options: InputOptions): string | undefined {
  const mutant = options.mutant ?? scenario.target.mutant;
  const where = options.mutant !== undefined ? "--mutant" : "target.mutant";
  if (options.mutant !== undefined && scenario.target.kind !== "reference") {
    return `--mutant only applies to the reference target (target kind is "${scenario.target.kind}")`;
  }
  if (mutant !== undefined && !(MUTANT_NAMES as readonly string[]).includes(mutant)) {
    return `${where}: unknown mutant "${mutant}" (known: ${MUTANT_NAMES.join(", ")})`;
  }
  const sweepCases = scenario.sweep?.length;
  if (
    sweepCases !== undefined && options.iterations !== undefined &&
    options.iterations !== sweepCases
  ) {
    return `--iterations: a sweep runs exactly one iteration per case (${sweepCases})`;
  }
  const total = options.iterations ?? scenario.iterations;
  if (options.iteration !== undefined && options.iteration >= total) {
    return `--iteration ${options.iteration} does not exist (the scenario runs ${total})`;
  }
  return undefined;
}

/**
 * Why the strace backend cannot take the rules some process of some planned
 * iteration carries together (each rule alone was checked at load), or
 * undefined. Planning is pure and cheap, so every iteration is planned here,
 * before anything is spawned.
 */
function backendProblem(scenario: Scenario, options: InputOptions): string | undefined {
  if (scenario.target.backend !== "strace") return undefined;
  const sized: Scenario = {
    ...scenario,
    seed: options.seed ?? scenario.seed,
    iterations: options.iterations ?? scenario.iterations,
  };
  const context = straceContext(scenario.target, "/repo", "/trace");
  for (let i = 0; i < sized.iterations; i++) {
    for (const process of planIteration(sized, i).processes) {
      try {
        const plan = planStrace(process.rules, context);
        if (!plan.walTraced && process.publish.some((e) => e.point === "catalog.commit")) {
          return `iteration ${i}, process ${process.index}: another process waits for its ` +
            `"after catalog.commit", which its trace cannot show: a lock rule on openat/unlink ` +
            `stops the WAL from being traced (move one of the two to another process)`;
        }
        const witness = scenario.witnesses.find((w) =>
          w.process === process.index && w.at === "catalog.commit"
        );
        if (!plan.walTraced && witness !== undefined) {
          return `iteration ${i}, process ${process.index}: ${witness.id} counts its catalog ` +
            `commits, which its trace cannot show: a lock rule on openat/unlink stops the WAL ` +
            `from being traced (witness another process, or move the lock rule)`;
        }
      } catch (error) {
        if (error instanceof UnsupportedRuleError) {
          return `iteration ${i}, process ${process.index}: ${error.message}`;
        }
        throw error;
      }
    }
  }
  return undefined;
}
