/**
 * Engine benchmark: the wall time of one iteration of the 50-process
 * no-fault stress scenario through the simulator, against a naive harness
 * that does the same set-up, spawns the same 50 processes bare with
 * `Promise.all`, and runs the same final checks; measured alternately in one
 * run. Also the time of the pure invariant check over that history.
 *
 * @module
 */

import { Cleanup } from "../sim/run/cleanup.ts";
import { denoDir } from "../sim/run/deno_dir.ts";
import { checkInvariants } from "../sim/check/invariants/mod.ts";
import { lockEntries } from "../sim/record/layers.ts";
import { planIteration } from "../sim/scenario/plan.ts";
import { startRegistry } from "../sim/run/registry.ts";
import { runAndCheck } from "../sim/drive/iteration.ts";
import { loadScenario, type OpSpec, type Scenario } from "../sim/scenario/load.ts";
import { takeSnapshot } from "../sim/record/snapshot.ts";
import { swampArgv } from "../sim/run/swamp_argv.ts";
import { type RunContext, spawnSpec } from "../sim/run/target.ts";
import { createWorkspace } from "../sim/run/workspace.ts";
import { type BenchTable, median } from "./table.ts";

const SCENARIO = new URL("../scenarios/lifecycle-stress.yaml", import.meta.url).pathname;

async function spawnBare(
  scenario: Scenario,
  run: RunContext,
  ws: Awaited<ReturnType<typeof createWorkspace>>,
  op: OpSpec | { op: "init" },
) {
  const spec = spawnSpec(scenario.target, ws, run, swampArgv(op, ws.repoDir), { backend: "none" });
  const out = await new Deno.Command(spec.command, {
    args: spec.args,
    env: spec.env,
    clearEnv: true,
    cwd: spec.cwd,
    stdout: "piped",
    stderr: "piped",
  }).output();
  return out;
}

/** The naive harness: set-up, Promise.all of the same 50 bare spawns, the same final checks. */
async function naiveIteration(
  scenario: Scenario,
  run: RunContext,
  cleanup: Cleanup,
  iteration: number,
): Promise<number> {
  const start = performance.now();
  const ws = await createWorkspace(cleanup, "bench-naive");
  try {
    await spawnBare(scenario, run, ws, { op: "init" });
    for (const ref of scenario.fixture.installed) {
      await spawnBare(scenario, run, ws, { op: "pull", ref });
    }
    await spawnBare(scenario, run, ws, { op: "list" });
    const initialSnapshot = await takeSnapshot(ws.repoDir);
    const entries = lockEntries(initialSnapshot);
    const initial = entries.ok
      ? Object.fromEntries(Object.entries(entries.entries).map(([n, e]) => [n, e.version]))
      : {};
    const plan = planIteration(scenario, iteration);
    await Promise.all(plan.processes.map((p) => spawnBare(scenario, run, ws, p.op)));
    const snapshot = await takeSnapshot(ws.repoDir);
    checkInvariants({
      phase: "run",
      snapshot,
      history: { scenario: scenario.name, seed: scenario.seed, iteration, ops: [] },
      fixture: scenario.fixture.spec,
      typeConflict: false,
      initial,
      outcomes: scenario.expect.afterRun.outcomes ?? {},
      expect: {},
      t0Ms: 0,
    });
    return performance.now() - start;
  } finally {
    await cleanup.removeDir(ws.root);
  }
}

/** Runs the engine benchmark. */
export async function benchEngine(options: { samples?: number } = {}): Promise<BenchTable> {
  const samples = options.samples ?? 5;
  const scenario = await loadScenario(SCENARIO);
  const cleanup = new Cleanup();
  const registry = await startRegistry(scenario.fixture.spec);
  const run: RunContext = {
    denoPath: Deno.execPath(),
    denoDir: await denoDir(),
    registryUrl: registry.url,
    registryPort: registry.port,
  };
  const sim: number[] = [];
  const naive: number[] = [];
  const check: number[] = [];
  try {
    // Warm-up: one of each, not timed.
    await naiveIteration(scenario, run, cleanup, 0);
    await runAndCheck(scenario, planIteration(scenario, 0), {
      cleanup,
      run,
      keep: false,
      deadlineMs: Infinity,
    });
    for (let i = 0; i < samples; i++) {
      const iteration = i % scenario.iterations;
      naive.push(await naiveIteration(scenario, run, cleanup, iteration));
      const start = performance.now();
      const result = await runAndCheck(scenario, planIteration(scenario, iteration), {
        cleanup,
        run,
        keep: false,
        deadlineMs: Infinity,
      });
      sim.push(performance.now() - start);
      check.push(result.checkMs);
    }
  } finally {
    await registry.close();
    await cleanup.dispose();
  }
  const naiveMs = median(naive);
  return {
    title: "engine: one iteration of the 50-process no-fault stress scenario",
    baseline: "naive harness",
    rows: [
      {
        name: "naive harness (Promise.all of 50 bare spawns + checks)",
        medianMs: naiveMs,
        samples,
      },
      {
        name: "swamp-sim iteration (preload shim, history, checks)",
        medianMs: median(sim),
        samples,
        ratio: median(sim) / naiveMs,
        target: 1.2,
      },
      {
        name: "invariant check over the iteration's history",
        medianMs: median(check),
        samples,
        target: 50,
        unit: "ms",
      },
    ],
    notes: [
      `scenario ${
        SCENARIO.slice(SCENARIO.lastIndexOf("/") + 1)
      }, ${samples} alternating samples after one warm-up each`,
      "both include the same set-up (init, 3 pulls, list) and the same snapshot + invariant checks",
    ],
  };
}
