/**
 * The default time limit of a target process, derived from the target
 * itself: an op of a target that needs 2 s to start cannot share a limit
 * with one that needs 0.2 s, and fifty processes on two cores each take far
 * longer than one alone. A scenario's own `limits.processTimeoutMs` always
 * wins. Pure.
 *
 * The rule: `factor` x (one op of the target, run solo before the workload)
 * x (processes per core, at least 1), at least {@link PROCESS_LIMIT_RULE}'s
 * floor and at most its ceiling (and never above the run's limit).
 *
 * @module
 */

import { SCENARIO_LIMITS } from "./schema.ts";

/** The constants of the derived process time limit. */
export const PROCESS_LIMIT_RULE = {
  /** Headroom over the op's measured time scaled by the load: scheduling, I/O, pauses. */
  factor: 4,
  /** Never below the former fixed default. */
  floorMs: 60_000,
  /** Never above what a scenario may ask for. */
  ceilingMs: SCENARIO_LIMITS.processTimeoutMsMax,
} as const;

/** What the derived limit was computed from. */
export interface LimitBasis {
  /** Wall time of one op of the target run solo (`extension list` on a fresh repo). */
  startupMs: number;
  /** Processes of the workload, which run at once. */
  processes: number;
  /** CPU cores of the machine. */
  cores: number;
  /** The run's own limit: no process may outlive it. */
  runTimeoutMs: number;
}

/** The derived default process time limit, with the arithmetic in words. */
export function derivedProcessTimeout(basis: LimitBasis): { ms: number; rule: string } {
  const { startupMs, processes, cores, runTimeoutMs } = basis;
  if (!(startupMs >= 0 && processes >= 1 && cores >= 1)) {
    throw new RangeError(
      `derivedProcessTimeout() needs startupMs >= 0, processes >= 1, cores >= 1; got ${startupMs}, ${processes}, ${cores}`,
    );
  }
  const perCore = Math.max(1, processes / cores);
  const raw = Math.ceil(PROCESS_LIMIT_RULE.factor * startupMs * perCore);
  const ms = Math.min(
    runTimeoutMs,
    Math.max(PROCESS_LIMIT_RULE.floorMs, Math.min(PROCESS_LIMIT_RULE.ceilingMs, raw)),
  );
  const bound = ms === runTimeoutMs && raw > runTimeoutMs
    ? `, cut to limits.runTimeoutMs`
    : raw < PROCESS_LIMIT_RULE.floorMs
    ? `, raised to the floor ${PROCESS_LIMIT_RULE.floorMs} ms`
    : raw > PROCESS_LIMIT_RULE.ceilingMs
    ? `, cut to the ceiling ${PROCESS_LIMIT_RULE.ceilingMs} ms`
    : "";
  return {
    ms,
    rule: `${PROCESS_LIMIT_RULE.factor} x ${Math.round(startupMs)} ms solo op x ${
      perCore.toFixed(1)
    } process(es) per core = ${raw} ms${bound}`,
  };
}
