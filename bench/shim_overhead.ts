/**
 * What the shim backends cost a target op when no rule fires: one reference
 * op run bare, under the preload shim, and under strace, measured
 * interleaved in one run (each sample round runs the three candidates back to
 * back in a rotating order, after one warm-up run each).
 *
 * The ratio is paired: the median over rounds of (candidate / bare) within
 * the same round. On a 2-core machine a run takes about 30 ms or about 40 ms
 * depending on what else the machine does; candidates of one round share
 * that state, so the paired ratio cancels it where a ratio of medians
 * swings by as much as the shim costs (0.91x-1.06x for an EMPTY preload at
 * 25 samples, probed). The medians are printed as measured.
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
  /** Timed runs per candidate and op (default {@link SHIM_SAMPLES_DEFAULT}). */
  samples?: number;
}

/** Highest acceptable preload/bare ratio. */
export const PRELOAD_RATIO_MAX = 1.10;

/** Sample rounds per op by default: the paired ratio's 5-95% spread is then about +-0.02x (probed). */
export const SHIM_SAMPLES_DEFAULT = 61;
const SAMPLES_MAX = 1_000;
const CANDIDATES = ["bare", "preload", "strace"] as const;

/** The median over rounds of `candidateMs[i] / baselineMs[i]` (both measured in round i). */
export function pairedRatio(candidateMs: readonly number[], baselineMs: readonly number[]): number {
  if (candidateMs.length !== baselineMs.length || candidateMs.length === 0) {
    throw new Error(
      `pairedRatio() needs equal, non-empty sample lists, got ${candidateMs.length} and ${baselineMs.length}`,
    );
  }
  return median(candidateMs.map((ms, i) => ms / baselineMs[i]));
}

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
  const samples = options.samples ?? SHIM_SAMPLES_DEFAULT;
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
      for (const candidate of CANDIDATES) {
        rows.push({
          name: `${label} (${candidate})`,
          medianMs: median(wallMs[candidate]),
          samples,
          ratio: pairedRatio(wallMs[candidate], wallMs.bare),
          target: candidate === "preload" ? PRELOAD_RATIO_MAX : undefined,
        });
      }
    }
    return {
      title: "Shim overhead (reference op, no rule firing)",
      baseline: "list (bare)",
      rows,
      notes: [
        "ratio: median over sample rounds of (candidate / bare) run back to back in the same round",
        "candidates interleaved in one run, rotating order, 1 warm-up each",
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
