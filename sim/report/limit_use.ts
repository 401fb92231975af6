/**
 * How close each op came to its time limit: its duration over the limit it
 * ran under. A run whose ops use most of their limit is one load away from
 * a time-out, so the console shows each iteration's closest op and the JSON
 * result every op's ratio. Pure.
 *
 * @module
 */

import { type History, processLabel } from "../record/history.ts";

/** One op's use of its time limit. */
export interface OpLimitUse {
  /** The op's process label, e.g. `p3` (`s` set-up, `r` recovery). */
  op: string;
  durationMs: number;
  limitMs: number;
  /** `durationMs / limitMs`, 3 decimals. */
  ratio: number;
}

/** Every op's use of its limit, and the op that came closest. */
export interface LimitUse {
  ops: OpLimitUse[];
  closest?: OpLimitUse;
}

/** The limit use of an iteration's ops (those run under a limit). */
export function limitUse(history: Pick<History, "ops">): LimitUse {
  const ops: OpLimitUse[] = [];
  for (const op of history.ops) {
    if (op.limitMs === undefined || !(op.limitMs > 0)) continue;
    const durationMs = Math.max(0, op.completeMs - op.invokeMs);
    ops.push({
      op: processLabel(op),
      durationMs: Math.round(durationMs),
      limitMs: op.limitMs,
      ratio: Math.round((durationMs / op.limitMs) * 1000) / 1000,
    });
  }
  const closest = ops.reduce<OpLimitUse | undefined>(
    (best, o) => best === undefined || o.ratio > best.ratio ? o : best,
    undefined,
  );
  return { ops, ...(closest === undefined ? {} : { closest }) };
}

/** The closest op in words, e.g. `p3 used 12% of its 60 s limit`. */
export function closestText(use: LimitUse): string | undefined {
  const c = use.closest;
  if (c === undefined) return undefined;
  return `${c.op} used ${Math.round(c.ratio * 100)}% of its ${
    Math.round(c.limitMs / 100) / 10
  } s limit`;
}
