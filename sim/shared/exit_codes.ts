/**
 * The simulator's exit codes, one per failure class, so CI and scripts can
 * branch on them.
 *
 * @module
 */

/**
 * Exit codes of `deno task sim`. Across iterations the worst wins, in the
 * order target (3) > invariant (1) > vacuous (5) > pass (0); see
 * {@link worseExit}.
 */
export const EXIT = {
  /** Every iteration met every expectation. */
  pass: 0,
  /** An invariant was violated (or a documented violation did not show). */
  invariant: 1,
  /** Bad input: the scenario file or the command line. Nothing was spawned. */
  badInput: 2,
  /** The target misbehaved: hung, died of a foreign signal, or rejected its argv. */
  target: 3,
  /** The simulator itself failed: set-up, I/O, a run time limit, a broken assumption. */
  harness: 4,
  /**
   * Vacuous: every expectation was met, but a witness did not show, so the
   * race the scenario pins did not happen and the pass proves nothing.
   */
  vacuous: 5,
  /** Interrupted by SIGINT. */
  sigint: 130,
  /** Interrupted by SIGTERM. */
  sigterm: 143,
} as const;

/** The order failure exit codes win in across iterations: a higher rank wins. */
const RANK: Readonly<Record<number, number>> = {
  [EXIT.pass]: 0,
  [EXIT.vacuous]: 1,
  [EXIT.invariant]: 2,
  [EXIT.target]: 3,
};

/** The exit code of two iterations' codes (each pass, vacuous, invariant or target). */
export function worseExit(a: number, b: number): number {
  return (RANK[b] ?? 0) > (RANK[a] ?? 0) ? b : a;
}
