/**
 * The simulator's main job as a function: load a scenario and check the
 * command line against it, run its iterations (each recorded by the run
 * stage and judged by the check stage), shrink the first failure when
 * asked, assemble the JSON result, write the report dir and print the
 * summary. `main.ts` wraps it as a CLI; tests call it directly.
 *
 * @module
 */

import { Cleanup, exitCodeOf, Interrupted } from "../run/cleanup.ts";
import { EXIT, worseExit } from "../shared/exit_codes.ts";
import { denoDir } from "../run/deno_dir.ts";
import {
  compareRuns,
  type DeterminismReport,
  historyShape,
  judgeRuns,
} from "../check/determinism.ts";
import type { IterationResult } from "../check/iteration.ts";
import { runAndCheck } from "./iteration.ts";
import { planIteration } from "../scenario/plan.ts";
import { type Registry, startRegistry } from "../run/registry.ts";
import {
  clearReportDir,
  type InvariantSummary,
  iterationNotes,
  summarise,
  type SweepRow,
  sweepRows,
  writeReport,
} from "../report/report.ts";
import {
  exploreProgressLine,
  exploreSummaryLines,
  iterationLines,
  optionLines,
  runSummaryLines,
} from "../report/console.ts";
import { type ExploreBudget, ExploreSearch } from "./explore.ts";
import type { ProgressSink } from "./progress.ts";
import { learnSteps } from "../run/learn.ts";
import { type LearnedSteps, scheduleText } from "../scenario/explore.ts";
import { SCENARIO_LIMITS } from "../scenario/schema.ts";
import { limitUse } from "../report/limit_use.ts";
import { replayCommand, replayLine, taskLauncher } from "../report/replay.ts";
import { HarnessError, type IterationOptions } from "../run/runner.ts";
import { precache } from "../run/precache.ts";
import { measureStartup } from "../run/startup.ts";
import { derivedProcessTimeout } from "../scenario/limits.ts";
import { SHRINK_RUNS } from "./shrink.ts";
import { shrinkFailure, type ShrinkReport } from "./shrink_run.ts";
import { checkedInput } from "./simulate_input.ts";
import type { Scenario } from "../scenario/load.ts";
import { processCount } from "../scenario/resolve.ts";
import type { RunContext } from "../run/target.ts";
import { wallMs } from "../run/process.ts";
import { hostDenoNetworkEnv } from "../run/deno_network_env.ts";
import type { TargetIdentity } from "../run/target_identity.ts";
import { checkTarget } from "./target_check.ts";

/** Options of one simulator run (the parsed command line). */
export interface SimulateOptions {
  scenario: string;
  seed?: number;
  iteration?: number;
  iterations?: number;
  mutant?: string;
  /** A swamp checkout dir that replaces the scenario's target (`--swamp`). */
  swamp?: string;
  json?: boolean;
  keep?: boolean;
  reportDir?: string;
  /** Install SIGINT/SIGTERM handlers (the CLI does; in-process callers may not). */
  handleSignals?: boolean;
  /** Run each iteration this many times and compare their history shapes (`determinism.ts`). */
  repeat?: number;
  /** Shrink the first failing iteration to a minimal scenario file (`shrink_run.ts`). */
  shrink?: boolean;
  /** Most candidate runs of a shrink (default {@link SHRINK_RUNS}.default). */
  shrinkRuns?: number;
  /** Where human lines go (default: stdout; stderr in JSON mode). */
  log?: (line: string) => void;
  /** How replay commands invoke `deno task` (default: {@link taskLauncher}). */
  launcher?: string;
  /** Explore schedules with the default `explore:` block (the scenario has none). */
  explore?: boolean;
  /** How long a search that explores schedules goes on (default: the scenario's iterations). */
  exploreBudget?: ExploreBudget;
  /** Run only every `count`-th iteration, from iteration `index - 1` (`--shard index/count`). */
  shard?: { index: number; count: number };
  /** Where a search's progress line goes (default: nowhere). */
  progress?: ProgressSink;
}

/** What a run produced. */
export interface SimulateResult {
  exitCode: number;
  /** The machine-readable result (what `--json` prints). */
  json: Record<string, unknown>;
  results: IterationResult[];
  scenario?: Scenario;
}

function resolvedOptions(
  scenario: Scenario,
  options: SimulateOptions,
  seed: number,
  iterations: number[],
  reportDir: string,
  identity: TargetIdentity,
) {
  const t = scenario.target;
  return {
    seed,
    scenario: scenario.name,
    file: scenario.file,
    iterations: iterations.length,
    iterationRange: iterations.length === 1
      ? `${iterations[0]}`
      : `${iterations[0]}..${iterations[iterations.length - 1]}`,
    target: identity.label,
    mutant: options.mutant ?? t.mutant ?? "none",
    backend: t.backend,
    processes: processCount(scenario),
    faults: scenario.faults.length + (scenario.sweep === undefined ? 0 : 1),
    recoverySteps: scenario.recovery.length,
    processTimeoutMs: scenario.limits.processTimeoutMs,
    processTimeoutFrom: scenario.limits.processTimeoutFrom as string,
    runTimeoutMs: scenario.limits.runTimeoutMs,
    keep: options.keep ?? false,
    reportDir,
  };
}

/** What is fixed for one simulator run once its input is checked. */
interface Run {
  options: SimulateOptions;
  log: (line: string) => void;
  /** The scenario as loaded. */
  scenario: Scenario;
  /** The scenario with the command line's seed and iteration count applied. */
  sized: Scenario;
  seed: number;
  /** The iterations to run, in order. */
  iterations: number[];
  reportDir: string;
  /**
   * Every option as resolved, in the order the run prints them; the
   * measured start-up and the derived process limit's rule join once known.
   */
  resolved: ReturnType<typeof resolvedOptions> & {
    startupMs?: number;
    processTimeoutRule?: string;
  };
  /** What the reports name the target by. */
  identity: TargetIdentity;
  /** How replay commands invoke `deno task` (`deno`, or `npx --yes deno@<version>`). */
  launcher: string;
  /** The wall-clock end of a duration budget, when the search has one. */
  budgetEndMs?: number;
}

/** What running the iterations produced; filled in step by step. */
interface Outcome {
  exitCode: number;
  results: IterationResult[];
  determinismOf: Map<number, DeterminismReport>;
  harnessError?: string;
  shrink?: ShrinkReport;
  shrinkError?: string;
  startedMs: number;
  /** The search, when the run explores schedules. */
  search?: ExploreSearch;
}

/** The run's per-invariant summary, sweep table and first failure's replay command. */
interface Findings {
  summary: InvariantSummary[];
  sweep?: SweepRow[];
  replay?: string;
}

/** Runs a scenario. Never throws for bad input or target failures: the exit code says what happened. */
export async function simulate(options: SimulateOptions): Promise<SimulateResult> {
  const log = options.log ??
    (options.json ? (l: string) => console.error(l) : (l: string) => console.log(l));
  const input = await checkedInput(options);
  if (!input.ok) {
    log(input.message);
    return {
      exitCode: EXIT.badInput,
      json: { error: input.message, exitCode: EXIT.badInput },
      results: [],
      ...(input.scenario === undefined ? {} : { scenario: input.scenario }),
    };
  }
  const target = await checkTarget(input.scenario, {
    mutant: options.mutant ?? input.scenario.target.mutant,
    replacedKind: input.replacedKind,
    handleSignals: options.handleSignals,
    log,
  });
  if (!target.ok) {
    log(target.message);
    return {
      exitCode: target.exitCode,
      json: { error: target.message, exitCode: target.exitCode },
      results: [],
      scenario: input.scenario,
    };
  }
  const run = runOf(
    input.scenario,
    options,
    withProgress(log, options.progress),
    target.identity,
  );
  optionLines(run.resolved).forEach((line) => run.log(line));
  // Stale files of an earlier run into the same dir (an older shrunk scenario) must not read as this run's.
  await clearReportDir(run.reportDir);
  const outcome = await runAll(run);
  const findings = findingsOf(run, outcome);
  const json = resultJson(run, outcome, findings);
  await writeReportDir(run, outcome, json);
  printSummary(run, outcome, findings);
  options.progress?.clear();
  return { exitCode: outcome.exitCode, json, results: outcome.results, scenario: run.scenario };
}

/** `log` that first clears the progress line, so the two never share a line. */
function withProgress(log: (line: string) => void, progress: ProgressSink | undefined) {
  if (progress === undefined) return log;
  return (line: string) => {
    progress.clear();
    log(line);
  };
}

/** The run's fixed facts: seed, iteration count and list, report dir, resolved options. */
function runOf(
  scenario: Scenario,
  options: SimulateOptions,
  log: Run["log"],
  identity: TargetIdentity,
): Run {
  const seed = options.seed ?? scenario.seed;
  const budget = scenario.explore === undefined ? undefined : options.exploreBudget;
  const total = budget === undefined
    ? options.iterations ?? scenario.iterations
    : "iterations" in budget
    ? budget.iterations
    : SCENARIO_LIMITS.iterationsMax;
  const sized: Scenario = { ...scenario, seed, iterations: total };
  const shard = options.shard;
  const iterations = options.iteration !== undefined
    ? [options.iteration]
    : [...Array(total).keys()].filter((i) =>
      shard === undefined || i % shard.count === shard.index - 1
    );
  const reportDir = options.reportDir ??
    `${Deno.env.get("TMPDIR") ?? "/tmp"}/swamp-sim-reports/${scenario.name}-seed-${seed}${
      shard === undefined ? "" : `-shard-${shard.index}-of-${shard.count}`
    }`;
  const resolved = {
    ...resolvedOptions(sized, options, seed, iterations, reportDir, identity),
    ...(scenario.explore === undefined ? {} : {
      explore: `depth ${scenario.explore.depth}${scenario.explore.crash ? " crash" : ""}`,
      exploreBudget: budget === undefined
        ? `${total} iterations`
        : "iterations" in budget
        ? `${budget.iterations} iterations`
        : `${budget.durationMs / 1000} s`,
    }),
    ...(shard === undefined ? {} : { shard: `${shard.index}/${shard.count}` }),
  };
  return {
    options,
    log,
    scenario,
    sized,
    seed,
    iterations,
    reportDir,
    resolved,
    identity,
    launcher: options.launcher ?? taskLauncher(),
  };
}

/** The command that replays one iteration of the run. */
function replayOf(run: Run, iteration: number): string {
  return replayCommand(run.sized, {
    seed: run.seed,
    iteration,
    mutant: run.options.mutant,
    swamp: run.options.swamp === undefined ? undefined : run.scenario.target.checkout,
    iterations: run.options.iterations ??
      (run.sized.iterations !== run.scenario.iterations ? run.sized.iterations : undefined),
    repeat: run.options.repeat,
    launcher: run.launcher,
    explore: run.options.explore,
  });
}

/**
 * Runs the iterations, then the shrink when asked, between a registry and a
 * cleanup of its own. A thrown error or a signal ends the run as a harness
 * error or an interruption; the iterations run until then stand.
 */
async function runAll(run: Run): Promise<Outcome> {
  const { options, log, scenario } = run;
  const cleanup = new Cleanup({ keepDirs: options.keep });
  if (options.handleSignals) {
    cleanup.installSignalHandlers((signal) =>
      log(
        `interrupted by ${signal}: killing ${cleanup.childCount} process(es) and removing temp dirs`,
      )
    );
  }
  const outcome: Outcome = {
    exitCode: EXIT.pass,
    results: [],
    determinismOf: new Map(),
    startedMs: wallMs(),
  };
  const deadlineMs = outcome.startedMs + scenario.limits.runTimeoutMs;
  let registry: Registry | undefined;
  try {
    if (scenario.target.kind === "reference" || scenario.target.backend === "preload") {
      await precache();
    }
    registry = await startRegistry(scenario.fixture.spec);
    const context: RunContext = {
      denoPath: Deno.execPath(),
      denoDir: await denoDir(),
      registryUrl: registry.url,
      registryPort: registry.port,
      mutant: options.mutant,
      networkEnv: hostDenoNetworkEnv(),
    };
    await fitProcessLimit(run, context, cleanup);
    const iterationOptions = { cleanup, run: context, keep: options.keep ?? false, deadlineMs };
    const learned = run.sized.explore === undefined
      ? undefined
      : await learnSteps(run.sized, iterationOptions);
    if (learned !== undefined) {
      outcome.search = new ExploreSearch(run.sized, learned.steps, learned.runs);
      for (const r of learned.runs) {
        log(
          `learned: ${r.op}: ${r.steps} steps alone (${r.outcome}, ${
            (r.durationMs / 1000).toFixed(1)
          } s)`,
        );
      }
      const budget = options.exploreBudget;
      if (budget !== undefined && "durationMs" in budget) {
        run.budgetEndMs = wallMs() + budget.durationMs;
      }
    }
    await runIterations(run, iterationOptions, outcome, learned?.steps);
    if (options.shrink) {
      await shrinkFirstFailure(run, { cleanup, run: context, keep: false, deadlineMs }, outcome);
    }
  } catch (error) {
    if (!(error instanceof Error)) throw error;
    endedBy(run, error, cleanup, outcome);
    outcome.search?.stop("interrupted");
  } finally {
    await registry?.close();
    await cleanup.dispose();
  }
  // A signal that arrived after the last spawn unwinds without an exception.
  if (cleanup.interrupted !== undefined && outcome.harnessError === undefined) {
    outcome.exitCode = exitCodeOf(cleanup.interrupted);
    outcome.harnessError = `interrupted by ${cleanup.interrupted}`;
    log(outcome.harnessError);
  }
  return outcome;
}

/**
 * Unless the scenario sets `limits.processTimeoutMs`, measures the target's
 * start-up once (solo, before the workload) and derives the process time
 * limit from it and the process count (`scenario/limits.ts`); prints the
 * measure and the limit, and records both in the resolved options.
 */
async function fitProcessLimit(run: Run, context: RunContext, cleanup: Cleanup): Promise<void> {
  const { limits } = run.sized;
  if (limits.processTimeoutFrom === "scenario") {
    run.log(`processTimeoutMs=${limits.processTimeoutMs} (set by the scenario)`);
    return;
  }
  const measure = await measureStartup(run.sized.target, context, cleanup);
  if (!measure.ok) {
    run.log(
      `startup: not measured (${measure.reason}); processTimeoutMs=${limits.processTimeoutMs} (default)`,
    );
    return;
  }
  const derived = derivedProcessTimeout({
    startupMs: measure.opMs,
    processes: processCount(run.sized),
    cores: navigator.hardwareConcurrency || 1,
    runTimeoutMs: limits.runTimeoutMs,
  });
  run.sized = {
    ...run.sized,
    limits: { ...limits, processTimeoutMs: derived.ms, processTimeoutFrom: "derived" },
  };
  run.resolved = {
    ...run.resolved,
    processTimeoutMs: derived.ms,
    processTimeoutFrom: "derived",
    startupMs: Math.round(measure.opMs),
    processTimeoutRule: derived.rule,
  };
  run.log(
    `startup=${Math.round(measure.opMs)} ms (one extension list, solo${
      measure.kept ? ", measured by an earlier run" : ""
    }) processTimeoutMs=${derived.ms} (derived: ${derived.rule})`,
  );
}

/**
 * Each iteration in order: planned, run and checked (`--repeat` times, its
 * runs compared and judged together), printed, and its failure class folded
 * into the exit code (a misbehaving target wins over a violated invariant,
 * which wins over a vacuous pass).
 */
async function runIterations(
  run: Run,
  iteration: IterationOptions,
  outcome: Outcome,
  learned: LearnedSteps | undefined,
) {
  const { options, sized, log } = run;
  const { search } = outcome;
  for (const [done, index] of run.iterations.entries()) {
    if (run.budgetEndMs !== undefined && wallMs() >= run.budgetEndMs) {
      search?.stop("budget");
      break;
    }
    const plan = planIteration(sized, index, learned);
    const runs: IterationResult[] = [];
    for (let r = 0; r < (options.repeat ?? 1); r++) {
      const result = await runAndCheck(sized, plan, iteration);
      cutShort(index, result, iteration);
      runs.push(result);
    }
    const determinism = options.repeat === undefined
      ? undefined
      : compareRuns(runs.map(historyShape));
    if (determinism !== undefined) outcome.determinismOf.set(index, determinism);
    const result = judgeRuns(runs, determinism, sized.deterministic);
    outcome.results.push(result);
    iterationLines(result, {
      replay: replayOf(run, index),
      determinism,
      deterministic: sized.deterministic,
    }).forEach((line) => log(line));
    if (!result.passed) outcome.exitCode = worseExit(outcome.exitCode, exitOf(result));
    if (search !== undefined && plan.explore !== undefined) {
      const missed = search.record(result);
      if (!result.passed || missed !== undefined) log(`  schedule: ${scheduleText(plan.explore)}`);
      if (missed !== undefined) log(`  note: not counted as explored: ${missed}`);
      options.progress?.show(exploreProgressLine({
        done: done + 1,
        ...(run.budgetEndMs === undefined ? { total: run.iterations.length } : {}),
        coverage: search.coverage(),
        failures: search.failures,
        ...(run.budgetEndMs === undefined ? {} : { leftMs: run.budgetEndMs - wallMs() }),
      }));
      if (search.targetReached()) {
        search.stop("coverage");
        break;
      }
    }
  }
}

/** The exit code of a failed iteration's class. */
function exitOf(result: IterationResult): number {
  switch (result.failure?.class) {
    case undefined:
      return EXIT.pass;
    case "target":
      return EXIT.target;
    case "vacuous":
      return EXIT.vacuous;
    case "invariant":
    case "determinism":
      return EXIT.invariant;
  }
}

/**
 * Throws when the simulator itself cut the iteration short, so that it is
 * reported as interrupted and never judged: a signal arrived (its processes
 * were killed by the simulator), or the run time limit was reached while
 * processes ran (they were killed at the run's limit, not their own).
 */
function cutShort(index: number, result: IterationResult, iteration: IterationOptions): void {
  const signal = iteration.cleanup.interrupted;
  if (signal !== undefined) throw new Interrupted(signal);
  const killedAtRunLimit = wallMs() >= iteration.deadlineMs &&
    result.history.ops.some((op) => op.outcome.class === "timeout");
  if (killedAtRunLimit) {
    throw new HarnessError(
      `The run time limit (limits.runTimeoutMs) was reached during iteration ${index}; ` +
        `its processes were killed by the simulator, so it is not judged`,
    );
  }
}

/** Shrinks the first failing iteration; a shrink that fails leaves the iterations' verdict as it is. */
async function shrinkFirstFailure(run: Run, iteration: IterationOptions, outcome: Outcome) {
  const { options, log } = run;
  const failing = outcome.results.find((r) => !r.passed);
  if (failing === undefined) {
    log("shrink: nothing to shrink, every iteration passed");
    return;
  }
  try {
    outcome.shrink = await shrinkFailure({
      scenario: run.sized,
      failed: failing,
      mutant: options.mutant,
      swamp: options.swamp === undefined ? undefined : run.scenario.target.checkout,
      runBudget: options.shrinkRuns ?? SHRINK_RUNS.default,
      iteration,
      outPath: `${run.reportDir}/${run.scenario.name}-shrunk.yaml`,
      launcher: run.launcher,
      log,
      runsPerCandidate: options.repeat ?? 1,
    });
  } catch (error) {
    // The iterations' verdict stands; only an interruption ends the run here.
    if (error instanceof Interrupted || !(error instanceof Error)) throw error;
    outcome.shrinkError = `${error.name}: ${error.message}`;
    log(`shrink: failed: ${outcome.shrinkError}`);
  }
}

/**
 * Records how a thrown error ended the run: an interruption (exit 130/143)
 * or a harness error (exit 4), with the replay command of the iteration it
 * stopped in.
 */
function endedBy(run: Run, error: Error, cleanup: Cleanup, outcome: Outcome): void {
  const interrupted = cleanup.interrupted ??
    (error instanceof Interrupted ? error.signal : undefined);
  outcome.exitCode = interrupted !== undefined ? exitCodeOf(interrupted) : EXIT.harness;
  outcome.harnessError = interrupted !== undefined
    ? `interrupted by ${interrupted}`
    : error instanceof HarnessError
    ? error.message
    : `${error.name}: ${error.message}`;
  const at = run.iterations[outcome.results.length];
  if (interrupted !== undefined) {
    // The simulator killed the processes: nothing about the target to replay.
    run.log(
      `${outcome.harnessError}${
        at === undefined ? "" : ` during iteration ${at}, which is not judged`
      }; ${outcome.results.length} iteration(s) ran before it`,
    );
    return;
  }
  if (at !== undefined) run.log(replayLine(replayOf(run, at), run.sized.deterministic));
  run.log(`harness error: ${outcome.harnessError}`);
}

/** The per-invariant summary, the sweep table and the first failure's replay command. */
function findingsOf(run: Run, outcome: Outcome): Findings {
  const { results } = outcome;
  const firstFailure = results.find((r) => !r.passed);
  return {
    summary: summarise(results),
    sweep: run.scenario.sweep === undefined ? undefined : sweepRows(run.sized, results),
    replay: firstFailure === undefined ? undefined : replayOf(run, firstFailure.iteration),
  };
}

/** The machine-readable result: what `--json` prints and `summary.json` holds. */
function resultJson(run: Run, outcome: Outcome, findings: Findings): Record<string, unknown> {
  const { results, determinismOf, harnessError, shrink, shrinkError } = outcome;
  const { replay, sweep } = findings;
  return {
    ...(replay === undefined ? {} : { replay }),
    exitCode: outcome.exitCode,
    options: run.resolved,
    target: run.identity,
    passed: results.filter((r) => r.passed).length,
    failed: results.filter((r) => !r.passed).length,
    ...(harnessError === undefined ? {} : { harnessError }),
    iterations: results.map((r) => ({
      iteration: r.iteration,
      passed: r.passed,
      failure: r.failure,
      durationMs: Math.round(r.durationMs),
      checkMs: Number(r.checkMs.toFixed(2)),
      replay: replayOf(run, r.iteration),
      notes: iterationNotes(r),
      ...(determinismOf.has(r.iteration) ? { determinism: determinismOf.get(r.iteration) } : {}),
      failedJudgements: r.judgements.filter((j) => !j.pass),
      witnesses: r.witnesses,
      timeLimits: limitUse(r.history),
      layerStates: r.layerStates,
      workspace: r.workspace,
    })),
    invariants: findings.summary,
    ...(sweep === undefined ? {} : { sweep }),
    ...(shrink === undefined ? {} : { shrink }),
    ...(shrinkError === undefined ? {} : { shrinkError }),
    ...(outcome.search === undefined ? {} : { explore: outcome.search.summary() }),
    durationMs: Math.round(wallMs() - outcome.startedMs),
  };
}

/**
 * Writes the report dir and names it in `json.report`. A report that cannot
 * be written fails an otherwise passing run (exit 4).
 */
async function writeReportDir(
  run: Run,
  outcome: Outcome,
  json: Record<string, unknown>,
): Promise<void> {
  const { results, harnessError } = outcome;
  const { scenario, resolved, reportDir } = run;
  try {
    const written = await writeReport(reportDir, json, results, {
      scenario: scenario.name,
      file: scenario.file,
      seed: run.seed,
      ...(resolved.mutant === "none" ? {} : { mutant: resolved.mutant }),
      target: run.identity,
      exitCode: outcome.exitCode,
      replays: Object.fromEntries(results.map((r) => [r.iteration, replayOf(run, r.iteration)])),
      notes: Object.fromEntries(results.map((r) => [r.iteration, iterationNotes(r)])),
      ...(harnessError === undefined ? {} : { harnessError }),
    });
    json.report = written.length > 0 ? reportDir : undefined;
  } catch (error) {
    run.log(`cannot write the report to ${reportDir}: ${(error as Error).message}`);
    if (outcome.exitCode === EXIT.pass) outcome.exitCode = EXIT.harness;
    json.exitCode = outcome.exitCode;
  }
}

/** The closing lines: replay, per-invariant summary, sweep table, shrink, result. */
function printSummary(run: Run, outcome: Outcome, findings: Findings): void {
  const { shrink } = outcome;
  if (outcome.search !== undefined) {
    exploreSummaryLines(outcome.search.summary()).forEach((line) => run.log(line));
  }
  runSummaryLines({
    summary: findings.summary,
    sweep: findings.sweep,
    firstFailure: outcome.results.find((r) => !r.passed)?.iteration,
    shrunk: shrink?.status === "shrunk" && shrink.to !== undefined
      ? { ...shrink, to: shrink.to }
      : undefined,
    exitCode: outcome.exitCode,
    passed: outcome.results.filter((r) => r.passed).length,
    ran: outcome.results.length,
    iterations: run.iterations.length,
    durationMs: wallMs() - outcome.startedMs,
    reportDir: run.reportDir,
  }).forEach((line) => run.log(line));
}
