/**
 * A pause at `process.start` applied by the simulator instead of a shim:
 * the process is not spawned until the pause's conditions hold (the
 * processes it waits for exited, the events it waits for were announced) or
 * its timeout passed. The strace backend has no syscall at a process's own
 * start, so this is how it pauses there; the result is logged as the event
 * the preload shim would have logged.
 *
 * @module
 */

import type { FaultEvent } from "../../faults/event.ts";
import { PAUSE_POLL_MS, pauseReleased, type ShimRule } from "../../faults/rule.ts";
import { wallMs } from "./process.ts";

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Waits until `rule`'s pause may end, its timeout or `limitMs` (the
 * process's own time limit) passed, or `stop()` says the run is ending;
 * returns the `process.start` event of the wait.
 */
export async function holdStart(
  controlDir: string,
  process: number,
  rule: ShimRule,
  stop: () => boolean,
  limitMs: number,
): Promise<FaultEvent> {
  const action = rule.action;
  if (action.kind !== "pause" || rule.at !== "process.start") {
    throw new Error(`holdStart() needs a pause at process.start, got ${action.kind} at ${rule.at}`);
  }
  const startMs = wallMs();
  const waitMs = Math.min(action.timeoutMs, limitMs);
  let released = pauseReleased(controlDir, action, exists);
  while (!released && !stop() && wallMs() - startMs < waitMs) {
    await new Promise((resolve) => setTimeout(resolve, PAUSE_POLL_MS));
    released = pauseReleased(controlDir, action, exists);
  }
  return {
    seq: 0,
    process,
    pid: 0,
    point: "process.start",
    phase: "before",
    hit: 1,
    action: "pause",
    rule: rule.id,
    released,
    pausedMs: Math.round((wallMs() - startMs) * 1000) / 1000,
    atMs: startMs,
  };
}
