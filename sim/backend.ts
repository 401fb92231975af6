/**
 * Shim backends as the runner sees them: before a process starts, turn its
 * rules into a {@link ShimUse} (a config file for preload, strace arguments
 * for strace); after it exited, read its events back.
 *
 * @module
 */

import { type FaultEvent, parseEventLog } from "../faults/event.ts";
import {
  type PointPatterns,
  SHIM_CONFIG_FORMAT,
  type ShimConfig,
  type ShimRule,
} from "../faults/rule.ts";
import type { OpKind } from "../faults/vocabulary.ts";
import type { ResolvedTarget } from "./scenario.ts";
import type { ShimUse } from "./target.ts";
import type { Workspace } from "./workspace.ts";

/** One process's shim, prepared. */
export interface PreparedShim {
  use: ShimUse;
  /** Reads the process's events once it exited. */
  readEvents(): Promise<{ events: FaultEvent[]; truncated: number }>;
}

/** What the backend needs to know about one process. */
export interface ShimRequest {
  /** A label unique in the iteration, e.g. `run-7`. */
  key: string;
  process: number;
  op: OpKind;
  rules: ShimRule[];
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
        readEvents: () => Promise.resolve({ events: [], truncated: 0 }),
      };
    case "preload":
      return await preparePreload(target.patterns, ws, request);
    case "strace":
      throw new Error("prepareShim(): the strace backend is not available");
  }
}

async function preparePreload(
  patterns: PointPatterns,
  ws: Workspace,
  request: ShimRequest,
): Promise<PreparedShim> {
  const eventsPath = `${ws.controlDir}/${request.key}.events.jsonl`;
  const configPath = `${ws.controlDir}/${request.key}.shim.json`;
  const config: ShimConfig = {
    format: SHIM_CONFIG_FORMAT,
    process: request.process,
    op: request.op,
    eventsPath,
    controlDir: ws.controlDir,
    patterns,
    rules: request.rules,
  };
  await Deno.writeTextFile(configPath, JSON.stringify(config));
  return {
    use: { backend: "preload", configPath },
    readEvents: () => readEventFile(eventsPath),
  };
}

/** Reads and parses an event log; a missing log (the process died before its first event) is empty. */
export async function readEventFile(
  path: string,
): Promise<{ events: FaultEvent[]; truncated: number }> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return { events: [], truncated: 0 };
    throw error;
  }
  return parseEventLog(text, path);
}

/** The file a finished process drops so that pauses waiting on its exit resume. */
export function exitMarkerPath(ws: Workspace, process: number): string {
  return `${ws.controlDir}/exited-${process}`;
}
