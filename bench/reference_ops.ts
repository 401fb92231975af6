/**
 * Start-up cost of the reference target: the median wall time of each
 * lifecycle op (pull, update, list, rm) run as its own `deno run` process,
 * against a bare `deno run` of an empty script, measured interleaved in one
 * run (one cycle = bare, pull, update, list, rm, back to an empty repo).
 * Target: each op at most 4x the bare baseline.
 *
 * @module
 */

import { join } from "node:path";
import { startRegistry } from "../sim/run/registry.ts";
import type { FixtureSpec } from "../sim/scenario/fixture.ts";
import { type BenchRow, type BenchTable, median } from "./table.ts";

/** Options of {@link benchReferenceOps}. */
export interface ReferenceOpsOptions {
  /** Timed cycles (after warm-up); default 10. */
  samples?: number;
  /** Untimed cycles first; default 2. */
  warmupCycles?: number;
}

/** The highest acceptable ratio of an op to the bare baseline. */
export const REFERENCE_OP_RATIO_MAX = 4;

const SAMPLES_MAX = 1000;

const MAIN_PATH = new URL("../reference/main.ts", import.meta.url).pathname;

const RUN_FLAGS = ["--allow-read", "--allow-write", "--allow-env", "--allow-net", "--allow-sys"];

const SPEC: FixtureSpec = {
  extensions: [{
    name: "@bench/alpha",
    versions: [{ version: "2026.01.01.1" }, { version: "2026.01.02.1" }],
  }],
};

async function timeRun(args: string[], env: Record<string, string>, cwd: string): Promise<number> {
  const startMs = performance.now();
  const result = await new Deno.Command(Deno.execPath(), {
    args,
    env,
    cwd,
    stdout: "null",
    stderr: "piped",
  }).output();
  const wallMs = performance.now() - startMs;
  if (!result.success) {
    throw new Error(
      `Bench run failed: "deno ${args.join(" ")}" exited ${result.code}: ${
        new TextDecoder().decode(result.stderr).trim()
      }`,
    );
  }
  return wallMs;
}

/** Measures the reference ops against a bare `deno run`. */
export async function benchReferenceOps(options: ReferenceOpsOptions = {}): Promise<BenchTable> {
  const samples = options.samples ?? 25;
  const warmupCycles = options.warmupCycles ?? 2;
  if (!Number.isInteger(samples) || samples < 1 || samples > SAMPLES_MAX) {
    throw new Error(`Invalid samples "${samples}": expected an integer in 1..${SAMPLES_MAX}`);
  }
  const workDir = await Deno.makeTempDir({ prefix: "swamp_sim_bench_ref_" });
  const registry = await startRegistry(SPEC);
  try {
    const repoDir = join(workDir, "repo");
    const emptyScript = join(workDir, "empty.ts");
    await Deno.writeTextFile(emptyScript, "\n");
    const env = { SWAMP_CLUB_URL: registry.url, SWAMP_REF_MUTANT: "", SWAMP_NO_TELEMETRY: "1" };
    const op = (
      ...args: string[]
    ) => ["run", ...RUN_FLAGS, MAIN_PATH, ...args, "--json", "--repo-dir", repoDir];
    await timeRun(op("init"), env, workDir);
    const cycle: Array<[string, string[]]> = [
      ["bare deno run", ["run", emptyScript]],
      ["pull (reference)", op("extension", "pull", "@bench/alpha@2026.01.01.1")],
      ["update (reference)", op("extension", "update")],
      ["list (reference)", op("extension", "list")],
      ["rm (reference)", op("extension", "rm", "@bench/alpha")],
    ];
    const times = new Map<string, number[]>(cycle.map(([name]) => [name, []]));
    for (let round = 0; round < warmupCycles + samples; round++) {
      for (const [name, args] of cycle) {
        const wallMs = await timeRun(args, env, workDir);
        if (round >= warmupCycles) times.get(name)?.push(wallMs);
      }
    }
    const baselineMs = median(times.get("bare deno run") ?? []);
    const rows: BenchRow[] = cycle.map(([name]) => {
      const medianMs = median(times.get(name) ?? []);
      return name === "bare deno run"
        ? { name, medianMs, samples, ratio: 1 }
        : { name, medianMs, samples, ratio: medianMs / baselineMs, target: REFERENCE_OP_RATIO_MAX };
    });
    return {
      title: "Reference target op start-up",
      baseline: "bare deno run",
      rows,
      notes: [
        "each op is one `deno run` process against a loopback fixture registry, measured interleaved",
        "cycle: bare, pull @bench/alpha@2026.01.01.1, update (to 2026.01.02.1), list, rm",
      ],
    };
  } finally {
    await registry.close();
    await Deno.remove(workDir, { recursive: true });
  }
}
