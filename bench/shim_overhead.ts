/**
 * What the shim backends cost a target op when no rule fires: the median wall
 * time of one reference op run bare, under the preload shim, and under strace,
 * measured interleaved in one run (each sample runs the three candidates in a
 * rotating order, after one warm-up run each).
 *
 * @module
 */

import { buildPreloadCommand, writeShimConfig } from "../faults/preload/command.ts";
import { DEFAULT_PATTERNS } from "../faults/rule.ts";
import { buildStraceCommand } from "../faults/strace/command.ts";
import { openReferenceWorkspace, runCommand, testShimConfig } from "../faults/testing.ts";
import { type BenchRow, type BenchTable, median } from "./table.ts";

/** Options of {@link benchShimOverhead}. */
export interface ShimOverheadOptions {
  /** Timed runs per candidate and op (default 10). */
  samples?: number;
}

/** Highest acceptable preload/bare ratio. */
export const PRELOAD_RATIO_MAX = 1.10;

const SAMPLES_DEFAULT = 25;
const SAMPLES_MAX = 1_000;
const CANDIDATES = ["bare", "preload", "strace"] as const;

/**
 * Runs the benchmark: `extension list` and `extension pull --force` of one
 * fixture extension, each bare, under the preload shim with no rules and
 * under strace with no rules.
 *
 * @example
 * ```ts
 * import { formatTable } from "./table.ts";
 * console.log(formatTable(await benchShimOverhead({ samples: 5 })));
 * ```
 */
export async function benchShimOverhead(options: ShimOverheadOptions = {}): Promise<BenchTable> {
  const samples = options.samples ?? SAMPLES_DEFAULT;
  if (!Number.isInteger(samples) || samples < 1 || samples > SAMPLES_MAX) {
    throw new Error(
      `Cannot bench with samples "${samples}": must be an integer in 1..${SAMPLES_MAX}`,
    );
  }
  const ws = await openReferenceWorkspace();
  try {
    const setup = await ws.run("extension", "pull", "@fix/alpha");
    if (setup.code !== 0) throw new Error(`Cannot set up the bench repo: ${setup.stderr}`);
    const configPath = `${ws.dir}/bench.shim.json`;
    await writeShimConfig(configPath, testShimConfig(ws.dir, [], { op: "list" }));
    const ops: Array<[string, string[]]> = [
      ["list", ["extension", "list"]],
      ["pull", ["extension", "pull", "@fix/alpha", "--force"]],
    ];
    const rows: BenchRow[] = [];
    for (const [label, args] of ops) {
      const bare = ws.argv(...args);
      const preload = buildPreloadCommand(bare, configPath);
      const argvs: Record<
        (typeof CANDIDATES)[number],
        { argv: string[]; env: Record<string, string> }
      > = {
        bare: { argv: bare, env: ws.env },
        preload: { argv: preload.argv, env: { ...ws.env, ...preload.env } },
        strace: {
          argv: buildStraceCommand(bare, [], {
            repoDir: ws.repo,
            patterns: DEFAULT_PATTERNS,
            tracePath: `${ws.dir}/bench.strace`,
          }).argv,
          env: ws.env,
        },
      };
      const wallMs: Record<string, number[]> = { bare: [], preload: [], strace: [] };
      for (let sample = -1; sample < samples; sample++) {
        for (let i = 0; i < CANDIDATES.length; i++) {
          const candidate = CANDIDATES[(i + Math.max(sample, 0)) % CANDIDATES.length];
          const run = await runCommand(argvs[candidate].argv, { env: argvs[candidate].env });
          if (run.code !== 0) {
            throw new Error(
              `Cannot bench "${label} (${candidate})": exit ${run.code}: ${run.stderr}`,
            );
          }
          if (sample >= 0) wallMs[candidate].push(run.wallMs);
        }
      }
      const bareMs = median(wallMs.bare);
      for (const candidate of CANDIDATES) {
        const medianMs = median(wallMs[candidate]);
        rows.push({
          name: `${label} (${candidate})`,
          medianMs,
          samples,
          ratio: medianMs / bareMs,
          target: candidate === "preload" ? PRELOAD_RATIO_MAX : undefined,
        });
      }
    }
    return {
      title: "Shim overhead (reference op, no rule firing)",
      baseline: "list (bare)",
      rows,
      notes: [
        "ratio: against the same op's bare row; candidates interleaved in one run, 1 warm-up each",
        "preload: deno run --preload faults/preload/shim.bundle.js, empty rule set, events logged",
        "strace: strace -f --seccomp-bpf -P <lock> -P <wal>, no inject expression",
      ],
    };
  } finally {
    await ws.close();
  }
}

if (import.meta.main) {
  const { formatTable } = await import("./table.ts");
  console.log(formatTable(await benchShimOverhead()));
}
