/**
 * The mutant matrix: every scenario of the library against the clean
 * reference (all iterations: each must pass, i.e. fail only where the
 * scenario documents an expected violation) and against every mutant (the
 * first iteration at the scenario's own seed: a failure there is a
 * detection). Runs scenarios through `simulate()` like any user run.
 *
 * @module
 */

import { MUTANT_NAMES } from "../../reference/mutants.ts";
import { EXIT } from "../shared/exit_codes.ts";
import { simulate } from "./simulate.ts";
import { taskLauncher } from "../report/replay.ts";

/** The clean reference's column name. */
export const CLEAN = "clean";

/** One scenario x variant run. */
export interface MatrixCell {
  scenario: string;
  /** `clean` or a mutant name. */
  variant: string;
  exitCode: number;
  /** Wall time of the run, ms. */
  durationMs: number;
  /** Invariants (with phase) that did not meet their expectation. */
  failed: string[];
  /** The command that replays the run. */
  replay: string;
}

/** Options of a matrix run. */
export interface MatrixOptions {
  /** Scenario files (default: every `scenarios/*.yaml`). */
  scenarios?: string[];
  /** Variants (default: clean and every mutant). */
  variants?: string[];
  /** Runs in flight at once (default 2). */
  concurrency?: number;
  /** Called when a cell starts, with the number of cells in the matrix, for progress. */
  onStart?: (cell: { scenario: string; variant: string; total: number }) => void;
  /** Called after each cell, for progress. */
  onCell?: (cell: MatrixCell) => void;
}

/** Every scenario file of the library, sorted. */
export async function libraryScenarios(
  dir = new URL("../../scenarios/", import.meta.url).pathname,
): Promise<string[]> {
  const files: string[] = [];
  for await (const e of Deno.readDir(dir)) {
    if (e.isFile && e.name.endsWith(".yaml")) files.push(`${dir}${e.name}`);
  }
  return files.sort();
}

/** Whether a cell detected its mutant (a mutant run that did not pass). */
export function detected(cell: MatrixCell): boolean {
  return cell.variant !== CLEAN && cell.exitCode !== EXIT.pass;
}

/** A scenario's name in the matrix: its file name without `.yaml`. */
export function scenarioName(file: string): string {
  return file.slice(file.lastIndexOf("/") + 1).replace(/\.yaml$/, "");
}

async function runCell(scenario: string, variant: string, reportRoot: string): Promise<MatrixCell> {
  const name = scenarioName(scenario);
  const mutant = variant === CLEAN ? undefined : variant;
  const start = performance.now();
  const result = await simulate({
    scenario,
    mutant,
    iteration: mutant === undefined ? undefined : 0,
    reportDir: `${reportRoot}/${name}-${variant}`,
    log: () => {},
  });
  const failed = result.results.flatMap((r) =>
    r.judgements.filter((j) => !j.pass).map((j) => `${j.verdict.invariant} (${j.verdict.phase})`)
  );
  const replay = typeof result.json.replay === "string"
    ? result.json.replay
    : `${taskLauncher()} task sim ${scenario}${
      mutant === undefined ? "" : ` --iteration 0 --mutant ${mutant}`
    }`;
  return {
    scenario: name,
    variant,
    exitCode: result.exitCode,
    durationMs: performance.now() - start,
    failed: [...new Set(failed)],
    replay,
  };
}

/** Runs the matrix; cells come back in (scenario, variant) order. */
export async function runMatrix(options: MatrixOptions = {}): Promise<MatrixCell[]> {
  const scenarios = options.scenarios ?? await libraryScenarios();
  const variants = options.variants ?? [CLEAN, ...MUTANT_NAMES];
  const concurrency = options.concurrency ?? 2;
  if (!(concurrency >= 1 && concurrency <= 16)) {
    throw new RangeError(`runMatrix() needs concurrency 1..16, got ${concurrency}`);
  }
  const jobs = scenarios.flatMap((s) => variants.map((v) => ({ s, v })));
  const cells: MatrixCell[] = new Array(jobs.length);
  const reportRoot = await Deno.makeTempDir({ prefix: "swamp-sim-matrix-" });
  try {
    let next = 0;
    const worker = async () => {
      while (next < jobs.length) {
        const index = next++;
        options.onStart?.({
          scenario: scenarioName(jobs[index].s),
          variant: jobs[index].v,
          total: jobs.length,
        });
        const cell = await runCell(jobs[index].s, jobs[index].v, reportRoot);
        cells[index] = cell;
        options.onCell?.(cell);
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, jobs.length) }, worker));
  } finally {
    await Deno.remove(reportRoot, { recursive: true });
  }
  return cells;
}

/** Renders the matrix as a table: scenarios down, variants across; a mutant cell shows its time to detection. */
export function formatMatrix(cells: readonly MatrixCell[]): string {
  const scenarios = [...new Set(cells.map((c) => c.scenario))];
  const variants = [...new Set(cells.map((c) => c.variant))];
  const cellText = (c: MatrixCell | undefined): string => {
    if (c === undefined) return "";
    const s = `${(c.durationMs / 1000).toFixed(1)}s`;
    if (c.variant === CLEAN) return c.exitCode === EXIT.pass ? `pass ${s}` : `FAIL(${c.exitCode})`;
    return detected(c) ? `caught ${s}` : "-";
  };
  const header = ["scenario", ...variants];
  const rows = scenarios.map((
    s,
  ) => [
    s,
    ...variants.map((v) => cellText(cells.find((c) => c.scenario === s && c.variant === v))),
  ]);
  const caught = variants.map((v) =>
    v === CLEAN
      ? `${
        cells.filter((c) => c.variant === v && c.exitCode === EXIT.pass).length
      }/${scenarios.length} pass`
      : `${cells.filter((c) => c.variant === v && detected(c)).length} catch`
  );
  rows.push(["(total)", ...caught]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const fmt = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd();
  return [fmt(header), fmt(widths.map((w) => "-".repeat(w))), ...rows.map(fmt)].join("\n");
}

/** Mutants no scenario caught. */
export function uncaughtMutants(cells: readonly MatrixCell[]): string[] {
  const variants = [...new Set(cells.map((c) => c.variant))].filter((v) => v !== CLEAN);
  return variants.filter((v) => !cells.some((c) => c.variant === v && detected(c)));
}
