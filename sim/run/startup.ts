/**
 * Measuring the target's start-up once per run, solo, before the workload:
 * `init` on a scratch repo, then one `extension list` timed, through the
 * scenario's backend (a shim with no rules), so the measure includes what
 * the shim costs. The default process time limit is derived from it
 * (`scenario/limits.ts`). Within one simulator process the measure is kept
 * per target and backend, so the mutant matrix measures once; a long series
 * of runs forgets it between runs ({@link forgetStartupMeasures}).
 *
 * @module
 */

import type { ResolvedTarget } from "../scenario/load.ts";
import { SCENARIO_LIMITS } from "../scenario/schema.ts";
import { prepareShim } from "./backend.ts";
import type { Cleanup } from "./cleanup.ts";
import { runProcess, wallMs } from "./process.ts";
import { swampArgv } from "./swamp_argv.ts";
import { type RunContext, spawnSpec } from "./target.ts";
import { createWorkspace } from "./workspace.ts";

/** What the measure showed. */
export type StartupMeasure =
  | {
    ok: true;
    opMs: number;
    /** Whether the measure was taken by an earlier run of this process and kept. */
    kept: boolean;
  }
  | { ok: false; reason: string };

const measured = new Map<string, StartupMeasure>();

/** What identifies a target's start-up (a mutant does not change it). */
function keyOf(target: ResolvedTarget): string {
  return JSON.stringify([
    target.kind,
    target.entry,
    target.config,
    target.denoFlags,
    target.argv,
    target.backend,
  ]);
}

/**
 * Forgets every measure, so the next run measures its target again: a
 * tool that runs scenario after scenario for long (`deno task fidelity`)
 * calls it before each run, so the derived limit reflects the machine's load
 * when that run starts, not the load of an hour earlier.
 */
export function forgetStartupMeasures(): void {
  measured.clear();
}

/**
 * The wall time of one `extension list` of `target` on a fresh repo, run
 * solo through its backend; measured once per target in this process.
 */
export async function measureStartup(
  target: ResolvedTarget,
  run: RunContext,
  cleanup: Cleanup,
): Promise<StartupMeasure> {
  const key = keyOf(target);
  const known = measured.get(key);
  if (known !== undefined) return known.ok ? { ...known, kept: true } : known;
  const result = await measureOnce(target, run, cleanup);
  measured.set(key, result);
  return result;
}

async function measureOnce(
  target: ResolvedTarget,
  run: RunContext,
  cleanup: Cleanup,
): Promise<StartupMeasure> {
  const ws = await createWorkspace(cleanup, "startup");
  const limitMs = SCENARIO_LIMITS.processTimeoutMsMax;
  try {
    const init = await runProcess(
      cleanup,
      spawnSpec(target, ws, run, swampArgv({ op: "init" }, ws.repoDir), { backend: "none" }),
      limitMs,
    );
    if (init.exitCode !== 0) {
      return { ok: false, reason: `init exited ${init.exitCode ?? init.signal}` };
    }
    const shim = await prepareShim(target, ws, {
      key: "startup",
      process: 0,
      op: "list",
      rules: [],
      publish: [],
      interrupted: () => cleanup.interrupted !== undefined,
      holdLimitMs: () => limitMs,
    });
    const spec = spawnSpec(target, ws, run, swampArgv({ op: "list" }, ws.repoDir), shim.use);
    const startMs = wallMs();
    const list = await shim.around(() => runProcess(cleanup, spec, limitMs));
    const opMs = wallMs() - startMs;
    if (list.exitCode !== 0) {
      return { ok: false, reason: `extension list exited ${list.exitCode ?? list.signal}` };
    }
    return { ok: true, opMs, kept: false };
  } finally {
    await cleanup.removeDir(ws.root);
  }
}
