/**
 * Shim backends as the runner sees them: before a process starts, turn its
 * rules into a {@link ShimUse} (a config file for preload, strace arguments
 * for strace); after it exited, read its events back in one shape.
 *
 * @module
 */

import type { FaultEvent } from "../../faults/event.ts";
import { readEventLog } from "../../faults/event.ts";
import { writeShimConfig } from "../../faults/preload/command.ts";
import {
  eventMarkerPath,
  type PublishedEvent,
  SHIM_CONFIG_FORMAT,
  type ShimRule,
} from "../../faults/rule.ts";
import { buildStraceCommand, planStrace, type StraceContext } from "../../faults/strace/command.ts";
import { followTrace, type LockPauseRecord } from "../../faults/strace/follow.ts";
import { readStraceEvents } from "../../faults/strace/parse.ts";
import { holdStart } from "./start_gate.ts";
import { wallMs } from "./process.ts";
import type { OpKind } from "../../faults/vocabulary.ts";
import type { ResolvedTarget } from "../scenario/load.ts";
import type { ShimUse } from "./target.ts";
import type { Workspace } from "./workspace.ts";

/** One process's shim, prepared. */
export interface PreparedShim {
  use: ShimUse;
  /**
   * Runs the process (`run` spawns it and waits) with whatever the backend
   * does around it. Under strace: a pause at `process.start` holds the spawn
   * (`start_gate.ts`), then `followTrace()` (`faults/strace/follow.ts`)
   * holds the lock for a bounded contend, resumes the process's stops and
   * announces the events other processes wait for. Otherwise just `run()`.
   */
  around<T>(run: () => Promise<T>): Promise<T>;
  /** Reads the process's events once it exited. */
  readEvents(): Promise<{ events: FaultEvent[]; truncated: number; capped: boolean }>;
}

/** What the backend needs to know about one process. */
export interface ShimRequest {
  /** A label unique in the iteration, e.g. `run-7`. */
  key: string;
  process: number;
  op: OpKind;
  rules: ShimRule[];
  /** Points this process announces for other processes' pauses. */
  publish: PublishedEvent[];
  /** Whether the run is being interrupted or the iteration failed (a held start stops waiting). */
  interrupted: () => boolean;
  /** The longest a held start may wait now: the process's time limit and the run's time left. */
  holdLimitMs: () => number;
}

function runAsIs<T>(run: () => Promise<T>): Promise<T> {
  return run();
}

/** The strace context of a workspace; `tracePath` per process. */
export function straceContext(
  target: ResolvedTarget,
  repoDir: string,
  tracePath: string,
): StraceContext {
  return { repoDir, patterns: target.patterns, tracePath };
}

/** Prepares the shim of one process with the target's backend. */
export async function prepareShim(
  target: ResolvedTarget,
  ws: Workspace,
  request: ShimRequest,
): Promise<PreparedShim> {
  switch (target.backend) {
    case "none":
      if (request.rules.length > 0) {
        throw new Error(
          `prepareShim(): backend "none" cannot apply ${request.rules.length} rule(s)`,
        );
      }
      return {
        use: { backend: "none" },
        around: runAsIs,
        readEvents: () => Promise.resolve({ events: [], truncated: 0, capped: false }),
      };
    case "preload": {
      const eventsPath = `${ws.controlDir}/${request.key}.events.jsonl`;
      const configPath = `${ws.controlDir}/${request.key}.shim.json`;
      await writeShimConfig(configPath, {
        format: SHIM_CONFIG_FORMAT,
        process: request.process,
        op: request.op,
        eventsPath,
        controlDir: ws.controlDir,
        patterns: target.patterns,
        rules: request.rules,
        ...(request.publish.length === 0 ? {} : { publish: request.publish }),
      });
      return {
        use: { backend: "preload", configPath },
        around: runAsIs,
        readEvents: async () => {
          return await readEventLog(eventsPath);
        },
      };
    }
    case "strace": {
      const context = straceContext(target, ws.repoDir, `${ws.controlDir}/${request.key}.strace`);
      const plan = planStrace(request.rules, context);
      const startPause = plan.startPause;
      let startEvent: FaultEvent | undefined;
      const lockPauses: LockPauseRecord[] = [];
      const publish = request.publish.length === 0 ? undefined : {
        process: request.process,
        publish: request.publish,
        markerPath: (e: PublishedEvent) => eventMarkerPath(ws.controlDir, request.process, e),
      };
      return {
        use: {
          backend: "strace",
          wrap: (argv) => buildStraceCommand(argv, request.rules, context).argv,
        },
        around: async (run) => {
          if (startPause !== undefined) {
            startEvent = await holdStart(
              ws.controlDir,
              request.process,
              startPause,
              request.interrupted,
              request.holdLimitMs(),
            );
          }
          const startedMs = wallMs();
          return await followTrace(plan, run, publish, {
            controlDir: ws.controlDir,
            limitMs: () => Math.max(0, request.holdLimitMs() - (wallMs() - startedMs)),
            stop: request.interrupted,
            onPause: (record) => lockPauses.push(record),
          });
        },
        readEvents: async () => {
          const events = withLockPauses(
            await readStraceEvents(plan, request.process),
            plan.lockPause,
            lockPauses,
          );
          const all = startEvent === undefined
            ? events
            : [{ ...startEvent, pid: events[0]?.pid ?? 0 }, ...events];
          return {
            events: all.map((e, i) => ({ ...e, seq: i + 1 })),
            truncated: 0,
            capped: false,
          };
        },
      };
    }
  }
}

/**
 * The trace's events with each pause after a lock attempt written onto the
 * attempt's `after` event, as the preload shim logs it (action, rule,
 * whether its conditions released it, how long it held).
 */
export function withLockPauses(
  events: readonly FaultEvent[],
  rule: ShimRule | undefined,
  records: readonly LockPauseRecord[],
): FaultEvent[] {
  if (rule === undefined) return [...events];
  return events.map((e) => {
    if (e.point !== "lock.acquire" || e.phase !== "after") return e;
    const record = records.find((r) => r.hit === e.hit);
    if (record === undefined) return e;
    return {
      ...e,
      action: "pause" as const,
      rule: rule.id,
      released: record.released,
      pausedMs: record.pausedMs,
    };
  });
}
