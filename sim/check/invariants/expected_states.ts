/**
 * `expected-states`: each extension the scenario names is, in each layer
 * (files, lockfile, catalog), in one of the states the scenario allows for
 * this phase. This is how a scenario pins down the window a crash leaves.
 *
 * @module
 */

import { formatLayerState, layerMatches, layerState } from "../../record/layers.ts";
import { invalid, type Invariant, valid } from "./verdict.ts";

/** Layer states match the scenario's allowed states. */
export const expectedStates: Invariant = {
  id: "expected-states",
  check(ctx) {
    const states = ctx.expect.states;
    if (states === undefined || Object.keys(states).length === 0) {
      return valid("The scenario declares no states for this phase.");
    }
    const problems: string[] = [];
    const seen: string[] = [];
    for (const [name, allowed] of Object.entries(states)) {
      const observed = layerState(ctx.snapshot, name);
      const ok = allowed.some((a) =>
        (a.files === undefined || layerMatches(observed.files, a.files)) &&
        (a.lockfile === undefined || layerMatches(observed.lockfile, a.lockfile)) &&
        (a.catalog === undefined || layerMatches(observed.catalog, a.catalog))
      );
      seen.push(`${name}: ${formatLayerState(observed)}`);
      if (!ok) {
        const wanted = allowed.map((a) => Object.entries(a).map(([k, v]) => `${k}=${v}`).join(" "))
          .join(" | ");
        problems.push(`${name} is ${formatLayerState(observed)}, not one of: ${wanted}`);
      }
    }
    if (problems.length > 0) {
      return invalid(`${problems.join("; ")}.`, { entries: Object.keys(states) });
    }
    return valid(`${seen.join("; ")}.`, { entries: Object.keys(states) });
  },
};
