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
import { prepareShim } from "./backend.ts";
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

async function iterate(
  scenario: Scenario,
  plan: Plan,
  options: IterationOptions,
  ws: Workspace,
  startedMs: number,
): Promise<RunRecord> {
  const history: History = {
    scenario: scenario.name,
    seed: plan.seed,
    iteration: plan.iteration,
    ops: [],
  };
  const timeoutFor = () => {
    const left = options.deadlineMs - wallMs();
    if (left <= 0) throw new HarnessError("The run time limit (limits.runTimeoutMs) was reached");
    return Math.min(scenario.limits.processTimeoutMs, left);
  };

  const runBare = async (
    phase: HistoryPhase,
    process: number,
    op: HistoryOpSpec,
  ): Promise<HistoryOp> => {
    if (op.op === "remove-stale-lock") return await removeStaleLock(ws, process);
    const argv = swampArgv(op, ws.repoDir);
    const spec = spawnSpec(scenario.target, ws, options.run, argv, { backend: "none" });
    const result = await runProcess(options.cleanup, spec, timeoutFor());
    return toHistoryOp(
      phase,
      process,
      op,
      [spec.command, ...spec.args],
      result,
      [],
      NO_EVENT_LOG,
      [],
    );
  };

  // Set-up: the repo built by the target's own commands, without faults.
  const setup: HistoryOpSpec[] = [
    { op: "init" },
    ...scenario.fixture.installed.map((ref): OpSpec => ({ op: "pull", ref })),
    ...(scenario.fixture.populate ? [{ op: "list" } as OpSpec] : []),
  ];
  for (const [i, op] of setup.entries()) {
    const done = await runBare("setup", i, op);
    history.ops.push(done);
    if (done.outcome.type !== "ok") {
      throw new HarnessError(
        `Fixture set-up failed: ${opLabel(done)} ended ${done.outcome.class}: ${
          (done.outcome.message ?? done.stderr).slice(0, 400)
        }`,
      );
    }
  }
  const afterSetup = await takeSnapshot(ws.repoDir);
  const setupEntries = lockEntries(afterSetup);
  if (!setupEntries.ok) throw new HarnessError(`Fixture set-up left ${setupEntries.reason}`);
  const initial = Object.fromEntries(
    Object.entries(setupEntries.entries).map(([n, e]) => [n, e.version]),
  );

  // Run: every planned process, at its offset, through the shim backend.
  // Once one fails (a harness error), held starts stop waiting.
  let failing = false;
  const prepared = await Promise.all(
    plan.processes.map((p) =>
      prepareShim(scenario.target, ws, {
        key: `run-${p.index}`,
        process: p.index,
        op: p.op.op as OpKind,
        rules: p.rules,
        publish: p.publish,
        interrupted: () => options.cleanup.interrupted !== undefined || failing,
        holdLimitMs: () =>
          Math.max(0, Math.min(scenario.limits.processTimeoutMs, options.deadlineMs - wallMs())),
      })
    ),
  );
  const t0Ms = wallMs() + START_LEAD_MS;
  const runOne = async (p: PlannedProcess): Promise<HistoryOp> => {
    await sleep(t0Ms + p.startOffsetMs - wallMs());
    const shim = prepared[p.index];
    const argv = swampArgv(p.op, ws.repoDir);
    const spec = spawnSpec(scenario.target, ws, options.run, argv, shim.use);
    const readyMs = wallMs();
    // The time limit covers a start the simulator held (strace) as it covers a pause inside
    // the process (preload): a process whose limit the hold used up is killed at once.
    const spawn = () =>
      runProcess(options.cleanup, spec, Math.max(1, timeoutFor() - (wallMs() - readyMs)));
    const result = await shim.around(spawn).catch((error) => {
      if (error instanceof TraceFollowError) throw new HarnessError(error.message);
      throw error;
    });
    await Deno.writeTextFile(exitMarkerPath(ws.controlDir, p.index), "");
    const { events, ...eventLog } = await shim.readEvents();
    return toHistoryOp(
      "run",
      p.index,
      p.op,
      [spec.command, ...spec.args],
      result,
      events,
      eventLog,
      p.rules,
    );
  };
  const settled = await Promise.allSettled(
    plan.processes.map((p) =>
      runOne(p).catch((error) => {
        failing = true;
        throw error;
      })
    ),
  );
  for (const s of settled) {
    if (s.status === "rejected") throw s.reason;
    history.ops.push(s.value);
  }

  const afterRun = await takeSnapshot(ws.repoDir);

  // Recovery: the scenario's steps, without faults.
  let afterRecovery: Snapshot | undefined;
  if (scenario.recovery.length > 0) {
    let r = 0;
    for (const step of scenario.recovery) {
      if (step === "retry-info") {
        const indeterminate = history.ops.filter((op) =>
          op.phase === "run" && op.outcome.type === "info"
        );
        for (const op of indeterminate) history.ops.push(await runBare("recovery", r++, op.op));
      } else if (step === "remove-stale-lock") {
        history.ops.push(await runBare("recovery", r++, { op: "remove-stale-lock" }));
      } else {
        history.ops.push(await runBare("recovery", r++, step));
      }
    }
    afterRecovery = await takeSnapshot(ws.repoDir);
  }

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
