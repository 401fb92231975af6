/**
 * What one run of an iteration recorded, before anything is checked: the
 * history, the lockfile versions the set-up left, the workload's t0, the
 * repo's three layers after the run and after recovery, and the run's wall
 * time. The run stage writes it; the check stage reads it and nothing else.
 *
 * @module
 */

import type { History } from "./history.ts";
import type { Snapshot } from "./snapshot.ts";

/** What one run of an iteration recorded. */
export interface RunRecord {
  /** Set-up, run and recovery ops, in that order. */
  history: History;
  /** Per extension, the lockfile version the set-up left. */
  initial: Record<string, string>;
  /** The workload's start (ms since epoch); each process starts at its offset from it. */
  t0Ms: number;
  /** The repo once every process of the workload ended. */
  afterRun: Snapshot;
  /** The repo after the recovery steps; absent when the scenario has none. */
  afterRecovery?: Snapshot;
  /** Wall time of the run: set-up, workload, recovery and snapshots. */
  durationMs: number;
  /** The kept workspace, when the run was asked to keep it. */
  workspace?: string;
}
