import assert from "node:assert/strict";
import type { FaultEvent } from "../../faults/event.ts";
import type { Phase, Point } from "../../faults/vocabulary.ts";
import type { HistoryOp } from "../record/history.ts";
import { EXIT, worseExit } from "../shared/exit_codes.ts";
import { parseScenario } from "../scenario/load.ts";
import { planIteration } from "../scenario/plan.ts";
import { historyOp, pullOp } from "./invariants/_fixtures.ts";
import type { Verdict } from "./invariants/mod.ts";
import { failureOf, judgeAll } from "./judge.ts";
import {
  checkWitnesses,
  derivedWitnesses,
  iterationWitnesses,
  rangeText,
  type Witness,
} from "./witness.ts";

const FIXTURE = `fixture:
  registry:
    - name: "@fix/alpha"
      versions: [{ version: 2026.01.01.1 }]
    - name: "@fix/beta"
      versions: [{ version: 2026.01.01.1 }]
`;

/** A two-pull scenario with `rest` (faults, witnesses, ...) appended. */
function scenarioOf(rest: string, workload?: string) {
  const text = `name: w
proves: witnesses
seed: 1
${FIXTURE}${
    workload ?? `workload:
  processes:
    - { op: pull, ref: "@fix/alpha" }
    - { op: pull, ref: "@fix/beta" }
`
  }${rest}`;
  return parseScenario(text, "w.yaml", "/s/w.yaml");
}

let seq = 0;
function ev(
  point: Point,
  phase: Phase,
  hit: number,
  extra: Partial<FaultEvent> = {},
): FaultEvent {
  return {
    seq: ++seq,
    process: 0,
    pid: 1,
    point,
    phase,
    hit,
    action: "none",
    atMs: seq,
    ...extra,
  };
}

function withEvents(op: HistoryOp, events: FaultEvent[]): HistoryOp {
  return { ...op, events: events.map((e) => ({ ...e, process: op.process })) };
}

/** A waiter whose first `refused` lock attempts threw and whose next one returned. */
function waiter(process: number, refused: number): HistoryOp {
  const events: FaultEvent[] = [];
  for (let hit = 1; hit <= refused + 1; hit++) {
    events.push(ev("lock.acquire", "before", hit));
    events.push(ev("lock.acquire", "after", hit, { threw: hit <= refused }));
  }
  return withEvents(pullOp(process, "@fix/beta"), events);
}

const REFUSED: Witness = {
  kind: "declared",
  id: "witnesses[0]",
  process: 1,
  at: "lock.acquire",
  when: "after",
  threw: true,
  atLeast: 1,
  shows: "p1 meets a held lock",
};

Deno.test("checkWitnesses() shows a declared witness whose events fall in its range", () => {
  const [result] = checkWitnesses([REFUSED], [pullOp(0, "@fix/alpha"), waiter(1, 3)]);
  assert.equal(result.held, true);
  assert.equal(result.count, 3);
  assert.equal(
    result.explanation,
    "witnesses[0] (p1 meets a held lock) showed: 3 event(s) p1 after lock.acquire that threw, needed >= 1",
  );
});

Deno.test("checkWitnesses() fails a declared witness with too few events, in words", () => {
  const [result] = checkWitnesses([REFUSED], [pullOp(0, "@fix/alpha"), waiter(1, 0)]);
  assert.equal(result.held, false);
  assert.equal(result.count, 0);
  assert.equal(
    result.explanation,
    "witnesses[0] (p1 meets a held lock) did not show: 0 event(s) p1 after lock.acquire that threw, needed >= 1",
  );
});

Deno.test("checkWitnesses() fails a declared witness above its atMost, and counts only its filters", () => {
  const exact: Witness = { ...REFUSED, atLeast: 9, atMost: 9 };
  assert.deepEqual(
    checkWitnesses([exact], [waiter(0, 9), waiter(1, 10)]).map((r) => [r.held, r.count]),
    [[false, 10]],
  );
  assert.deepEqual(checkWitnesses([exact], [waiter(1, 9)]).map((r) => r.held), [true]);
  // threw: false counts the attempt that returned; hit picks one attempt; no threw counts both.
  const took: Witness = { ...REFUSED, threw: false, atLeast: 1, atMost: 1 };
  assert.equal(checkWitnesses([took], [waiter(1, 4)])[0].held, true);
  const fifth: Witness = { ...REFUSED, threw: false, hit: 5 };
  assert.equal(checkWitnesses([fifth], [waiter(1, 4)])[0].held, true);
  assert.equal(checkWitnesses([fifth], [waiter(1, 3)])[0].held, false);
  const before: Witness = { ...REFUSED, when: "before", threw: undefined, atLeast: 5 };
  assert.equal(checkWitnesses([before], [waiter(1, 4)])[0].count, 5);
  // A process with no run op (it never started) has no events; set-up ops never count.
  const setup = { ...waiter(1, 4), phase: "setup" as const };
  assert.equal(checkWitnesses([REFUSED], [setup])[0].held, false);
});

Deno.test("rangeText() says the range a witness needs", () => {
  assert.equal(rangeText({ atLeast: 1 }), ">= 1");
  assert.equal(rangeText({ atLeast: 9, atMost: 9 }), "9");
  assert.equal(rangeText({ atLeast: 2, atMost: 5 }), "2..5");
  assert.equal(rangeText({ atLeast: 0, atMost: 3 }), "<= 3");
});

const PINNED = `faults:
  - at: lock.acquire
    when: after
    action: { kind: pause, timeoutMs: 5000, untilEvents: [{ process: 1, at: lock.acquire, when: after, hit: 3 }] }
    processes: [0]
  - at: lock.acquire
    hit: 4
    action: { kind: pause, timeoutMs: 5000, untilExitOf: [0] }
    processes: [1]
`;

Deno.test("derivedWitnesses() derives one witness per pinned pause with a fixed hit", () => {
  const scenario = scenarioOf(PINNED);
  const derived = derivedWitnesses(scenario, planIteration(scenario, 0));
  assert.deepEqual(derived.map((w) => [w.id, w.at, w.when, w.hit, w.waitsFor]), [
    ["pause faults[0] of p0", "lock.acquire", "after", 1, "p1 after lock.acquire #3"],
    ["pause faults[1] of p1", "lock.acquire", "before", 4, "p0's exit"],
  ]);
  assert.equal(iterationWitnesses(scenario, planIteration(scenario, 0)).length, 2);
});

Deno.test("derivedWitnesses() derives nothing where the pinned process may not reach its pause", () => {
  const derivedOf = (rest: string, workload?: string) => {
    const s = scenarioOf(rest, workload);
    return derivedWitnesses(s, planIteration(s, 0)).map((w) => w.id);
  };
  // The timeout is the release, by declaration.
  assert.deepEqual(
    derivedOf(PINNED.replace("untilExitOf: [0] }", "untilExitOf: [0], release: timeout }")),
    ["pause faults[0] of p0"],
  );
  // A pause on every process samples rather than pins.
  assert.deepEqual(derivedOf(PINNED.replace("    processes: [1]\n", "")), [
    "pause faults[0] of p0",
  ]);
  // A probabilistic hit may not fire.
  assert.deepEqual(derivedOf(PINNED.replace("hit: 4", "hit: { probability: 0.5 }")), [
    "pause faults[0] of p0",
  ]);
  // A process carrying a crash may die before its pause.
  assert.deepEqual(
    derivedOf(`${PINNED}  - { at: registry.fetch, action: crash, processes: [1] }\n`),
    ["pause faults[0] of p0"],
  );
  // A mix workload draws its ops.
  assert.deepEqual(
    derivedOf(
      PINNED,
      `workload:\n  count: 2\n  mix: [{ op: pull, ref: "@fix/alpha" }]\n`,
    ),
    [],
  );
  // A sweep's process carries the swept action.
  const sweep = parseScenario(
    `name: w\nproves: p\nseed: 1\n${FIXTURE}sweep:\n  ops: [{ op: pull, ref: "@fix/alpha" }]\n  points: [lock.acquire]\n` +
      `faults:\n  - { at: process.start, action: { kind: pause, timeoutMs: 100 }, processes: [0] }\n`,
    "w.yaml",
    "/s/w.yaml",
  );
  assert.deepEqual(derivedWitnesses(sweep, planIteration(sweep, 0)), []);
});

function pauseEvent(process: number, extra: Partial<FaultEvent>): FaultEvent {
  return ev("lock.acquire", "after", 1, {
    process,
    action: "pause",
    rule: "faults[0]",
    released: true,
    pausedMs: 400,
    ...extra,
  });
}

Deno.test("checkWitnesses() shows a pause witness released by its condition", () => {
  const scenario = scenarioOf(PINNED);
  const [holderPause] = derivedWitnesses(scenario, planIteration(scenario, 0));
  const holder = withEvents(pullOp(0, "@fix/alpha"), [pauseEvent(0, {})]);
  const [result] = checkWitnesses([{ kind: "pause", ...holderPause }], [holder]);
  assert.equal(result.held, true);
  assert.equal(
    result.explanation,
    "p0's pause (faults[0]) at after lock.acquire #1 was released by p1 after lock.acquire #3",
  );
});

Deno.test("checkWitnesses() fails a pause witness released by its timeout, or never fired", () => {
  const scenario = scenarioOf(PINNED);
  const [holderPause, waiterPause] = derivedWitnesses(scenario, planIteration(scenario, 0))
    .map((w): Witness => ({ kind: "pause", ...w }));
  const timedOut = withEvents(pullOp(0, "@fix/alpha"), [
    pauseEvent(0, { released: false, pausedMs: 5000 }),
  ]);
  const [late] = checkWitnesses([holderPause], [timedOut]);
  assert.equal(late.held, false);
  assert.equal(
    late.explanation,
    "p0's pause (faults[0]) at after lock.acquire #1 was released by its 5000 ms timeout " +
      "(hit 1, 5000 ms), not by p1 after lock.acquire #3",
  );
  // The waiter took the lock at its second attempt: its pause before attempt 4 never fired.
  const [never] = checkWitnesses([waiterPause], [waiter(1, 1)]);
  assert.equal(never.held, false);
  assert.equal(never.count, 0);
  assert.equal(
    never.explanation,
    "p1's pause (faults[1]) at before lock.acquire #4 never fired: p1 reached before " +
      "lock.acquire 2 time(s), so the interleaving it pins (waiting for p0's exit) did not happen",
  );
});

Deno.test("checkWitnesses() needs every firing of an every-hit pause released by its condition", () => {
  const every: Witness = {
    kind: "pause",
    id: "pause faults[0] of p0",
    process: 0,
    rule: "faults[0]",
    at: "lock.acquire",
    when: "after",
    hit: "every",
    timeoutMs: 100,
    waitsFor: "p1's exit",
  };
  const op = (released: boolean[]) =>
    withEvents(
      pullOp(0, "@fix/alpha"),
      released.map((r, i) => pauseEvent(0, { hit: i + 1, released: r })),
    );
  assert.equal(checkWitnesses([every], [op([true, true])])[0].held, true);
  assert.equal(checkWitnesses([every], [op([true, false])])[0].held, false);
  assert.equal(checkWitnesses([every], [op([])])[0].held, false);
});

const VALID: Verdict = {
  invariant: "catalog-integrity",
  phase: "run",
  status: "valid",
  explanation: "ok",
  evidence: {},
};

Deno.test("failureOf() calls an iteration vacuous when its judgements pass but a witness did not show", () => {
  const judged = judgeAll([VALID], { run: {}, recovery: {} });
  const unshown = checkWitnesses([REFUSED], [waiter(1, 0)]);
  assert.deepEqual(failureOf(judged, [], unshown), {
    class: "vacuous",
    reason: "the pinned race did not happen: witnesses[0] (p1 meets a held lock) did not show",
  });
  const shown = checkWitnesses([REFUSED], [waiter(1, 2)]);
  assert.equal(failureOf(judged, [], shown), undefined);
  // A failed judgement is an invariant failure; the witness is named as well.
  const failed = judgeAll([{ ...VALID, status: "invalid" }], { run: {}, recovery: {} });
  const both = failureOf(failed, [historyOp(0, { op: "list" })], unshown);
  assert.equal(both?.class, "invariant");
  assert.match(both?.reason ?? "", /and the pinned race did not happen: witnesses\[0\]/);
});

Deno.test("worseExit() ranks target over invariant over vacuous over pass", () => {
  const order = [EXIT.pass, EXIT.vacuous, EXIT.invariant, EXIT.target];
  for (let i = 0; i < order.length; i++) {
    for (let j = 0; j < order.length; j++) {
      assert.equal(worseExit(order[i], order[j]), order[Math.max(i, j)]);
    }
  }
});
