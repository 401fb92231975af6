/**
 * Running one target process: spawn, enforce its time limit, collect its
 * output and exit status. The child is tracked by the run's {@link Cleanup}
 * from spawn to exit, so a signal to the simulator kills it too.
 *
 * @module
 */

import type { Cleanup } from "./cleanup.ts";
import { killProcessTree } from "./process_tree.ts";
import type { SpawnSpec } from "./target.ts";

/** What one finished process left. */
export interface ProcessResult {
  pid: number;
  /** Wall clock at spawn, ms with sub-ms precision. */
  invokeMs: number;
  /** Wall clock at exit. */
  completeMs: number;
  exitCode: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  /** Whether the time limit killed it. */
  timedOut: boolean;
}

/** Most bytes of stdout or stderr kept per process; the rest is dropped with a marker. */
export const OUTPUT_BYTES_MAX = 1_000_000;

/** Wall clock with sub-ms precision, comparable across processes (the shim uses the same). */
export function wallMs(): number {
  return performance.timeOrigin + performance.now();
}

function decode(bytes: Uint8Array): string {
  const text = new TextDecoder().decode(bytes.subarray(0, OUTPUT_BYTES_MAX));
  return bytes.length > OUTPUT_BYTES_MAX
    ? `${text}\n[swamp-sim: ${bytes.length - OUTPUT_BYTES_MAX} bytes dropped]`
    : text;
}

/** Spawns `spec`, waits for it (killing its whole tree with SIGKILL at `timeoutMs`), and returns what it left. */
export async function runProcess(
  cleanup: Cleanup,
  spec: SpawnSpec,
  timeoutMs: number,
): Promise<ProcessResult> {
  if (!(timeoutMs > 0)) {
    throw new RangeError(`runProcess() needs a positive timeoutMs, got ${timeoutMs}`);
  }
  cleanup.assertRunning();
  const command = new Deno.Command(spec.command, {
    args: spec.args,
    env: spec.env,
    clearEnv: true,
    cwd: spec.cwd,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  });
  const invokeMs = wallMs();
  const child = command.spawn();
  cleanup.trackChild(child);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    killProcessTree(child.pid);
  }, timeoutMs);
  try {
    const output = await child.output();
    const completeMs = wallMs();
    return {
      pid: child.pid,
      invokeMs,
      completeMs,
      exitCode: output.signal === null ? output.code : null,
      signal: output.signal,
      stdout: decode(output.stdout),
      stderr: decode(output.stderr),
      timedOut,
    };
  } finally {
    clearTimeout(timer);
    cleanup.untrackChild(child);
  }
}
