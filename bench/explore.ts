/**
 * Exploration benchmark: iterations and seconds to the first detection of
 * each known race of the library, started from its workload without its
 * pauses, and of each mutant of the matrix, from an unpinned two-process
 * workload; the explorer (each iteration a schedule drawn from the seed)
 * against plain sampling (the same workload started at once, today's
 * behaviour), side by side in one run with the same iteration budget. Then
 * every schedule the explorer found something with is replayed
 * `--repeat`-style, and its history shapes compared.
 *
 * Target: the explorer finds each within 50 iterations, and plain sampling
 * needs at least 10 times more or does not find it within the budget.
 *
 * @module
 */

import { historyShape } from "../sim/check/determinism.ts";
import type { IterationResult } from "../sim/check/iteration.ts";
import { runAndCheck } from "../sim/drive/iteration.ts";
import { Cleanup } from "../sim/run/cleanup.ts";
import { denoDir } from "../sim/run/deno_dir.ts";
import { type Learned, learnSteps } from "../sim/run/learn.ts";
import { precache } from "../sim/run/precache.ts";
import { startRegistry } from "../sim/run/registry.ts";
import type { IterationOptions } from "../sim/run/runner.ts";
import type { RunContext } from "../sim/run/target.ts";
import { type ResolvedTarget, resolveExplore } from "../sim/scenario/resolve.ts";
import { loadScenario, parseScenario, type Scenario } from "../sim/scenario/load.ts";
import { planIteration } from "../sim/scenario/plan.ts";
import type { BenchTable } from "./table.ts";

/** Iterations each candidate may take (`--budget`). */
export const EXPLORE_BENCH_BUDGET = 500;
/** The explorer must find each case within this many iterations. */
export const EXPLORER_TARGET_ITERATIONS = 50;
/** Plain sampling must need at least this many times the explorer's iterations (or never find it). */
export const PLAIN_FACTOR_TARGET = 10;
/** Runs of each found schedule's replay. */
export const REPLAYS = 20;

const SCENARIOS = new URL("../scenarios/", import.meta.url).pathname;

/** One case: a workload, the mutant it runs under, and what counts as finding it. */
interface BenchCase {
  name: string;
  /** The workload, with `explore:` (the explorer) ; plain sampling drops it. */
  scenario: () => Promise<Scenario>;
  mutant?: string;
  /** Whether an iteration shows what the case looks for. */
  detects: (result: IterationResult) => boolean;
  /**
   * A smaller budget for a case no schedule can show (a crash-state bug
   * whose workload's expectations cannot tell it from the reference), so the
   * section does not spend hours confirming that.
   */
  budgetCap?: number;
}

/** The budget of the crash-state cases (see {@link BenchCase}.budgetCap). */
export const CRASH_STATE_BUDGET = 50;

const invalid = (id: string) => (r: IterationResult) =>
  r.verdicts.some((v) => v.invariant === id && v.phase === "run" && v.status === "invalid");

/** A pinned scenario of the library as an unpinned workload: no faults, witnesses or expectations. */
async function unpinned(file: string, depth: number): Promise<Scenario> {
  const pinned = await loadScenario(`${SCENARIOS}${file}`);
  return {
    ...pinned,
    faults: [],
    recovery: [],
    // The pinned scenario's witnesses name its race; the unpinned workload must find it.
    witnesses: [],
    expect: { afterRun: {}, afterRecovery: {}, typeConflict: pinned.expect.typeConflict },
    deterministic: true,
    explore: resolveExplore({ depth }),
  };
}

/** A library scenario that explores, as it is. */
function library(file: string): () => Promise<Scenario> {
  return () => loadScenario(`${SCENARIOS}${file}`);
}

const TYPE_CONFLICT = `name: bench-type-conflict
proves: Two pulls whose extensions declare one model type; the later one is rolled back.
exploratory: true
seed: 69
fixture:
  registry:
    - name: "@fix/alpha"
      versions:
        - version: 2026.01.01.1
          models: { widget.ts: "@fix/shared/widget" }
    - name: "@fix/beta"
      versions:
        - version: 2026.01.01.1
          models: { widget.ts: "@fix/shared/widget", other.ts: "@fix/beta/other" }
workload:
  processes:
    - { op: pull, ref: "@fix/alpha" }
    - { op: pull, ref: "@fix/beta" }
explore: { depth: 2 }
expect:
  afterRun:
    outcomes:
      pull: [ok, duplicate-type]
`;

const failed = (r: IterationResult) => !r.passed;

/** Every case, races first. */
export const EXPLORE_CASES: readonly BenchCase[] = [
  {
    name: "race: same-extension manifest (pull-same-extension)",
    scenario: () => unpinned("pull-same-extension.yaml", 3),
    detects: (r) =>
      r.history.ops.some((op) =>
        op.phase === "run" && op.outcome.class === "failed" &&
        /NotFound|No such file/.test(op.stderr)
      ),
  },
  {
    name: "race: two-version pulls (pull-two-versions-race)",
    scenario: () => unpinned("pull-two-versions-race.yaml", 2),
    detects: invalid("catalog-lockfile-bijection"),
  },
  {
    name: "race: rm racing update (rm-races-update)",
    scenario: () => unpinned("rm-races-update.yaml", 2),
    detects: (r) => invalid("files-lockfile-match")(r) && invalid("catalog-lockfile-bijection")(r),
  },
  {
    name: "race: lost update (lockfile-lost-update, lockfile-unlocked-write)",
    scenario: () => unpinned("lockfile-lost-update.yaml", 2),
    mutant: "lockfile-unlocked-write",
    detects: failed,
  },
  ...[
    "lockfile-unlocked-write",
    "lock-early-release",
    "lock-no-retry",
    "catalog-no-busy-handling",
  ].map((mutant) => ({
    name: `mutant: ${mutant} (explore-pull-pull-two-extensions)`,
    scenario: library("explore-pull-pull-two-extensions.yaml"),
    mutant,
    detects: failed,
  })),
  {
    name: "mutant: upgrade-no-tombstone (explore-update-update)",
    scenario: library("explore-update-update.yaml"),
    mutant: "upgrade-no-tombstone",
    detects: failed,
  },
  ...["no-duplicate-rollback", "save-all-per-row"].map((mutant) => ({
    name: `mutant: ${mutant} (two pulls of one model type)`,
    scenario: () =>
      Promise.resolve(
        parseScenario(TYPE_CONFLICT, "bench-type-conflict.yaml", "/bench/bench-type-conflict.yaml"),
      ),
    mutant,
    detects: failed,
  })),
  ...["install-catalog-first", "remove-files-first", "lockfile-in-place-write"].map((mutant) => ({
    name: `mutant: ${mutant} (explore-crash-pull-rm)`,
    scenario: library("explore-crash-pull-rm.yaml"),
    mutant,
    detects: failed,
    budgetCap: CRASH_STATE_BUDGET,
  })),
];

/** What one candidate (explorer or plain) did on one case. */
export interface Search {
  /** Iterations run until the first detection (or the budget). */
  iterations: number;
  found: boolean;
  /** Wall time until then, learning included. */
  seconds: number;
  /** The detecting iteration's index, when found. */
  iteration?: number;
  /** Iterations whose drawn schedule did not happen (explorer only). */
  missed?: number;
}

/** One row of the section. */
export interface ExploreBenchRow {
  name: string;
  explorer: Search;
  plain: Search;
  /** Runs of the explorer's detecting plan with the same history shape as the first, of the replays. */
  replaysIdentical?: number;
  /** Runs of plain sampling's detecting iteration that detect again, of the replays. */
  plainReplaysDetecting?: number;
  /** Whether the targets hold. */
  met: boolean;
}

async function contextFor(scenario: Scenario, mutant: string | undefined) {
  const registry = await startRegistry(scenario.fixture.spec);
  const run: RunContext = {
    denoPath: Deno.execPath(),
    denoDir: await denoDir(),
    registryUrl: registry.url,
    registryPort: registry.port,
    ...(mutant === undefined ? {} : { mutant }),
  };
  return { registry, run };
}

async function search(
  scenario: Scenario,
  learned: Learned | undefined,
  c: BenchCase,
  options: IterationOptions,
  budget: number,
  startMs: number,
): Promise<Search & { result?: IterationResult }> {
  const sized = { ...scenario, iterations: budget };
  let missed = 0;
  for (let i = 0; i < budget; i++) {
    const result = await runAndCheck(sized, planIteration(sized, i, learned?.steps), options);
    if (
      result.history.ops.some((op) =>
        op.events.some((e) => e.rule?.startsWith("explore") && e.released === false)
      )
    ) {
      missed++;
    }
    if (c.detects(result)) {
      return {
        iterations: i + 1,
        found: true,
        seconds: (performance.now() - startMs) / 1000,
        iteration: i,
        result,
        ...(learned === undefined ? {} : { missed }),
      };
    }
  }
  return {
    iterations: budget,
    found: false,
    seconds: (performance.now() - startMs) / 1000,
    ...(learned === undefined ? {} : { missed }),
  };
}

/** Runs one case: the explorer, plain sampling, and the replays of the explorer's find. */
async function runCase(
  c: BenchCase,
  runBudget: number,
  log: (line: string) => void,
  target: ResolvedTarget | undefined,
  replays: number,
): Promise<ExploreBenchRow> {
  const budget = Math.min(runBudget, c.budgetCap ?? runBudget);
  const loaded = await c.scenario();
  const scenario = target === undefined ? loaded : { ...loaded, target };
  const plain: Scenario = { ...scenario, explore: undefined };
  const cleanup = new Cleanup();
  const { registry, run } = await contextFor(scenario, c.mutant);
  const options: IterationOptions = { cleanup, run, keep: false, deadlineMs: Infinity };
  try {
    let start = performance.now();
    const learned = await learnSteps(scenario, options);
    const explorer = await search(scenario, learned, c, options, budget, start);
    log(
      `  explorer: ${
        explorer.found ? `found at iteration ${explorer.iteration}` : "not found"
      } (${explorer.iterations} it, ${explorer.seconds.toFixed(1)} s)`,
    );
    start = performance.now();
    const plainSearch = await search(plain, undefined, c, options, budget, start);
    log(
      `  plain: ${
        plainSearch.found ? `found at iteration ${plainSearch.iteration}` : "not found"
      } (${plainSearch.iterations} it, ${plainSearch.seconds.toFixed(1)} s)`,
    );
    let replaysIdentical: number | undefined;
    if (explorer.result !== undefined) {
      const first = JSON.stringify(historyShape(explorer.result));
      const sized = { ...scenario, iterations: budget };
      const plan = planIteration(sized, explorer.iteration!, learned.steps);
      replaysIdentical = 0;
      for (let r = 0; r < replays; r++) {
        const again = await runAndCheck(sized, plan, options);
        if (JSON.stringify(historyShape(again)) === first) replaysIdentical++;
      }
      log(`  replays: ${replaysIdentical}/${replays} identical history shapes`);
    }
    let plainReplaysDetecting: number | undefined;
    if (plainSearch.result !== undefined) {
      const sized = { ...plain, iterations: budget };
      const plan = planIteration(sized, plainSearch.iteration!);
      plainReplaysDetecting = 0;
      for (let r = 0; r < replays; r++) {
        if (c.detects(await runAndCheck(sized, plan, options))) plainReplaysDetecting++;
      }
      log(`  plain replays: ${plainReplaysDetecting}/${replays} detect again`);
    }
    const { result: _e, ...explorerRow } = explorer;
    const { result: _p, ...plainRow } = plainSearch;
    const met = explorer.found && explorer.iterations <= EXPLORER_TARGET_ITERATIONS &&
      (!plainSearch.found || plainSearch.iterations >= PLAIN_FACTOR_TARGET * explorer.iterations) &&
      (replaysIdentical === undefined || replaysIdentical === replays);
    return {
      name: c.name,
      explorer: explorerRow,
      plain: plainRow,
      ...(replaysIdentical === undefined ? {} : { replaysIdentical }),
      ...(plainReplaysDetecting === undefined ? {} : { plainReplaysDetecting }),
      met,
    };
  } finally {
    await registry.close();
    await cleanup.dispose();
  }
}

function cell(s: Search): string {
  return s.found
    ? `${s.iterations} it, ${s.seconds.toFixed(1)} s`
    : `not in ${s.iterations} (${s.seconds.toFixed(0)} s)`;
}

/**
 * The target block of a file holding `target:` (such as the block printed for a swamp checkout
 * run from source), resolved as a scenario's would be.
 */
export async function targetOf(path: string): Promise<ResolvedTarget> {
  const text = await Deno.readTextFile(path);
  const wrapper = `name: target\nproves: The target block.\nexploratory: true\nseed: 1\n${text}\n` +
    `fixture: { registry: [] }\nworkload: { processes: [{ op: list }] }\n`;
  // Named as its own file beside the target's, so relative paths resolve as in a scenario there.
  const dir = path.slice(0, path.lastIndexOf("/") + 1);
  return parseScenario(wrapper, path, `${dir}target.yaml`).target;
}

/**
 * Runs the exploration benchmark: `budget` iterations per candidate,
 * `caseFilter` a fragment of case names, `targetFile` another target for
 * every case (a swamp checkout; mutant cases are then left out: mutants are
 * the reference's).
 */
export async function benchExplore(
  options: {
    budget?: number;
    caseFilter?: string;
    targetFile?: string;
    /** Runs of each detecting plan (default {@link REPLAYS}). */
    replays?: number;
    log?: (line: string) => void;
  } = {},
): Promise<BenchTable & { explore: ExploreBenchRow[] }> {
  const budget = options.budget ?? EXPLORE_BENCH_BUDGET;
  const replays = options.replays ?? REPLAYS;
  const log = options.log ?? ((line: string) => console.error(line));
  const target = options.targetFile === undefined ? undefined : await targetOf(options.targetFile);
  await precache();
  const rows: ExploreBenchRow[] = [];
  for (const c of EXPLORE_CASES) {
    const fragments = options.caseFilter?.split(",");
    if (fragments !== undefined && !fragments.some((f) => c.name.includes(f))) continue;
    if (target !== undefined && c.mutant !== undefined) continue;
    log(`explore bench: ${c.name}`);
    rows.push(await runCase(c, budget, log, target, replays));
  }
  const header = [
    "case",
    "explorer",
    "plain sampling",
    "plain/explorer",
    "explorer replays (same shape)",
    "plain replays (detect again)",
    "target",
  ];
  const grid = rows.map((r) => [
    r.name,
    cell(r.explorer) + (r.explorer.missed ? ` (${r.explorer.missed} missed)` : ""),
    cell(r.plain),
    r.explorer.found && r.plain.found
      ? `${(r.plain.iterations / r.explorer.iterations).toFixed(1)}x`
      : r.explorer.found
      ? `>${(r.plain.iterations / r.explorer.iterations).toFixed(0)}x`
      : "-",
    r.replaysIdentical === undefined ? "-" : `${r.replaysIdentical}/${replays}`,
    r.plainReplaysDetecting === undefined ? "-" : `${r.plainReplaysDetecting}/${replays}`,
    r.met ? "met" : "NOT met",
  ]);
  return {
    title: `explore: iterations and seconds to first detection, explorer vs plain sampling${
      target === undefined
        ? ""
        : ` (target ${target.entry ?? target.argv?.join(" ") ?? target.kind})`
    }`,
    rows: [],
    grid: { header, rows: grid },
    failedTargets: rows.filter((r) => !r.met).map((r) => r.name),
    notes: [
      `budget ${budget} iterations per candidate; target: explorer within ${EXPLORER_TARGET_ITERATIONS}, ` +
      `plain sampling >= ${PLAIN_FACTOR_TARGET}x the explorer's iterations or not within the budget; ` +
      `replays: ${replays} runs of each detecting plan: for the explorer, runs with the first run's ` +
      `history shape; for plain sampling, runs that detect again`,
      "explorer seconds include learning the ops' steps (one solo run per op)",
      `the crash-state mutants (install-catalog-first, remove-files-first, lockfile-in-place-write) ` +
      `get ${CRASH_STATE_BUDGET} iterations: their workload's expectations (any state right after a ` +
      `crash, convergence after recovery) cannot tell them from the reference`,
    ],
    explore: rows,
  };
}
