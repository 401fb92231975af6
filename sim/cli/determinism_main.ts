/**
 * `deno task determinism`: runs every scenario of the library with
 * `--repeat <k>` (default 3) and prints, per scenario, how many distinct
 * history shapes its iterations showed. A pinned scenario (the default)
 * must show one per iteration; one that declares `deterministic: false`
 * samples schedules on purpose and is listed for information. Exits 1 when a
 * pinned scenario is not deterministic or any run fails. `--json` prints
 * the rows. Progress goes to stderr as for the mutant matrix
 * (`report/progress.ts`): a line per scenario with `[done/total]` and the
 * time left, and a heartbeat while a long one (crash-sweep) runs.
 *
 * @module
 */

import { REPEAT_MAX } from "../check/determinism.ts";
import { EXIT } from "../shared/exit_codes.ts";
import { libraryScenarios } from "../drive/matrix.ts";
import { simulate } from "../drive/simulate.ts";
import { formatDuration, progressOnStderr } from "../report/progress.ts";

/** One scenario's determinism. */
export interface DeterminismRow {
  scenario: string;
  pinned: boolean;
  iterations: number;
  /** Most distinct history shapes one iteration showed. */
  distinctMax: number;
  exitCode: number;
  durationMs: number;
  /** The first difference seen, if any. */
  difference?: string;
}

/** The parsed command line, or the problem with it. */
export function parseDeterminismArgs(
  argv: readonly string[],
): { json: boolean; repeat: number } | { problem: string } {
  let json = false;
  let repeat = 3;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--json") {
      json = true;
    } else if (a === "--repeat") {
      const value = argv[++i];
      repeat = Number(value);
      if (value === undefined || !/^\d+$/.test(value) || repeat < 2 || repeat > REPEAT_MAX) {
        return {
          problem: `--repeat needs an integer from 2 to ${REPEAT_MAX}, got "${value ?? ""}"`,
        };
      }
    } else {
      return {
        problem: `unknown argument "${a}" (usage: deno task determinism [--repeat k] [--json])`,
      };
    }
  }
  return { json, repeat };
}

async function main(argv: string[]): Promise<number> {
  const args = parseDeterminismArgs(argv);
  if ("problem" in args) {
    console.error(`error: ${args.problem}`);
    return EXIT.badInput;
  }
  const { json, repeat } = args;
  const reportRoot = await Deno.makeTempDir({ prefix: "swamp-sim-determinism-" });
  const rows: DeterminismRow[] = [];
  const files = await libraryScenarios();
  const progress = progressOnStderr(files.length);
  try {
    for (const file of files) {
      const name = file.slice(file.lastIndexOf("/") + 1);
      progress.start(name);
      const started = performance.now();
      const result = await simulate({
        scenario: file,
        repeat,
        reportDir: `${reportRoot}/${rows.length}`,
        log: () => {},
      });
      const iterations = (result.json.iterations ?? []) as Array<{
        determinism?: { distinct: number; difference?: string };
      }>;
      const reports = iterations.map((i) => i.determinism).filter((d) => d !== undefined);
      const row: DeterminismRow = {
        scenario: file.slice(file.lastIndexOf("/") + 1),
        pinned: result.scenario?.deterministic ?? true,
        iterations: iterations.length,
        distinctMax: Math.max(0, ...reports.map((d) => d.distinct)),
        exitCode: result.exitCode,
        durationMs: Math.round(performance.now() - started),
        ...(reports.find((d) => d.difference)?.difference === undefined
          ? {}
          : { difference: reports.find((d) => d.difference)?.difference }),
      };
      rows.push(row);
      progress.finish(
        name,
        `${row.iterations} iteration(s) x ${repeat} runs, at most ${row.distinctMax} distinct, exit ${row.exitCode} (${
          formatDuration(row.durationMs)
        })`,
        row.exitCode !== EXIT.pass,
      );
    }
  } finally {
    progress.stop();
    await Deno.remove(reportRoot, { recursive: true });
  }
  const bad = rows.filter((r) => r.exitCode !== EXIT.pass);
  if (json) {
    console.log(JSON.stringify({ repeat, rows }, null, 2));
  } else {
    const width = Math.max(...rows.map((r) => r.scenario.length));
    console.log(`${"scenario".padEnd(width)}  pinned  iterations  distinct(max)  exit`);
    for (const r of rows) {
      console.log(
        `${r.scenario.padEnd(width)}  ${(r.pinned ? "yes" : "no").padEnd(6)}  ${
          String(r.iterations).padEnd(10)
        }  ${String(r.distinctMax).padEnd(13)}  ${r.exitCode}`,
      );
      if (r.difference !== undefined) console.log(`${"".padEnd(width)}  ${r.difference}`);
    }
    console.log(
      bad.length === 0
        ? `every pinned scenario left one history shape per iteration over ${repeat} runs`
        : `not deterministic or failing: ${bad.map((r) => r.scenario).join(", ")}`,
    );
  }
  return bad.length === 0 ? EXIT.pass : EXIT.invariant;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
