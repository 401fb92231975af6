/**
 * One iteration end to end: the run stage records it (`runIteration()`),
 * the check stage judges the record (`checkIteration()`). Everything that
 * runs iterations (`simulate()`, a shrink's candidates, the benchmarks)
 * goes through here.
 *
 * @module
 */

import { checkIteration, type IterationResult } from "../check/iteration.ts";
import type { Plan } from "../scenario/plan.ts";
import type { Scenario } from "../scenario/load.ts";
import { type IterationOptions, runIteration } from "../run/runner.ts";

/** Runs one iteration of `scenario` as `plan` says, then checks and judges what it recorded. */
export async function runAndCheck(
  scenario: Scenario,
  plan: Plan,
  options: IterationOptions,
): Promise<IterationResult> {
  const record = await runIteration(scenario, plan, options);
  return checkIteration(scenario, plan, record);
}
