/**
 * Running a shrink (the I/O side of `shrink.ts`): freeze the failing
 * iteration, check that the frozen scenario still fails, reduce it by
 * running candidates through the same runner, and write the result as a
 * scenario file with the command that replays it.
 *
 * @module
 */

import { shellWord } from "../report/replay.ts";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { planIteration } from "../scenario/plan.ts";
import { wallMs } from "../run/process.ts";
import type { IterationResult } from "../check/iteration.ts";
import type { Witness } from "../check/witness.ts";
import { HarnessError, type IterationOptions } from "../run/runner.ts";
import { runAndCheck } from "./iteration.ts";
import { type Registry, startRegistry } from "../run/registry.ts";
import { parseScenario, type Scenario, ScenarioError } from "../scenario/load.ts";
import { dirOf } from "../scenario/resolve.ts";
import type { RunContext } from "../run/target.ts";
import type { ScenarioInput } from "../scenario/schema.ts";
import {
  type Candidate,
  type CandidateJudgement,
  type CandidateVerdict,
  canonicalOrder,
  failureDifference,
  type FailureSignature,
  freezeScenario,
  shrinkLoop,
  sizeOf,
  type WitnessKey,
} from "./shrink.ts";

/** Extension names a verdict explanation mentions (`@scope/name`). */
function extensionsNamed(text: string): string[] {
  return [...text.matchAll(/@[a-z0-9][a-z0-9-]*\/[a-z0-9][a-z0-9-]*/g)].map((m) => m[0]);
}

/**
 * The failure signature of an iteration result, with the layer states of
 * the extensions named by `reference`'s failed verdicts (the result itself
 * when omitted).
 */
export function signatureOf(result: IterationResult, reference = result): FailureSignature {
  const failedOf = (r: IterationResult) => r.judgements.filter((j) => !j.pass);
  const named = new Set(failedOf(reference).flatMap((j) => extensionsNamed(j.verdict.explanation)));
  const phases = new Set(failedOf(reference).map((j) => j.verdict.phase));
  const states: Record<string, string> = {};
  for (const phase of phases) {
    const layer = result.layerStates[phase];
    for (const name of named) {
      const state = layer?.[name];
      states[`${name}@${phase}`] = state === undefined
        ? "unknown"
        : `files=${state.files} lockfile=${state.lockfile} catalog=${state.catalog}`;
    }
  }
  return {
    class: result.failure?.class ?? "pass",
    failed: failedOf(result).map((j) => `${j.verdict.invariant}@${j.verdict.phase}`).sort(),
    states,
    outcomes: result.history.ops.filter((op) => op.phase === "run")
      .sort((a, b) => a.process - b.process).map((op) => op.outcome.class),
    unshown: result.witnesses.filter((w) => !w.held).map((w) => witnessKey(w.witness)),
  };
}

/** What a witness counts, independent of fault ids (frozen faults are renumbered). */
export function witnessKey(w: Witness): WitnessKey {
  if (w.kind === "pause") {
    return { process: w.process, what: `pause ${w.when} ${w.at} #${w.hit}` };
  }
  const threw = w.threw === undefined ? "" : ` threw=${w.threw}`;
  const hit = w.hit === undefined ? "" : ` #${w.hit}`;
  return {
    process: w.process,
    what: `${w.when} ${w.at}${hit}${threw} ${w.atLeast}..${w.atMost ?? ""}`,
  };
}

/** What a shrink needs. */
export interface ShrinkRunOptions {
  /** The scenario as run (seed and iterations already applied). */
  scenario: Scenario;
  /** The failing iteration to shrink. */
  failed: IterationResult;
  mutant?: string;
  /** The swamp checkout that replaced the scenario's target (`--swamp`). */
  swamp?: string;
  runBudget: number;
  /** Runner options (cleanup, run context, deadline); workspaces are never kept. */
  iteration: IterationOptions;
  /** Where the shrunk scenario is written. */
  outPath: string;
  /** How its replay command invokes `deno task` (see `report/replay.ts`). */
  launcher: string;
  log: (line: string) => void;
  /**
   * Runs of each candidate (default 1): it is kept only if every run fails
   * the same way, so a pause whose removal keeps the failure only by the
   * timing of one run stays (`--shrink --repeat k`).
   */
  runsPerCandidate?: number;
}

/** What a shrink produced. */
export interface ShrinkReport {
  /** `shrunk`: written to `file`; `not-reproduced`: the frozen plan passed, nothing written. */
  status: "shrunk" | "not-reproduced";
  file?: string;
  replay?: string;
  /** Runs made: the frozen plan's, then one per candidate. */
  runs: number;
  steps: string[];
  /** What ended the search early, if anything. */
  stoppedBy?: "run-budget" | "time-limit";
  from: { processes: number; faults: number };
  to?: { processes: number; faults: number };
  failure: FailureSignature;
}

/** The scenario file text of `input`, after a comment header. */
export function scenarioText(input: ScenarioInput, header: readonly string[]): string {
  const body = stringifyYaml(input, { lineWidth: 0 });
  return `${header.map((l) => `# ${l}`).join("\n")}\n${body}`;
}

/**
 * Runs candidate scenarios (each once, or `runsPerCandidate` times), as
 * iteration 0, through the same runner. A candidate whose registry differs from the original's gets a
 * registry that serves just its fixture; {@link close} stops those.
 */
class CandidateRunner {
  readonly #options: ShrinkRunOptions;
  readonly #registries = new Map<string, Registry>();

  constructor(options: ShrinkRunOptions) {
    this.#options = options;
  }

  /**
   * Runs a candidate (`runsPerCandidate` times) and judges it against the
   * original failure: the first run that does not fail the same way decides.
   */
  async judge(input: ScenarioInput, origins: readonly number[]): Promise<CandidateJudgement> {
    const runs = this.#options.runsPerCandidate ?? 1;
    let judgement: CandidateJudgement = { verdict: "same-failure" };
    for (let r = 0; r < runs && judgement.verdict === "same-failure"; r++) {
      judgement = await this.#judgeOnce(input, origins);
    }
    return judgement;
  }

  async #judgeOnce(input: ScenarioInput, origins: readonly number[]): Promise<CandidateJudgement> {
    const { outPath, iteration, failed } = this.#options;
    iteration.cleanup.assertRunning();
    if (wallMs() >= iteration.deadlineMs) return { verdict: "out-of-time" };
    let candidate: Scenario;
    try {
      candidate = parseScenario(scenarioText(input, []), outPath, outPath);
    } catch (error) {
      if (error instanceof ScenarioError) return { verdict: "invalid" };
      throw error;
    }
    let result: IterationResult;
    try {
      result = await runAndCheck(candidate, planIteration(candidate, 0), {
        ...iteration,
        run: await this.#runContextFor(candidate),
        keep: false,
      });
    } catch (error) {
      if (!(error instanceof HarnessError)) throw error;
      return { verdict: wallMs() >= iteration.deadlineMs ? "out-of-time" : "harness-error" };
    }
    if (result.passed) return { verdict: "passes" };
    const detail = failureDifference(signatureOf(failed), signatureOf(result, failed), origins);
    return detail === undefined
      ? { verdict: "same-failure" }
      : { verdict: "fails-otherwise", detail };
  }

  async #runContextFor(candidate: Scenario): Promise<RunContext> {
    const base = this.#options.iteration.run;
    const key = JSON.stringify(candidate.fixture.spec);
    if (key === JSON.stringify(this.#options.scenario.fixture.spec)) return base;
    let registry = this.#registries.get(key);
    if (registry === undefined) {
      registry = await startRegistry(candidate.fixture.spec);
      this.#registries.set(key, registry);
    }
    return { ...base, registryUrl: registry.url, registryPort: registry.port };
  }

  async close(): Promise<void> {
    for (const registry of this.#registries.values()) await registry.close();
    this.#registries.clear();
  }
}

const VERDICT_WORDS: Readonly<Record<CandidateVerdict, string>> = {
  "same-failure": "still fails the same way, kept",
  "passes": "passes, dropped",
  "fails-otherwise": "fails another way, dropped",
  "invalid": "not a valid scenario, skipped",
  "harness-error": "its set-up failed, skipped",
  "out-of-time": "the run's time limit was reached, stopping",
};

/** A candidate's judgement in words: `fails another way (<difference>), dropped`. */
export function judgementWords(judgement: CandidateJudgement): string {
  const words = VERDICT_WORDS[judgement.verdict];
  return judgement.detail === undefined
    ? words
    : words.replace("fails another way", `fails another way (${judgement.detail})`);
}

/** Shrinks `options.failed`; see the module doc. Interruptions propagate. */
export async function shrinkFailure(options: ShrinkRunOptions): Promise<ShrinkReport> {
  const runner = new CandidateRunner(options);
  try {
    return await shrinkWith(runner, options);
  } finally {
    await runner.close();
  }
}

async function shrinkWith(
  runner: CandidateRunner,
  options: ShrinkRunOptions,
): Promise<ShrinkReport> {
  const { scenario, failed, log } = options;
  const original = signatureOf(failed);
  const read = parseYaml(await Deno.readTextFile(scenario.path)) as ScenarioInput;
  // A limit the run derived from the target is written down, so candidates and the replay run under it.
  const raw: ScenarioInput = scenario.limits.processTimeoutFrom === "derived"
    ? { ...read, limits: { ...read.limits, processTimeoutMs: scenario.limits.processTimeoutMs } }
    : read;
  const origin =
    `Shrunk from ${scenario.file} (seed ${scenario.seed}, iteration ${failed.iteration}${
      options.mutant === undefined ? "" : `, mutant ${options.mutant}`
    }${options.swamp === undefined ? "" : `, swamp checkout ${options.swamp}`}), which failed: ${
      failed.failure?.reason ?? "?"
    }`;
  const frozen = freezeScenario(raw, failed.plan, failed.history, {
    scenarioDir: dirOf(scenario.path),
    mutant: options.mutant,
    swamp: options.swamp,
    origin,
    derivedPauses: new Set(
      failed.witnesses.flatMap((w) =>
        w.witness.kind === "pause" ? [`${w.witness.process} ${w.witness.rule}`] : []
      ),
    ),
  });
  const from = {
    processes: failed.plan.processes.length,
    faults: failed.plan.processes.reduce((n, p) => n + p.rules.length, 0),
  };
  const frozenJudgement = await runner.judge(frozen, failed.plan.processes.map((_, i) => i));
  if (frozenJudgement.verdict !== "same-failure") {
    log(
      `shrink: the frozen plan did not fail the same way (${judgementWords(frozenJudgement)}${
        frozenJudgement.verdict === "passes" || frozenJudgement.verdict === "fails-otherwise"
          ? ": the failure depends on timing"
          : ""
      }); nothing written`,
    );
    return { status: "not-reproduced", runs: 1, steps: [], from, failure: original };
  }
  log(`shrink: frozen plan fails the same way; reducing (at most ${options.runBudget} runs)`);
  const result = await shrinkLoop(frozen, {
    tryCandidate: (candidate: Candidate) => runner.judge(candidate.input, candidate.origins),
    onTried: (candidate, judgement, runs) =>
      log(`shrink: run ${runs}: ${candidate.label}: ${judgementWords(judgement)}`),
  }, options.runBudget);

  // Written as run: per-process faults in their order (merging could reorder one process's rules).
  const final = canonicalOrder(result.input);
  const replay = `${options.launcher} task sim ${shellWord(options.outPath)}`;
  const text = scenarioText(final, [
    `yaml-language-server: $schema=${
      new URL("../../scenarios/schema.json", import.meta.url).pathname
    }`,
    origin.replaceAll("\n", " "),
    `Reduced in ${result.runs + 1} run(s) (the frozen plan, then one per candidate${
      (options.runsPerCandidate ?? 1) > 1 ? `, each run ${options.runsPerCandidate} times` : ""
    }): ${result.steps.join("; ") || "nothing could be removed"}${
      result.stoppedBy === undefined ? "" : ` (stopped by the ${result.stoppedBy})`
    }.`,
    `Replay: ${replay}`,
  ]);
  await Deno.mkdir(dirOf(options.outPath), { recursive: true });
  await Deno.writeTextFile(options.outPath, text);
  return {
    status: "shrunk",
    file: options.outPath,
    replay,
    runs: result.runs + 1,
    steps: result.steps,
    ...(result.stoppedBy === undefined ? {} : { stoppedBy: result.stoppedBy }),
    from,
    to: sizeOf(result.input),
    failure: original,
  };
}
