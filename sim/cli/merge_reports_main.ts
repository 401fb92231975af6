/**
 * `deno task merge-reports [--out <dir>] <report-dir>...`: merges the report
 * dirs of the shards of one run (`--shard i/n`) into one `summary.json` and
 * one `junit.xml` (`report/merge.ts`), prints what they add up to and exits
 * with the worst shard's exit code.
 *
 * @module
 */

import { EXIT } from "../shared/exit_codes.ts";
import { exploreSummaryLines } from "../report/console.ts";
import type { ExploreSummary } from "../report/explore_summary.ts";
import { asShardSummary, mergeJunit, mergeSummaries, type ShardReport } from "../report/merge.ts";

const USAGE = `Usage: deno task merge-reports [--out <dir>] <report-dir>...

Merges the report dirs of the shards of one run (deno task sim ... --shard i/n)
into one summary.json and one junit.xml, written to --out (default: the first
dir's path with "-merged" instead of its shard suffix).`;

async function readShard(dir: string): Promise<ShardReport> {
  const summaryPath = `${dir}/summary.json`;
  let text: string;
  try {
    text = await Deno.readTextFile(summaryPath);
  } catch (error) {
    throw new Error(`${summaryPath}: cannot read it (${(error as Error).message})`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`${summaryPath}: not JSON (${(error as Error).message})`);
  }
  const junit = await Deno.readTextFile(`${dir}/junit.xml`).catch(() => "");
  return { dir, summary: asShardSummary(value, summaryPath), junit };
}

async function main(argv: string[]): Promise<number> {
  if (argv.includes("-h") || argv.includes("--help")) {
    console.log(USAGE);
    return EXIT.pass;
  }
  let out: string | undefined;
  const dirs: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--out") out = argv[++i];
    else if (argv[i].startsWith("--out=")) out = argv[i].slice("--out=".length);
    else if (argv[i].startsWith("-")) {
      console.error(`error: Unknown option "${argv[i]}" (see --help)`);
      return EXIT.badInput;
    } else dirs.push(argv[i].replace(/\/+$/, ""));
  }
  if (dirs.length === 0 || out === "") {
    console.error(
      `error: ${dirs.length === 0 ? "Missing the report dirs" : "--out needs a path"} (see --help)`,
    );
    return EXIT.badInput;
  }
  let shards: ShardReport[];
  let merged: Record<string, unknown>;
  try {
    shards = await Promise.all(dirs.map(readShard));
    merged = mergeSummaries(shards);
  } catch (error) {
    console.error(`error: ${(error as Error).message}`);
    return EXIT.badInput;
  }
  const target = out ?? `${dirs[0].replace(/-shard-\d+-of-\d+$/, "")}-merged`;
  await Deno.mkdir(target, { recursive: true });
  await Deno.writeTextFile(`${target}/summary.json`, `${JSON.stringify(merged, null, 2)}\n`);
  const name = String(shards[0].summary.options.scenario ?? "swamp-sim");
  await Deno.writeTextFile(`${target}/junit.xml`, mergeJunit(name, shards.map((s) => s.junit)));
  const iterations = (merged.iterations as unknown[]).length;
  console.log(
    `merged ${shards.length} report dir(s): ${merged.passed}/${iterations} iterations passed, exit ${merged.exitCode}`,
  );
  if (merged.replay !== undefined) console.log(`reproduce with: ${merged.replay}`);
  if (merged.explore !== undefined) {
    exploreSummaryLines(merged.explore as ExploreSummary).forEach((line) => console.log(line));
  }
  console.log(`report: ${target}/summary.json, ${target}/junit.xml`);
  return merged.exitCode as number;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
