/**
 * The start-up probe of a swamp checkout: before anything else of a run
 * (registry, set-up, workload), the target is started once, alone, as
 * `<target> --version`, with the same argv, permissions and environment as
 * every process of the run, without a shim. A checkout that cannot start
 * (a missing or broken module, a permission the derived flags lack, a cache
 * Deno cannot fill) is refused there with one line, instead of failing every
 * set-up op of every iteration as a harness error.
 *
 * @module
 */

import type { Cleanup } from "./cleanup.ts";
import { type ProcessResult, runProcess } from "./process.ts";
import type { RunContext } from "./target.ts";
import { spawnSpec } from "./target.ts";
import { createWorkspace } from "./workspace.ts";
import type { ResolvedTarget } from "../scenario/load.ts";

/** Longest the probe may take: a cold Deno cache downloads swamp's npm packages first. */
export const PROBE_TIMEOUT_MS = 120_000;

/** Most characters of the target's output quoted in a refusal. */
export const PROBE_QUOTE_CHARS_MAX = 300;

/** What the probe found. */
export type ProbeResult =
  | {
    ok: true;
    /** The first line the target printed (swamp: `swamp <version>`). */
    version: string;
    /** Wall time of the probe, ms. */
    durationMs: number;
  }
  | { ok: false; problem: string };

/** The name of a target in a refusal. */
function targetName(target: ResolvedTarget): string {
  return target.kind === "swamp" ? `swamp checkout ${target.checkout}` : `target ${target.kind}`;
}

/** The first non-empty line of `text`, without colour codes, cut to {@link PROBE_QUOTE_CHARS_MAX}. */
function firstLine(text: string): string {
  // deno-lint-ignore no-control-regex
  const line = text.replace(/\x1b\[[0-9;]*m/g, "").split("\n").map((l) => l.trim())
    .find((l) => l !== "") ?? "";
  return line.length > PROBE_QUOTE_CHARS_MAX ? `${line.slice(0, PROBE_QUOTE_CHARS_MAX)}...` : line;
}

/**
 * The probe's verdict on a finished `--version` run of `target` (pure): ok
 * with the version line when it exited 0, else one line saying why it
 * cannot start.
 */
export function probeVerdict(
  target: ResolvedTarget,
  result: ProcessResult,
  timeoutMs: number,
): ProbeResult {
  const durationMs = Math.round(result.completeMs - result.invokeMs);
  if (result.exitCode === 0 && !result.timedOut) {
    return { ok: true, version: firstLine(result.stdout), durationMs };
  }
  const how = result.timedOut
    ? `did not finish within ${timeoutMs / 1000} s`
    : result.signal !== null
    ? `was killed by ${result.signal}`
    : `exited with code ${result.exitCode}`;
  const said = firstLine(result.stderr) || firstLine(result.stdout);
  return {
    ok: false,
    problem: `${targetName(target)} cannot start: \`${
      target.entry?.slice(target.entry.lastIndexOf("/") + 1) ?? "target"
    } --version\` ${how}${said === "" ? " and printed nothing" : `: ${said}`}`,
  };
}

/**
 * Starts `target` once as `--version` in a workspace of its own (removed
 * by `cleanup`) and judges the run. `run` needs no registry: the probe never
 * reaches one.
 */
export async function probeTarget(
  target: ResolvedTarget,
  run: RunContext,
  cleanup: Cleanup,
  timeoutMs = PROBE_TIMEOUT_MS,
): Promise<ProbeResult> {
  const ws = await createWorkspace(cleanup, "probe");
  try {
    const spec = spawnSpec(target, ws, run, ["--version"], { backend: "none" });
    return probeVerdict(target, await runProcess(cleanup, spec, timeoutMs), timeoutMs);
  } finally {
    await cleanup.removeDir(ws.root);
  }
}
