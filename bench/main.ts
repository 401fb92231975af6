/**
 * `deno task bench`: every benchmark section, each measuring its candidates
 * side by side in one run and printing ratios against its baseline.
 * `--only <section>` runs one section; `--samples <n>` overrides the sample
 * count; `--json` prints the tables as JSON.
 *
 * @module
 */

import { benchEngine } from "./engine.ts";
import { benchLinearizability } from "./linearizability.ts";
import { benchReferenceOps } from "./reference_ops.ts";
import { benchShimOverhead } from "./shim_overhead.ts";
import { type BenchTable, formatTable, meetsTarget } from "./table.ts";

type Section = (options: { samples?: number }) => Promise<BenchTable>;

/** Every section, in run order. */
const SECTIONS: Readonly<Record<string, Section>> = {
  reference: benchReferenceOps,
  shim: benchShimOverhead,
  engine: benchEngine,
  linearizability: benchLinearizability,
};

async function main(argv: string[]): Promise<number> {
  const only = argv.includes("--only") ? argv[argv.indexOf("--only") + 1] : undefined;
  const samplesArg = argv.includes("--samples")
    ? Number(argv[argv.indexOf("--samples") + 1])
    : undefined;
  const json = argv.includes("--json");
  const all = SECTIONS;
  if (only !== undefined && !(only in all)) {
    console.error(`Unknown section "${only}" (known: ${Object.keys(all).join(", ")})`);
    return 2;
  }
  const tables: BenchTable[] = [];
  for (const [name, run] of Object.entries(all)) {
    if (only !== undefined && name !== only) continue;
    const table = await run({ samples: samplesArg });
    tables.push(table);
    if (!json) console.log(`${formatTable(table)}\n`);
  }
  if (json) console.log(JSON.stringify(tables, null, 2));
  const missed = tables.flatMap((t) =>
    t.rows.filter((r) => !meetsTarget(r)).map((r) => `${t.title}: ${r.name}`)
  );
  if (missed.length > 0) {
    console.error(`targets missed:\n  ${missed.join("\n  ")}`);
    return 1;
  }
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
