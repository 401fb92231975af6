/**
 * The simulator's exit codes, one per failure class, so CI and scripts can
 * branch on them.
 *
 * @module
 */

/** Exit codes of `deno task sim`. */
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
  /** Interrupted by SIGINT. */
  sigint: 130,
  /** Interrupted by SIGTERM. */
  sigterm: 143,
} as const;
