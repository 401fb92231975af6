/**
 * The history of one iteration: every op a target process ran (set-up,
 * workload, recovery), in Jepsen's style: an invocation, then exactly one
 * completion of type ok, fail or info, with what the process printed and the
 * shim's events. Append-only while the iteration runs; read by the checker.
 *
 * @module
 */

import type { FaultEvent } from "../../faults/event.ts";
import type { ShimRule } from "../../faults/rule.ts";
import type { Outcome, OutcomeType } from "../shared/outcome.ts";
import type { OpSpec } from "../scenario/load.ts";

/** Where in the iteration an op ran. */
export type HistoryPhase = "setup" | "run" | "recovery";

/**
 * An op as the history records it: a workload op, `init` during set-up, or
 * `remove-stale-lock`, the by-hand recovery action swamp leaves to operators.
 */
export type HistoryOpSpec = OpSpec | { op: "init" } | { op: "remove-stale-lock" };

/** One op of one process, invoked and completed. */
export interface HistoryOp {
  /** Process index within its phase, from 0 (labelled `s0`, `p0`, `r0` by phase). */
  process: number;
  phase: HistoryPhase;
  op: HistoryOpSpec;
  /** The full argv that ran, backend wrapper included. */
  argv: string[];
  pid?: number;
  /** Wall clock (ms, sub-ms precision) at spawn. */
  invokeMs: number;
  /** Wall clock at exit (or at the kill, for a crash or time-out). */
  completeMs: number;
  exitCode: number | null;
  signal: string | null;
  outcome: Outcome;
  stdout: string;
  stderr: string;
  /** The JSON documents the process printed on stdout. */
  json: unknown[];
  /** The shim's events for this process. */
  events: FaultEvent[];
  /** Event lines lost to a torn last write (a kill mid-append). */
  eventsTruncated: number;
  /**
   * Set when the shim stopped logging at `LIMITS.eventsPerProcessMax` events:
   * later points of the process are missing from `events`.
   */
  eventsCapped?: true;
  /** The fault rules the process carried. */
  rules: ShimRule[];
  /** The time limit the process ran under, ms (absent for the simulator's own steps). */
  limitMs?: number;
}

/** The history of one iteration. */
export interface History {
  scenario: string;
  seed: number;
  iteration: number;
  ops: HistoryOp[];
}

/** One line of the history in Jepsen's flat form. */
export interface JepsenEntry {
  type: "invoke" | OutcomeType;
  process: number;
  phase: HistoryPhase;
  f: string;
  value: unknown;
  timeMs: number;
  class?: string;
}

/** The op's name and argument, as Jepsen's `f` and `value`. */
function fAndValue(op: HistoryOpSpec): { f: string; value: unknown } {
  switch (op.op) {
    case "pull":
      return { f: "pull", value: op.ref };
    case "rm":
      return { f: "rm", value: op.name };
    case "update":
      return { f: "update", value: op.name ?? null };
    case "doctor":
      return { f: op.repair ? "doctor-repair" : "doctor", value: null };
    default:
      return { f: op.op, value: null };
  }
}

/** The history as Jepsen's flat list: invocations and completions sorted by time. */
export function toJepsen(history: History): JepsenEntry[] {
  const entries: JepsenEntry[] = [];
  for (const op of history.ops) {
    const { f, value } = fAndValue(op.op);
    entries.push({
      type: "invoke",
      process: op.process,
      phase: op.phase,
      f,
      value,
      timeMs: op.invokeMs,
    });
    entries.push({
      type: op.outcome.type,
      process: op.process,
      phase: op.phase,
      f,
      value,
      timeMs: op.completeMs,
      class: op.outcome.class,
    });
  }
  return entries.sort((a, b) => a.timeMs - b.timeMs || (a.type === "invoke" ? -1 : 1));
}

const PHASE_PREFIX: Readonly<Record<HistoryPhase, string>> = {
  setup: "s",
  run: "p",
  recovery: "r",
};

/** The label of an op's process, e.g. `p7` (`s` set-up, `r` recovery). */
export function processLabel(op: Pick<HistoryOp, "process" | "phase">): string {
  return `${PHASE_PREFIX[op.phase]}${op.process}`;
}

/** An op in words, e.g. `pull @fix/alpha`. */
export function opText(op: HistoryOpSpec): string {
  const { f, value } = fAndValue(op);
  return `${f}${value === null ? "" : ` ${value}`}`;
}

/** A one-line human label of an op, e.g. `p7 pull @fix/alpha` (`s` set-up, `r` recovery). */
export function opLabel(op: Pick<HistoryOp, "process" | "op" | "phase">): string {
  return `${processLabel(op)} ${opText(op.op)}`;
}
