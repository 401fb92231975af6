/**
 * The simulator's main job as a function: load a scenario, plan and run its
 * iterations, check, judge, report. `main.ts` wraps it as a CLI; tests call
 * it directly.
 *
 * @module
 */

import { MUTANT_NAMES } from "../../reference/mutants.ts";
import { Cleanup, exitCodeOf, Interrupted } from "../run/cleanup.ts";
import { EXIT } from "../shared/exit_codes.ts";
import { planStrace } from "../../faults/strace/command.ts";
import { UnsupportedRuleError } from "../../faults/strace/support.ts";
import { straceContext } from "../run/backend.ts";
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
import { startRegistry } from "../run/registry.ts";
import {
  formatSummary,
  formatSweepTable,
  iterationNotes,
  replayCommand,
  summarise,
  sweepRows,
  writeReport,
} from "../report/report.ts";
import { HarnessError } from "../run/runner.ts";
import { SHRINK_RUNS } from "./shrink.ts";
import { shrinkFailure, type ShrinkReport } from "./shrink_run.ts";
import { loadScenario, processCount, type Scenario, ScenarioError } from "../scenario/load.ts";
import { PRELOAD_SHIM, PROJECT_CONFIG, REFERENCE_ENTRY, type RunContext } from "../run/target.ts";
import { wallMs } from "../run/process.ts";

/** Options of one simulator run (the parsed command line). */
export interface SimulateOptions {
  scenario: string;
  seed?: number;
  iteration?: number;
  iterations?: number;
  mutant?: string;
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
}

/** What a run produced. */
export interface SimulateResult {
  exitCode: number;
  /** The machine-readable result (what `--json` prints). */
  json: Record<string, unknown>;
  results: IterationResult[];
  scenario?: Scenario;
}

let precached = false;

async function denoOutput(args: string[]): Promise<string> {
  const out = await new Deno.Command(Deno.execPath(), { args, stdout: "piped", stderr: "piped" })
    .output();
  if (!out.success) {
    throw new HarnessError(
      `\`deno ${args.join(" ")}\` failed: ${
        new TextDecoder().decode(out.stderr).trim().slice(0, 400)
      }`,
    );
  }
  return new TextDecoder().decode(out.stdout);
}

/** Caches the reference target and the shim once, so concurrent first starts do not race to download. */
async function precache(): Promise<void> {
  if (precached) return;
  await denoOutput(["cache", "--config", PROJECT_CONFIG, REFERENCE_ENTRY, PRELOAD_SHIM]);
  precached = true;
}

function resolvedOptions(
  scenario: Scenario,
  options: SimulateOptions,
  seed: number,
  iterations: number[],
  reportDir: string,
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
    target: t.kind,
    mutant: options.mutant ?? t.mutant ?? "none",
    backend: t.backend,
    processes: processCount(scenario),
    faults: scenario.faults.length + (scenario.sweep === undefined ? 0 : 1),
    recoverySteps: scenario.recovery.length,
    processTimeoutMs: scenario.limits.processTimeoutMs,
    runTimeoutMs: scenario.limits.runTimeoutMs,
    keep: options.keep ?? false,
    reportDir,
  };
}

/** The result of a run refused for bad input: nothing was spawned. */
function badInput(message: string): SimulateResult {
  return {
    exitCode: EXIT.badInput,
    json: { error: message, exitCode: EXIT.badInput },
    results: [],
  };
}

/** Why the command-line options do not fit the scenario, or undefined. */
function optionProblem(scenario: Scenario, options: SimulateOptions): string | undefined {
  const mutant = options.mutant ?? scenario.target.mutant;
  const where = options.mutant !== undefined ? "--mutant" : "target.mutant";
  if (options.mutant !== undefined && scenario.target.kind !== "reference") {
    return `--mutant only applies to the reference target (target kind is "${scenario.target.kind}")`;
  }
  if (mutant !== undefined && !(MUTANT_NAMES as readonly string[]).includes(mutant)) {
    return `${where}: unknown mutant "${mutant}" (known: ${MUTANT_NAMES.join(", ")})`;
  }
  const sweepCases = scenario.sweep?.length;
  if (
    sweepCases !== undefined && options.iterations !== undefined &&
    options.iterations !== sweepCases
  ) {
    return `--iterations: a sweep runs exactly one iteration per case (${sweepCases})`;
  }
  const total = options.iterations ?? scenario.iterations;
  if (options.iteration !== undefined && options.iteration >= total) {
    return `--iteration ${options.iteration} does not exist (the scenario runs ${total})`;
  }
  return undefined;
}

/**
 * Why the strace backend cannot take the rules some process of some planned
 * iteration carries together (each rule alone was checked at load), or
 * undefined. Planning is pure and cheap, so every iteration is planned here,
 * before anything is spawned.
 */
function backendProblem(scenario: Scenario, options: SimulateOptions): string | undefined {
  if (scenario.target.backend !== "strace") return undefined;
  const sized: Scenario = {
    ...scenario,
    seed: options.seed ?? scenario.seed,
    iterations: options.iterations ?? scenario.iterations,
  };
  const context = straceContext(scenario.target, "/repo", "/trace");
  for (let i = 0; i < sized.iterations; i++) {
    for (const process of planIteration(sized, i).processes) {
      try {
        const plan = planStrace(process.rules, context);
        if (!plan.walTraced && process.publish.some((e) => e.point === "catalog.commit")) {
          return `iteration ${i}, process ${process.index}: another process waits for its ` +
            `"after catalog.commit", which its trace cannot show: a lock rule on openat/unlink ` +
            `stops the WAL from being traced (move one of the two to another process)`;
        }
      } catch (error) {
        if (error instanceof UnsupportedRuleError) {
          return `iteration ${i}, process ${process.index}: ${error.message}`;
        }
        throw error;
      }
    }
  }
  return undefined;
}

/** Runs a scenario. Never throws for bad input or target failures: the exit code says what happened. */
export async function simulate(options: SimulateOptions): Promise<SimulateResult> {
  const log = options.log ??
    (options.json ? (l: string) => console.error(l) : (l: string) => console.log(l));
  let scenario: Scenario;
  try {
    scenario = await loadScenario(options.scenario);
  } catch (error) {
    if (!(error instanceof ScenarioError)) throw error;
    log(error.message);
    return badInput(error.message);
  }
  const problem = optionProblem(scenario, options) ?? backendProblem(scenario, options);
  if (problem !== undefined) {
    const message = `${scenario.file}: error: ${problem}`;
    log(message);
    return { ...badInput(message), scenario };
  }
  const seed = options.seed ?? scenario.seed;
  const total = options.iterations ?? scenario.iterations;
  const sized: Scenario = { ...scenario, seed, iterations: total };
  const replayOf = (iteration: number) => ({
    seed,
    iteration,
    mutant: options.mutant,
    iterations: options.iterations,
    repeat: options.repeat,
  });
  const iterations = options.iteration !== undefined
    ? [options.iteration]
    : [...Array(total).keys()];
  const reportDir = options.reportDir ??
    `${Deno.env.get("TMPDIR") ?? "/tmp"}/swamp-sim-reports/${scenario.name}-seed-${seed}`;
  const resolved = resolvedOptions(sized, options, seed, iterations, reportDir);
  log(`seed=${seed}`);
  log(
    Object.entries(resolved).filter(([k]) => k !== "seed").map(([k, v]) => `${k}=${v}`).join(" "),
  );

  const cleanup = new Cleanup({ keepDirs: options.keep });
  if (options.handleSignals) {
    cleanup.installSignalHandlers((signal) =>
      log(
        `interrupted by ${signal}: killing ${cleanup.childCount} process(es) and removing temp dirs`,
      )
    );
  }
  const results: IterationResult[] = [];
  let exitCode: number = EXIT.pass;
  let harnessError: string | undefined;
  const startedMs = wallMs();
  const deadlineMs = startedMs + scenario.limits.runTimeoutMs;
  let registry: Awaited<ReturnType<typeof startRegistry>> | undefined;
  let shrink: ShrinkReport | undefined;
  let shrinkError: string | undefined;
  const determinismOf = new Map<number, DeterminismReport>();
  try {
    if (scenario.target.kind === "reference" || scenario.target.backend === "preload") {
      await precache();
    }
    registry = await startRegistry(scenario.fixture.spec);
    const run: RunContext = {
      denoPath: Deno.execPath(),
      denoDir: await denoDir(),
      registryUrl: registry.url,
      registryPort: registry.port,
      mutant: options.mutant,
    };
    for (const iteration of iterations) {
      const plan = planIteration(sized, iteration);
      const runs: IterationResult[] = [];
      for (let r = 0; r < (options.repeat ?? 1); r++) {
        runs.push(
          await runAndCheck(sized, plan, {
            cleanup,
            run,
            keep: options.keep ?? false,
            deadlineMs,
          }),
        );
      }
      const determinism = options.repeat === undefined
        ? undefined
        : compareRuns(runs.map(historyShape));
      if (determinism !== undefined) determinismOf.set(iteration, determinism);
      const result = judgeRuns(runs, determinism, sized.deterministic);
      results.push(result);
      const ops = result.history.ops.filter((o) => o.phase === "run");
      const crashed = ops.filter((o) => o.outcome.class === "crashed").length;
      const failedOps = ops.filter((o) => o.outcome.type !== "ok").length;
      const line = `iteration ${iteration}: ${
        result.passed ? "PASS" : "FAIL"
      }  ${ops.length} process(es), ${failedOps} not ok, ${crashed} crashed  (${
        (result.durationMs / 1000).toFixed(1)
      } s, check ${result.checkMs.toFixed(1)} ms)${
        determinism === undefined
          ? ""
          : `  [${determinism.runs} runs, ${determinism.distinct} distinct history shape(s)${
            sized.deterministic ? "" : ", not pinned"
          }]`
      }${result.workspace === undefined ? "" : `  workspace=${result.workspace}`}`;
      const notes = iterationNotes(result).map((n) => `  note: ${n}`);
      if (!result.passed) {
        log(`reproduce with: ${replayCommand(sized, replayOf(iteration))}`);
        log(line);
        notes.forEach((n) => log(n));
        log(`  ${result.failure!.class}: ${result.failure!.reason}`);
        for (const j of result.judgements.filter((j) => !j.pass)) {
          log(
            `  ${j.verdict.invariant} (${j.verdict.phase}, expected ${j.expectation}): ${j.verdict.status}: ${j.verdict.explanation}`,
          );
        }
        const code = result.failure!.class === "target" ? EXIT.target : EXIT.invariant;
        if (exitCode === EXIT.pass || code === EXIT.target) exitCode = code;
      } else {
        log(line);
        notes.forEach((n) => log(n));
      }
    }
    if (options.shrink) {
      const failing = results.find((r) => !r.passed);
      if (failing === undefined) {
        log("shrink: nothing to shrink, every iteration passed");
      } else {
        try {
          shrink = await shrinkFailure({
            scenario: sized,
            failed: failing,
            mutant: options.mutant,
            runBudget: options.shrinkRuns ?? SHRINK_RUNS.default,
            iteration: { cleanup, run, keep: false, deadlineMs },
            outPath: `${reportDir}/shrunk.yaml`,
            log,
          });
        } catch (error) {
          // The iterations' verdict stands; only an interruption ends the run here.
          if (error instanceof Interrupted || !(error instanceof Error)) throw error;
          shrinkError = `${error.name}: ${error.message}`;
          log(`shrink: failed: ${shrinkError}`);
        }
      }
    }
  } catch (error) {
    if (!(error instanceof Error)) throw error;
    const interrupted = cleanup.interrupted ??
      (error instanceof Interrupted ? error.signal : undefined);
    exitCode = interrupted !== undefined ? exitCodeOf(interrupted) : EXIT.harness;
    harnessError = interrupted !== undefined
      ? `interrupted by ${interrupted}`
      : error instanceof HarnessError
      ? error.message
      : `${error.name}: ${error.message}`;
    const at = iterations[results.length];
    if (at !== undefined) log(`reproduce with: ${replayCommand(sized, replayOf(at))}`);
    log(interrupted !== undefined ? harnessError : `harness error: ${harnessError}`);
  } finally {
    await registry?.close();
    await cleanup.dispose();
  }
  // A signal that arrived after the last spawn unwinds without an exception.
  if (cleanup.interrupted !== undefined && harnessError === undefined) {
    exitCode = exitCodeOf(cleanup.interrupted);
    harnessError = `interrupted by ${cleanup.interrupted}`;
    log(harnessError);
  }

  const summary = summarise(results);
  const sweep = scenario.sweep === undefined ? undefined : sweepRows(sized, results);
  const firstFailure = results.find((r) => !r.passed);
  const replay = firstFailure === undefined
    ? undefined
    : replayCommand(sized, replayOf(firstFailure.iteration));
  const json: Record<string, unknown> = {
    ...(replay === undefined ? {} : { replay }),
    exitCode,
    options: resolved,
    passed: results.filter((r) => r.passed).length,
    failed: results.filter((r) => !r.passed).length,
    ...(harnessError === undefined ? {} : { harnessError }),
    iterations: results.map((r) => ({
      iteration: r.iteration,
      passed: r.passed,
      failure: r.failure,
      durationMs: Math.round(r.durationMs),
      checkMs: Number(r.checkMs.toFixed(2)),
      replay: replayCommand(sized, replayOf(r.iteration)),
      notes: iterationNotes(r),
      ...(determinismOf.has(r.iteration) ? { determinism: determinismOf.get(r.iteration) } : {}),
      failedJudgements: r.judgements.filter((j) => !j.pass),
      layerStates: r.layerStates,
      workspace: r.workspace,
    })),
    invariants: summary,
    ...(sweep === undefined ? {} : { sweep }),
    ...(shrink === undefined ? {} : { shrink }),
    ...(shrinkError === undefined ? {} : { shrinkError }),
    durationMs: Math.round(wallMs() - startedMs),
  };
  try {
    const written = await writeReport(reportDir, json, results, {
      scenario: scenario.name,
      file: scenario.file,
      seed,
      ...(resolved.mutant === "none" ? {} : { mutant: resolved.mutant }),
      exitCode,
      replays: Object.fromEntries(
        results.map((r) => [r.iteration, replayCommand(sized, replayOf(r.iteration))]),
      ),
      notes: Object.fromEntries(results.map((r) => [r.iteration, iterationNotes(r)])),
      ...(harnessError === undefined ? {} : { harnessError }),
    });
    json.report = written.length > 0 ? reportDir : undefined;
  } catch (error) {
    log(`cannot write the report to ${reportDir}: ${(error as Error).message}`);
    if (exitCode === EXIT.pass) exitCode = EXIT.harness;
    json.exitCode = exitCode;
  }

  if (replay !== undefined) log(`reproduce with: ${replay}`);
  log("invariants:");
  log(formatSummary(summary));
  if (sweep !== undefined) {
    log("sweep:");
    log(formatSweepTable(sweep));
  }
  if (shrink?.status === "shrunk" && shrink.to !== undefined) {
    log(
      `shrunk: ${shrink.from.processes} process(es) and ${shrink.from.faults} fault rule(s) -> ${shrink.to.processes} and ${shrink.to.faults} in ${shrink.runs} run(s)${
        shrink.stoppedBy === undefined ? "" : ` (stopped by the ${shrink.stoppedBy})`
      }: ${shrink.file}`,
    );
    log(`replay the shrunk scenario with: ${shrink.replay}`);
  }
  const verdict = exitCode === EXIT.pass ? "PASS" : "FAIL";
  log(
    `result: ${verdict} (${
      results.filter((r) => r.passed).length
    }/${iterations.length} iterations passed, exit ${exitCode}) in ${
      ((wallMs() - startedMs) / 1000).toFixed(1)
    } s; report: ${reportDir}`,
  );
  return { exitCode, json, results, scenario };
}
