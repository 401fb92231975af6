/**
 * Deterministic per-hit decisions for rules that carry a seed (a probability,
 * a delay range). The planner draws each rule's seed from the scenario's one
 * seeded stream; the shim then maps (seed, hit number) to a value with this
 * pure hash, so the same plan fires on the same hits in every replay.
 *
 * @module
 */

import type { ShimAction, ShimHit } from "./rule.ts";

/** A uniform value in [0, 1) for (seed, hit): a splitmix32-style finaliser. */
export function hitUnit(seed: number, hit: number): number {
  let z = (seed ^ Math.imul(hit, 0x9e3779b9)) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x21f0aaad) >>> 0;
  z = Math.imul(z ^ (z >>> 15), 0x735a2d97) >>> 0;
  z = (z ^ (z >>> 15)) >>> 0;
  return z / 0x1_0000_0000;
}

/** Whether a rule with this selector fires on hit number `hit` (from 1). */
export function hitFires(selector: ShimHit, hit: number, action: ShimAction): boolean {
  if ("every" in selector) return true;
  if ("nth" in selector) {
    if (action.kind === "contend") {
      return hit >= selector.nth && hit < selector.nth + action.attempts;
    }
    return hit === selector.nth;
  }
  return hitUnit(selector.seed, hit) < selector.probability;
}

/** The delay a delay action takes on hit number `hit`. */
export function delayFor(action: Extract<ShimAction, { kind: "delay" }>, hit: number): number {
  if ("delayMs" in action) return action.delayMs;
  const span = action.delayMsMax - action.delayMsMin + 1;
  return action.delayMsMin + Math.floor(hitUnit(action.seed, hit) * span);
}
