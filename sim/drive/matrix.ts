/**
 * The mutant matrix: every scenario of the library against the clean
 * reference (all iterations: each must pass, i.e. fail only where the
 * scenario documents an expected violation) and against every mutant (the
 * first iteration at the scenario's own seed: a failure there is a
 * detection).
 *
 * Only pinned scenarios give verdicts the matrix may require. A scenario
 * that samples schedules on purpose (`deterministic: false`) runs on the
 * clean reference only, and its result is shown as sampled: it never fails
 * the matrix and never counts as catching a mutant, since a verdict that
 * depends on the schedule would make the matrix flaky. A detection is a
 * mutant run that failed an invariant (exit 1) or saw the target misbehave
 * (exit 3); a vacuous run (exit 5) did not get to the race, so it detects
 * nothing. Runs scenarios through `simulate()` like any user run.
 *
 * @module
 */

import { MUTANT_NAMES } from "../../reference/mutants.ts";
import { EXIT } from "../shared/exit_codes.ts";
import { loadScenario } from "../scenario/load.ts";
import { simulate } from "./simulate.ts";
import { taskLauncher } from "../report/replay.ts";

/** The clean reference's column name. */
export const CLEAN = "clean";

/** One scenario x variant run. */
export interface MatrixCell {
  scenario: string;
  /** `clean` or a mutant name. */
  variant: string;
  /** Whether the scenario is pinned (`deterministic`); an unpinned one is only sampled. */
  pinned: boolean;
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

/**
 * Whether a cell detected its mutant: a pinned scenario's mutant run that
 * failed an invariant or saw the target misbehave.
 */
export function detected(cell: MatrixCell): boolean {
  return cell.variant !== CLEAN && cell.pinned &&
    (cell.exitCode === EXIT.invariant || cell.exitCode === EXIT.target);
}

/** The clean cells that fail the matrix: a pinned scenario that did not pass on the clean reference. */
export function cleanFailures(cells: readonly MatrixCell[]): MatrixCell[] {
  return cells.filter((c) => c.variant === CLEAN && c.pinned && c.exitCode !== EXIT.pass);
}

/** A scenario's name in the matrix: its file name without `.yaml`. */
export function scenarioName(file: string): string {
  return file.slice(file.lastIndexOf("/") + 1).replace(/\.yaml$/, "");
}

async function runCell(
  scenario: string,
  variant: string,
  pinned: boolean,
  reportRoot: string,
): Promise<MatrixCell> {
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
    pinned,
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
  const pinned = new Map<string, boolean>();
  for (const s of scenarios) pinned.set(s, (await loadScenario(s)).deterministic);
  // An unpinned scenario runs on the clean reference only: it cannot count as a catch.
  const jobs = scenarios.flatMap((s) =>
    variants.filter((v) => pinned.get(s) || v === CLEAN).map((v) => ({ s, v }))
  );
  const cells: MatrixCell[] = new Array(jobs.length);
  const reportRoot = await Deno.makeTempDir({ prefix: "swamp-sim-matrix-" });
  try {
    let next = 0;
    const worker = async () => {
      while (next < jobs.length) {
        const index = next++;
        const { s, v } = jobs[index];
        options.onStart?.({ scenario: scenarioName(s), variant: v, total: jobs.length });
        const cell = await runCell(s, v, pinned.get(s) ?? true, reportRoot);
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

/**
 * Renders the matrix as a table: scenarios down, variants across; a mutant
 * cell shows its time to detection, an unpinned scenario's row says
 * `sampled` (its mutant runs are `n/a`: not run, they could not count).
 */
export function formatMatrix(cells: readonly MatrixCell[]): string {
  const scenarios = [...new Set(cells.map((c) => c.scenario))];
  const variants = [...new Set(cells.map((c) => c.variant))];
  const pinnedOf = (s: string) => cells.find((c) => c.scenario === s)?.pinned ?? true;
  const cellText = (s: string, c: MatrixCell | undefined): string => {
    if (c === undefined) return pinnedOf(s) ? "" : "n/a";
    const t = `${(c.durationMs / 1000).toFixed(1)}s`;
    if (c.variant === CLEAN) {
      const verdict = c.exitCode === EXIT.pass ? `pass ${t}` : `FAIL(${c.exitCode})`;
      return c.pinned ? verdict : `sampled: ${verdict.toLowerCase()}`;
    }
    return detected(c) ? `caught ${t}` : "-";
  };
  const header = ["scenario", ...variants];
  const rows = scenarios.map((s) => [
    pinnedOf(s) ? s : `${s} (sampled)`,
    ...variants.map((v) => cellText(s, cells.find((c) => c.scenario === s && c.variant === v))),
  ]);
  const pinnedCount = scenarios.filter(pinnedOf).length;
  const caught = variants.map((v) =>
    v === CLEAN
      ? `${
        cells.filter((c) => c.variant === v && c.pinned && c.exitCode === EXIT.pass).length
      }/${pinnedCount} pinned pass`
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
