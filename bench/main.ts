/**
 * `deno task bench`: every benchmark section, each measuring its candidates
 * side by side in one run and printing ratios against its baseline.
 * `--only <section>` runs one section; `--samples <n>` overrides the sample
 * count; `--json` prints the tables as JSON. The `explore` section runs only
 * with `--only explore` (it takes tens of minutes); `--budget <n>` sets its
 * iterations per candidate, `--case <text>` picks its cases by name and
 * `--target <file>` runs them on another target (a swamp checkout's target
 * block), without the mutant cases.
 *
 * @module
 */

import { benchEngine } from "./engine.ts";
import { benchExplore } from "./explore.ts";
import { benchLinearizability } from "./linearizability.ts";
import { benchReferenceOps } from "./reference_ops.ts";
import { benchShimOverhead } from "./shim_overhead.ts";
import { type BenchTable, formatTable, meetsTarget } from "./table.ts";

type Section = (
  options: {
    samples?: number;
    budget?: number;
    caseFilter?: string;
    targetFile?: string;
    replays?: number;
  },
) => Promise<BenchTable>;

/** Every section, in run order. */
const SECTIONS: Readonly<Record<string, Section>> = {
  reference: benchReferenceOps,
  shim: benchShimOverhead,
  engine: benchEngine,
  explore: benchExplore,
  linearizability: benchLinearizability,
};

/** Sections that run only when named with `--only` (they take tens of minutes). */
const ON_DEMAND: readonly string[] = ["explore"];

async function main(argv: string[]): Promise<number> {
  const only = argv.includes("--only") ? argv[argv.indexOf("--only") + 1] : undefined;
  const samplesArg = argv.includes("--samples")
    ? Number(argv[argv.indexOf("--samples") + 1])
    : undefined;
  const json = argv.includes("--json");
  const budget = argv.includes("--budget") ? Number(argv[argv.indexOf("--budget") + 1]) : undefined;
  if (budget !== undefined && !(Number.isInteger(budget) && budget >= 1 && budget <= 10_000)) {
    console.error(`--budget needs an iteration count 1..10000`);
    return 2;
  }
  const caseFilter = argv.includes("--case") ? argv[argv.indexOf("--case") + 1] : undefined;
  const targetFile = argv.includes("--target") ? argv[argv.indexOf("--target") + 1] : undefined;
  const replays = argv.includes("--replays")
    ? Number(argv[argv.indexOf("--replays") + 1])
    : undefined;
  if (replays !== undefined && !(Number.isInteger(replays) && replays >= 1 && replays <= 100)) {
    console.error(`--replays needs a count 1..100`);
    return 2;
  }
  const all = SECTIONS;
  if (only !== undefined && !(only in all)) {
    console.error(`Unknown section "${only}" (known: ${Object.keys(all).join(", ")})`);
    return 2;
  }
  const tables: BenchTable[] = [];
  for (const [name, run] of Object.entries(all)) {
    if (only !== undefined ? name !== only : ON_DEMAND.includes(name)) continue;
    const table = await run({ samples: samplesArg, budget, caseFilter, targetFile, replays });
    tables.push(table);
    if (!json) console.log(`${formatTable(table)}\n`);
  }
  if (json) console.log(JSON.stringify(tables, null, 2));
  const missed = tables.flatMap((t) => [
    ...t.rows.filter((r) => !meetsTarget(r)).map((r) => `${t.title}: ${r.name}`),
    ...(t.failedTargets ?? []).map((name) => `${t.title}: ${name}`),
  ]);
  if (missed.length > 0) {
    console.error(`targets missed:\n  ${missed.join("\n  ")}`);
    return 1;
  }
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
