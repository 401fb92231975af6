/**
 * Events: one JSON line per point hit and phase, appended by the shim to its
 * process's event log, and read back by the simulator into the history.
 *
 * @module
 */

import { type ActionKind, isPhase, isPoint, type Phase, type Point } from "./vocabulary.ts";

/** What the shim did at a point: nothing, or one action kind. */
export type ActionTaken = "none" | ActionKind;

/** One point hit at one phase, as logged by a shim. */
export interface FaultEvent {
  /** Per-process sequence number, from 1. */
  seq: number;
  /** Process index in the plan. */
  process: number;
  /** OS process id of the target. */
  pid: number;
  point: Point;
  phase: Phase;
  /** Hit number of this point in this process, from 1 (before and after share it). */
  hit: number;
  /** What the shim did. */
  action: ActionTaken;
  /** Id of the rule that fired (e.g. `faults[2]`), when one did. */
  rule?: string;
  /** Delay taken, for `delay`. */
  delayMs?: number;
  /** Error raised, for `error` and `contend`. */
  error?: string;
  /** Path or URL the step touched, when it has one. */
  target?: string;
  /** For `after`: whether the step itself threw. */
  threw?: boolean;
  /** For `pause`: whether every awaited process exited (true) or the timeout passed (false). */
  released?: boolean;
  /** For `pause`: how long the process stayed parked. */
  pausedMs?: number;
  /** Wall clock in ms with sub-ms precision (`performance.timeOrigin + performance.now()`). */
  atMs: number;
}

/** Environment variable naming the event log, for backends that log outside the shim config. */
export const EVENTS_ENV = "SWAMP_SIM_EVENTS";

/**
 * The last line a shim writes once a process reached
 * `LIMITS.eventsPerProcessMax` events; nothing is logged after it.
 */
export interface EventCapLine {
  capped: true;
  /** Sequence number the next event would have had. */
  seq: number;
  process: number;
  pid: number;
  /** The limit that was hit. */
  limit: number;
  atMs: number;
}

/**
 * Parses an event log. A truncated last line (a process killed mid-append) is
 * dropped and counted; a cap line ({@link EventCapLine}) sets `capped`; any
 * other malformed line throws with its line number.
 */
export function parseEventLog(
  text: string,
  source: string,
): { events: FaultEvent[]; truncated: number; capped: boolean } {
  const events: FaultEvent[] = [];
  let truncated = 0;
  let capped = false;
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.trim() === "") continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      if (i === lines.length - 1) {
        truncated++;
        continue;
      }
      throw new Error(
        `Cannot parse event log "${source}": line ${i + 1}: ${(error as Error).message}`,
      );
    }
    if (typeof value === "object" && value !== null && (value as EventCapLine).capped === true) {
      capped = true;
      continue;
    }
    const event = value as FaultEvent;
    if (!isPoint(event.point) || !isPhase(event.phase) || typeof event.seq !== "number") {
      throw new Error(`Cannot parse event log "${source}": line ${i + 1}: not an event`);
    }
    events.push(event);
  }
  return { events, truncated, capped };
}

/**
 * Reads and parses the event log at `path` (see {@link parseEventLog}); a
 * log that does not exist (the process never hit a point, or never started)
 * reads as empty.
 */
export async function readEventLog(
  path: string,
): Promise<{ events: FaultEvent[]; truncated: number; capped: boolean }> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return { events: [], truncated: 0, capped: false };
    throw error;
  }
  return parseEventLog(text, path);
}
