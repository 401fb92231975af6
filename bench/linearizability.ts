/**
 * Linearizability benchmark: the time of the `linearizable` check (search
 * and, on a violation, its explanation) over the history of one iteration of
 * the 50-process stress scenario, run here through `simulate()`, and over a
 * generated 200-op history of one extension whose windows overlap up to five
 * ops either way. The check is pure, so each is timed on the same history
 * `samples` times after one warm-up.
 *
 * @module
 */

import fc from "fast-check";
import { checkContext, historyOf, installedSnapshot } from "../sim/check/invariants/_fixtures.ts";
import { linearizable } from "../sim/check/invariants/linearizable.ts";
import type { CheckContext, Verdict } from "../sim/check/invariants/verdict.ts";
import {
  type PlannedOp,
  plannedStep,
  serialHistory,
  SLOT_MS,
  withImpossibleAnswer,
} from "../sim/check/linearizability/_serial_history.ts";
import { listAnswer } from "../sim/check/model/answers.ts";
import { simulate } from "../sim/drive/simulate.ts";
import { takeSnapshot } from "../sim/record/snapshot.ts";
import { type BenchTable, median } from "./table.ts";

const STRESS = new URL("../scenarios/lifecycle-stress.yaml", import.meta.url).pathname;

/** Ops of the generated one-extension history. */
export const ONE_EXTENSION_OPS = 200;

function timeCheck(ctx: CheckContext, samples: number): { times: number[]; verdict: Verdict } {
  const run = () => ({ invariant: linearizable.id, phase: ctx.phase, ...linearizable.check(ctx) });
  let verdict = run();
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    const start = performance.now();
    verdict = run();
    times.push(performance.now() - start);
  }
  return { times, verdict };
}

/** The run-phase context of one stress iteration, from a kept workspace. */
async function stressContext(): Promise<CheckContext> {
  const reportDir = await Deno.makeTempDir({ prefix: "bench-linearizability-" });
  let workspace: string | undefined;
  try {
    const result = await simulate({
      scenario: STRESS,
      iteration: 0,
      keep: true,
      reportDir,
      log: () => {},
    });
    const [iteration] = result.results;
    workspace = iteration.workspace;
    if (workspace === undefined || result.scenario === undefined) {
      throw new Error("The stress run kept no workspace");
    }
    const setupList = iteration.history.ops.filter((o) => o.phase === "setup").at(-1);
    const listed = setupList === undefined ? undefined : listAnswer(setupList);
    if (listed?.kind !== "listed") throw new Error("The stress set-up printed no list");
    return {
      phase: "run",
      snapshot: await takeSnapshot(`${workspace}/repo`),
      history: {
        ...iteration.history,
        ops: iteration.history.ops.filter((o) => o.phase !== "recovery"),
      },
      fixture: result.scenario.fixture.spec,
      typeConflict: false,
      initial: Object.fromEntries(listed.extensions.map((e) => [e.name, e.version])),
      outcomes: {},
      expect: {},
      t0Ms: Math.min(
        ...iteration.history.ops.filter((o) => o.phase === "run").map((o) => o.invokeMs),
      ),
    };
  } finally {
    await Deno.remove(reportDir, { recursive: true });
    if (workspace !== undefined) await Deno.remove(workspace, { recursive: true });
  }
}

/** A 200-op serial history of `@fix/alpha`, each window widened by up to five slots either way. */
export function oneExtensionContext(seed = 17): CheckContext {
  const alphaOnly = plannedStep(5 * SLOT_MS).filter((s) => {
    const op: PlannedOp = s.op;
    return op.kind === "list" || op.kind === "update" && op.name === undefined ||
      ("name" in op && op.name === "@fix/alpha");
  });
  const [plan] = fc.sample(
    fc.array(alphaOnly, { minLength: ONE_EXTENSION_OPS, maxLength: ONE_EXTENSION_OPS }),
    { seed, numRuns: 1 },
  );
  const h = serialHistory(plan, { "@fix/alpha": "2026.01.01.1" });
  return checkContext({
    snapshot: installedSnapshot(h.final, { spec: h.fixture }),
    history: historyOf(h.ops),
    initial: h.initial,
    fixture: h.fixture,
  });
}

/** The context with the middle op's answer changed to one no order gives. */
function withOneImpossibleAnswer(ctx: CheckContext): CheckContext {
  const ops = ctx.history.ops;
  const middle = Math.floor(ops.length / 2);
  for (let d = 0; d < ops.length; d++) {
    const changed = withImpossibleAnswer(ops, (middle + d) % ops.length);
    if (changed !== undefined) return { ...ctx, history: { ...ctx.history, ops: changed } };
  }
  throw new Error("No op of the generated history has an answer to change");
}

/** Runs the linearizability benchmark. */
export async function benchLinearizability(
  options: { samples?: number } = {},
): Promise<BenchTable> {
  const samples = options.samples ?? 20;
  const stress = timeCheck(await stressContext(), samples);
  const oneCtx = oneExtensionContext();
  const one = timeCheck(oneCtx, samples);
  const broken = timeCheck(withOneImpossibleAnswer(oneCtx), samples);
  return {
    title: "linearizability: the `linearizable` check over one history",
    rows: [
      {
        name: `50-process stress history (${stress.verdict.status})`,
        medianMs: median(stress.times),
        samples,
        target: 50,
        unit: "ms",
      },
      {
        name: `${ONE_EXTENSION_OPS}-op history of one extension (${one.verdict.status})`,
        medianMs: median(one.times),
        samples,
        target: 1_000,
        unit: "ms",
      },
      {
        name: `the same with one impossible answer (${broken.verdict.status}, explained)`,
        medianMs: median(broken.times),
        samples,
      },
    ],
    notes: [
      `stress: iteration 0 of ${
        STRESS.slice(STRESS.lastIndexOf("/") + 1)
      }, run once here; a violation's time includes its explanation (shrinking and predictions)`,
      `one extension: a seeded serial history of @fix/alpha (pull, rm, update, list; one op in ten killed, with or without its effect), windows widened by up to ${
        5 * SLOT_MS
      } ms = 5 ops either way`,
      `stress verdict: ${stress.verdict.explanation.slice(0, 300)}`,
    ],
  };
}
