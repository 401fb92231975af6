/**
 * The runner: executes one planned iteration in a fresh workspace and
 * records it. Set-up through the target's own commands, the workload's
 * processes spawned through the shim backend at their planned offsets
 * against one repo, a snapshot, the recovery steps without faults, another
 * snapshot. It checks nothing: the check stage reads the {@link RunRecord}.
 * I/O lives here; planning and checking are pure and live elsewhere.
 *
 * @module
 */

import type { OpKind } from "../../faults/vocabulary.ts";
import { TraceFollowError } from "../../faults/strace/follow.ts";
import { exitMarkerPath } from "../../faults/rule.ts";
import { type PreparedShim, prepareShim } from "./backend.ts";
import type { Cleanup } from "./cleanup.ts";
import type { History, HistoryOp, HistoryOpSpec, HistoryPhase } from "../record/history.ts";
import { opLabel } from "../record/history.ts";
import { parseJsonStream } from "../record/json_stream.ts";
import { LOCK_PATH } from "../shared/layout.ts";
import { lockEntries } from "../record/layers.ts";
import type { RunRecord } from "../record/run_record.ts";
import { classifyOutcome } from "../shared/outcome.ts";
import type { Plan, PlannedProcess } from "../scenario/plan.ts";
import { runProcess, wallMs } from "./process.ts";
import type { OpSpec, Scenario } from "../scenario/load.ts";
import { type Snapshot, takeSnapshot } from "../record/snapshot.ts";
import { swampArgv } from "./swamp_argv.ts";
import { type RunContext, spawnSpec } from "./target.ts";
import { createWorkspace, type Workspace } from "./workspace.ts";

/** The simulator itself failed (not the target): set-up, I/O, a broken assumption. */
export class HarnessError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "HarnessError";
  }
}

/** Options of one iteration. */
export interface IterationOptions {
  cleanup: Cleanup;
  run: RunContext;
  /** Keep the workspace instead of removing it. */
  keep: boolean;
  /** Wall-clock deadline of the whole simulator run (ms since epoch). */
  deadlineMs: number;
}

/** Lead time between spawning the first process and t0, so shim configs are on disk. */
const START_LEAD_MS = 5;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

/** Runs one iteration of `scenario` as `plan` says and returns what it recorded. */
export async function runIteration(
  scenario: Scenario,
  plan: Plan,
  options: IterationOptions,
): Promise<RunRecord> {
  const startedMs = wallMs();
  const ws = await createWorkspace(options.cleanup, `${scenario.name}-${plan.iteration}`);
  try {
    return await iterate(scenario, plan, options, ws, startedMs);
  } finally {
    if (!options.keep) await options.cleanup.removeDir(ws.root);
  }
}

/** What every step of one iteration works with. */
interface Iteration {
  scenario: Scenario;
  options: IterationOptions;
  ws: Workspace;
}

/** The steps of one iteration, in order: set-up, workload, snapshot, recovery. */
async function iterate(
  scenario: Scenario,
  plan: Plan,
  options: IterationOptions,
  ws: Workspace,
  startedMs: number,
): Promise<RunRecord> {
  const it: Iteration = { scenario, options, ws };
  const history: History = {
    scenario: scenario.name,
    seed: plan.seed,
    iteration: plan.iteration,
    ops: [],
  };
  const initial = await setUp(it, history);
  const { t0Ms, ops } = await runWorkload(it, plan);
  history.ops.push(...ops);
  const afterRun = await takeSnapshot(ws.repoDir);
  const afterRecovery = scenario.recovery.length > 0 ? await recover(it, history) : undefined;
  return {
    history,
    initial,
    t0Ms,
    afterRun,
    ...(afterRecovery === undefined ? {} : { afterRecovery }),
    durationMs: wallMs() - startedMs,
    workspace: options.keep ? ws.root : undefined,
  };
}

/**
 * Set-up: the repo built by the target's own commands (`init`, a pull per
 * installed ref, `extension list` unless `populate: false`), without
 * faults. Appends its ops to `history`; returns the lockfile version of
 * each extension it left. Any op that is not `ok`, or a lockfile that does
 * not parse, is a {@link HarnessError}.
 */
async function setUp(it: Iteration, history: History): Promise<Record<string, string>> {
  const { fixture } = it.scenario;
  const setup: HistoryOpSpec[] = [
    { op: "init" },
    ...fixture.installed.map((ref): OpSpec => ({ op: "pull", ref })),
    ...(fixture.populate ? [{ op: "list" } as OpSpec] : []),
  ];
  for (const [i, op] of setup.entries()) {
    const done = await runBare(it, "setup", i, op);
    history.ops.push(done);
    if (done.outcome.type !== "ok") {
      throw new HarnessError(
        `Fixture set-up failed: ${opLabel(done)} ended ${done.outcome.class}: ${
          (done.outcome.message ?? done.stderr).slice(0, 400)
        }`,
      );
    }
  }
  const afterSetup = await takeSnapshot(it.ws.repoDir);
  const setupEntries = lockEntries(afterSetup);
  if (!setupEntries.ok) throw new HarnessError(`Fixture set-up left ${setupEntries.reason}`);
  return Object.fromEntries(
    Object.entries(setupEntries.entries).map(([n, e]) => [n, e.version]),
  );
}

/**
 * The workload: every planned process, at its offset from t0, through the
 * shim backend, all at once. Returns t0 and the processes' ops in index
 * order; the first process that failed (a harness error) is rethrown once
 * all have settled.
 */
async function runWorkload(
  it: Iteration,
  plan: Plan,
): Promise<{ t0Ms: number; ops: HistoryOp[] }> {
  // Once one fails, held starts stop waiting.
  let failing = false;
  const shims = await prepareShims(it, plan, () => failing);
  const t0Ms = wallMs() + START_LEAD_MS;
  const settled = await Promise.allSettled(
    plan.processes.map((p) =>
      runPlanned(it, p, shims[p.index], t0Ms).catch((error) => {
        failing = true;
        throw error;
      })
    ),
  );
  const ops: HistoryOp[] = [];
  for (const s of settled) {
    if (s.status === "rejected") throw s.reason;
    ops.push(s.value);
  }
  return { t0Ms, ops };
}

/** Each planned process's shim, by index; a held start stops waiting once `failing()` holds. */
function prepareShims(
  it: Iteration,
  plan: Plan,
  failing: () => boolean,
): Promise<PreparedShim[]> {
  const { scenario, options, ws } = it;
  return Promise.all(
    plan.processes.map((p) =>
      prepareShim(scenario.target, ws, {
        key: `run-${p.index}`,
        process: p.index,
        op: p.op.op as OpKind,
        rules: p.rules,
        publish: p.publish,
        interrupted: () => options.cleanup.interrupted !== undefined || failing(),
        holdLimitMs: () =>
          Math.max(0, Math.min(scenario.limits.processTimeoutMs, options.deadlineMs - wallMs())),
      })
    ),
  );
}

/**
 * One planned process: sleeps until its start, spawns it through its shim,
 * marks its exit for pauses waiting on it (`untilExitOf`), and reads the
 * events its shim logged.
 */
async function runPlanned(
  it: Iteration,
  p: PlannedProcess,
  shim: PreparedShim,
  t0Ms: number,
): Promise<HistoryOp> {
  const { scenario, options, ws } = it;
  await sleep(t0Ms + p.startOffsetMs - wallMs());
  const argv = swampArgv(p.op, ws.repoDir);
  const spec = spawnSpec(scenario.target, ws, options.run, argv, shim.use);
  const readyMs = wallMs();
  // The time limit covers a start the simulator held (strace) as it covers a pause inside
  // the process (preload): a process whose limit the hold used up is killed at once.
  let limitMs = timeLimitMs(it);
  const spawn = () => {
    limitMs = Math.max(1, timeLimitMs(it) - (wallMs() - readyMs));
    return runProcess(options.cleanup, spec, limitMs);
  };
  const result = await shim.around(spawn).catch((error) => {
    if (error instanceof TraceFollowError) throw new HarnessError(error.message);
    throw error;
  });
  await Deno.writeTextFile(exitMarkerPath(ws.controlDir, p.index), "");
  const { events, ...eventLog } = await shim.readEvents();
  return {
    ...toHistoryOp(
      "run",
      p.index,
      p.op,
      [spec.command, ...spec.args],
      result,
      events,
      eventLog,
      p.rules,
    ),
    limitMs,
  };
}

/**
 * Recovery: the scenario's steps in order, without faults (`retry-info`
 * re-runs every run op that ended `info`). Appends its ops to `history`;
 * returns the repo after them.
 */
async function recover(it: Iteration, history: History): Promise<Snapshot> {
  let r = 0;
  for (const step of it.scenario.recovery) {
    if (step === "retry-info") {
      const indeterminate = history.ops.filter((op) =>
        op.phase === "run" && op.outcome.type === "info"
      );
      for (const op of indeterminate) {
        history.ops.push(await runBare(it, "recovery", r++, op.op));
      }
    } else if (step === "remove-stale-lock") {
      history.ops.push(await runBare(it, "recovery", r++, { op: "remove-stale-lock" }));
    } else {
      history.ops.push(await runBare(it, "recovery", r++, step));
    }
  }
  return await takeSnapshot(it.ws.repoDir);
}

/** One op of set-up or recovery: no shim, no faults; `remove-stale-lock` is the simulator's own. */
async function runBare(
  it: Iteration,
  phase: HistoryPhase,
  process: number,
  op: HistoryOpSpec,
): Promise<HistoryOp> {
  const { scenario, options, ws } = it;
  if (op.op === "remove-stale-lock") return await removeStaleLock(ws, process);
  const argv = swampArgv(op, ws.repoDir);
  const spec = spawnSpec(scenario.target, ws, options.run, argv, { backend: "none" });
  const limitMs = timeLimitMs(it);
  const result = await runProcess(options.cleanup, spec, limitMs);
  return {
    ...toHistoryOp(
      phase,
      process,
      op,
      [spec.command, ...spec.args],
      result,
      [],
      NO_EVENT_LOG,
      [],
    ),
    limitMs,
  };
}

/** The time limit of a process starting now: its own, cut to what is left of the run's. */
function timeLimitMs(it: Iteration): number {
  const left = it.options.deadlineMs - wallMs();
  if (left <= 0) throw new HarnessError("The run time limit (limits.runTimeoutMs) was reached");
  return Math.min(it.scenario.limits.processTimeoutMs, left);
}

/** The event log of a process run without a shim. */
const NO_EVENT_LOG = { truncated: 0, capped: false } as const;

function toHistoryOp(
  phase: HistoryPhase,
  process: number,
  op: HistoryOpSpec,
  argv: string[],
  result: Awaited<ReturnType<typeof runProcess>>,
  events: HistoryOp["events"],
  eventLog: { truncated: number; capped: boolean },
  rules: HistoryOp["rules"],
): HistoryOp {
  const crashedByFault = result.signal === "SIGKILL" && !result.timedOut &&
    events.some((e) => e.action === "crash");
  const outcome = classifyOutcome({
    exitCode: result.exitCode,
    signal: result.signal,
    stderr: result.stderr,
    crashedByFault,
    timedOut: result.timedOut,
  });
  const crashEvent = events.find((e) => e.action === "crash");
  return {
    process,
    phase,
    op,
    argv,
    pid: result.pid,
    invokeMs: result.invokeMs,
    // A crashed op's effects all happened before the kill: its completion is the crash instant.
    completeMs: crashedByFault && crashEvent !== undefined
      ? Math.min(crashEvent.atMs, result.completeMs)
      : result.completeMs,
    exitCode: result.exitCode,
    signal: result.signal,
    outcome,
    stdout: result.stdout,
    stderr: result.stderr,
    json: parseJsonStream(result.stdout).values,
    events,
    eventsTruncated: eventLog.truncated,
    ...(eventLog.capped ? { eventsCapped: true } : {}),
    rules,
  };
}

async function removeStaleLock(ws: Workspace, process: number): Promise<HistoryOp> {
  const invokeMs = wallMs();
  let removed = true;
  try {
    await Deno.remove(`${ws.repoDir}/${LOCK_PATH}`);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    removed = false;
  }
  return {
    process,
    phase: "recovery",
    op: { op: "remove-stale-lock" },
    argv: ["rm", LOCK_PATH],
    invokeMs,
    completeMs: wallMs(),
    exitCode: 0,
    signal: null,
    outcome: { type: "ok", class: "ok", message: removed ? "removed" : "no lock file" },
    stdout: "",
    stderr: "",
    json: [],
    events: [],
    eventsTruncated: 0,
    rules: [],
  };
}
