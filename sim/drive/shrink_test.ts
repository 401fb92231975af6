import assert from "node:assert/strict";
import { parse as parseYaml } from "yaml";
import type { FaultEvent } from "../../faults/event.ts";
import type { History, HistoryOp } from "../record/history.ts";
import { planIteration } from "../scenario/plan.ts";
import { parseScenario } from "../scenario/load.ts";
import type { FaultInput, ScenarioInput } from "../scenario/schema.ts";
import { scenarioText } from "./shrink_run.ts";
import {
  type CandidateJudgement,
  type CandidateVerdict,
  failureDifference,
  type FailureSignature,
  freezeScenario,
  sameFailure,
  shrinkCandidates,
  shrinkLoop,
  sizeOf,
} from "./shrink.ts";

const TEXT = `name: noisy
proves: The freezer writes a plan down.
seed: 7
iterations: 3
target: { kind: deno, entry: ../swamp/main.ts, backend: preload }
fixture:
  registry:
    - name: "@fix/alpha"
      versions: [{ version: 2026.01.01.1 }]
    - name: "@fix/beta"
      versions: [{ version: 2026.01.01.1 }]
workload:
  count: 4
  mix:
    - { op: pull, ref: "@fix/alpha" }
    - { op: rm, name: "@fix/beta" }
    - { op: list }
  startJitterMs: { min: 0, max: 50 }
faults:
  - at: registry.fetch
    action: { kind: delay, delayMsMin: 5, delayMsMax: 30 }
    hit: every
  - at: lock.acquire
    action: { kind: contend, attempts: 2 }
    hit: { probability: 0.5 }
  - at: catalog.commit
    when: after
    action: crash
    processes: [1]
  - at: process.start
    action:
      kind: pause
      timeoutMs: 900
      untilEvents: [{ process: 1, at: catalog.commit }]
      untilExitOf: [1]
      release: any
    processes: [2]
recovery: [retry-info]
`;

function event(process: number, partial: Partial<FaultEvent>): FaultEvent {
  return {
    seq: 1,
    process,
    pid: 100 + process,
    point: "registry.fetch",
    phase: "before",
    hit: 1,
    action: "none",
    atMs: 0,
    ...partial,
  };
}

function historyOf(eventsByProcess: FaultEvent[][]): History {
  const ops = eventsByProcess.map((events, process): HistoryOp => ({
    process,
    phase: "run",
    op: { op: "list" },
    argv: [],
    invokeMs: 0,
    completeMs: 1,
    exitCode: 0,
    signal: null,
    outcome: { type: "ok", class: "ok" },
    stdout: "",
    stderr: "",
    json: [],
    events,
    eventsTruncated: 0,
    rules: [],
  }));
  return { scenario: "noisy", seed: 7, iteration: 2, ops };
}

Deno.test("freezeScenario() writes the plan down: explicit processes, per-process faults, seeded choices as fact", () => {
  const scenario = parseScenario(TEXT, "noisy.yaml", "/s/scenarios/noisy.yaml");
  const plan = planIteration(scenario, 2);
  const events = plan.processes.map((p) => [
    event(p.index, {
      point: "registry.fetch",
      hit: 1,
      action: "delay",
      rule: "faults[0]",
      delayMs: 11 + p.index,
    }),
    event(p.index, {
      point: "registry.fetch",
      hit: 2,
      action: "delay",
      rule: "faults[0]",
      delayMs: 20,
    }),
    event(p.index, { point: "lock.acquire", hit: 1, action: "none" }),
    event(p.index, { point: "lock.acquire", hit: 2, action: "contend", rule: "faults[1]" }),
  ]);
  const raw = parseYaml(TEXT) as ScenarioInput;
  const frozen = freezeScenario(raw, plan, historyOf(events), {
    scenarioDir: "/s/scenarios",
    origin: "from noisy",
    derivedPauses: new Set(),
  });
  assert.equal(frozen.iterations, undefined);
  assert.equal(frozen.target?.entry, "/s/swamp/main.ts");
  assert.equal(frozen.proves, "from noisy");
  assert.deepEqual(
    frozen.workload?.processes?.map((p) => [p.op, p.startMs ?? 0]),
    plan.processes.map((p) => [p.op.op, p.startOffsetMs]),
  );
  const faults = frozen.faults ?? [];
  const of = (i: number) => faults.filter((f) => f.processes?.includes(i));
  // Process 0: two fixed delays at the hits that fired, and the contend at hit 2 only
  // (one attempt: `attempts: 2` at `nth: 2` would hold hits 2 and 3).
  assert.deepEqual(of(0).map((f) => [f.at, f.action, f.hit]), [
    ["registry.fetch", { kind: "delay", delayMs: 11 }, { nth: 1 }],
    ["registry.fetch", { kind: "delay", delayMs: 20 }, { nth: 2 }],
    ["lock.acquire", { kind: "contend", attempts: 1 }, { nth: 2 }],
  ]);
  assert.deepEqual(of(1).at(-1), {
    at: "catalog.commit",
    when: "after",
    action: "crash",
    hit: { nth: 1 },
    processes: [1],
  });
  // The original (a mix workload) derived no witness from the pause: frozen, it derives none either.
  assert.deepEqual(of(2).at(-1)?.action, {
    kind: "pause",
    timeoutMs: 900,
    untilExitOf: [1],
    untilEvents: [{ process: 1, at: "catalog.commit", when: "before", hit: 1 }],
    release: "timeout",
  });
  const derived = freezeScenario(raw, plan, historyOf(events), {
    scenarioDir: "/s/scenarios",
    origin: "from noisy",
    derivedPauses: new Set(["2 faults[3]"]),
  });
  const pause = derived.faults?.filter((f) => f.processes?.includes(2)).at(-1)?.action;
  // A pause that derived a witness keeps its own release.
  assert.ok(typeof pause === "object" && pause.kind === "pause" && pause.release === "any");
  // The frozen scenario is valid and plans the same processes, drawing nothing from its seed.
  const replanned = planIteration(
    parseScenario(scenarioText(frozen, []), "noisy-shrunk.yaml", "/s/noisy-shrunk.yaml"),
    0,
  );
  assert.deepEqual(
    replanned.processes.map((p) => [p.op, p.startOffsetMs]),
    plan.processes.map((p) => [p.op, p.startOffsetMs]),
  );
  assert.deepEqual(replanned.processes[2].publish, []);
  assert.deepEqual(replanned.processes[1].publish, [
    { point: "catalog.commit", phase: "before", hit: 1 },
  ]);
});

Deno.test("freezeScenario() writes a --swamp checkout as the target, keeping the backend", () => {
  const scenario = parseScenario(TEXT, "noisy.yaml", "/s/scenarios/noisy.yaml");
  const plan = planIteration(scenario, 0);
  const raw = parseYaml(TEXT) as ScenarioInput;
  const frozen = freezeScenario(raw, plan, historyOf([]), {
    scenarioDir: "/s/scenarios",
    swamp: "/src/swamp",
    origin: "from noisy",
    derivedPauses: new Set(),
  });
  assert.deepEqual(frozen.target, { kind: "swamp", checkout: "/src/swamp", backend: "preload" });
  const reparsed = parseScenario(
    scenarioText(frozen, []),
    "noisy-shrunk.yaml",
    "/s/noisy-shrunk.yaml",
  );
  assert.equal(reparsed.target.entry, "/src/swamp/main.ts");
  // A scenario's own relative checkout is written absolute, as entry and config are.
  const own = freezeScenario(
    { ...raw, target: { kind: "swamp", checkout: "../swamp" } },
    plan,
    historyOf([]),
    { scenarioDir: "/s/scenarios", origin: "o", derivedPauses: new Set() },
  );
  assert.equal(own.target?.checkout, "/s/swamp");
});

function frozenOf(faults: FaultInput[], count = 3): ScenarioInput {
  return {
    name: "f",
    proves: "p",
    seed: 1,
    fixture: {
      registry: [{ name: "@fix/alpha", versions: [{ version: "2026.01.01.1" }] }],
      installed: ["@fix/alpha"],
    },
    workload: {
      processes: Array.from(
        { length: count },
        (_, i) => ({ op: "list" as const, startMs: i * 10 }),
      ),
    },
    faults,
    recovery: ["retry-info"],
    expect: { afterRecovery: { invariants: { "expected-states": "may-fail" } } },
  };
}

Deno.test("shrinkCandidates() drops a process with its faults and renumbers the rest and the pauses", () => {
  const input = frozenOf([
    { at: "catalog.commit", action: "crash", processes: [0] },
    { at: "lock.acquire", action: { kind: "delay", delayMs: 9 }, processes: [2] },
    {
      at: "process.start",
      action: {
        kind: "pause",
        timeoutMs: 50,
        untilExitOf: [0],
        untilEvents: [{ process: 2, at: "lock.acquire" }],
      },
      processes: [1],
    },
  ]);
  const candidates = shrinkCandidates(input, [0, 1, 2]);
  const dropped0 = candidates.find((c) => c.label === "drop process 0 (list)");
  assert.ok(dropped0);
  assert.deepEqual(dropped0.origins, [1, 2]);
  assert.deepEqual(dropped0.input.faults, [
    { at: "lock.acquire", action: { kind: "delay", delayMs: 9 }, processes: [1] },
    {
      at: "process.start",
      action: { kind: "pause", timeoutMs: 50, untilEvents: [{ process: 1, at: "lock.acquire" }] },
      processes: [0],
    },
  ]);
  const dropped2 = candidates.find((c) => c.label === "drop process 2 (list)");
  assert.deepEqual(dropped2?.input.faults?.map((f) => f.at), ["catalog.commit", "process.start"]);
  // Dropping both processes a pause waits for drops the pause.
  const both = shrinkCandidates(dropped0.input, dropped0.origins)
    .find((c) => c.label === "drop process 1 (list)");
  assert.deepEqual(both?.input.faults, []);
  assert.deepEqual(both?.origins, [1]);
  // Recovery goes with its expectations; every candidate is smaller.
  const noRecovery = candidates.find((c) => c.label === "drop the recovery and its expectations");
  assert.equal(noRecovery?.input.recovery, undefined);
  assert.equal(noRecovery?.input.expect?.afterRecovery, undefined);
  // Size first, then the text, then every delay and start offset.
  const numbers = (i: ScenarioInput) =>
    [...JSON.stringify(i).matchAll(/"(?:delayMs|startMs)":(\d+)/g)].reduce(
      (sum, m) => sum + Number(m[1]),
      0,
    );
  const weight = (i: ScenarioInput) =>
    sizeOf(i).processes * 1e9 + sizeOf(i).faults * 1e7 + JSON.stringify(i).length * 1e3 +
    numbers(i);
  for (const c of candidates) assert.ok(weight(c.input) < weight(input), c.label);
  assert.ok(candidates.some((c) => c.label === "halve the delay of fault 1"));
  assert.ok(candidates.some((c) => c.label === "start process 2 at 0"));
  assert.throws(() => shrinkCandidates(input, [0]), /one origin per process/);
});

const SIGNATURE: FailureSignature = {
  class: "invariant",
  failed: ["expected-states@run"],
  states: { "@fix/alpha@run": "files=absent lockfile=absent catalog=absent" },
  outcomes: ["ok", "crashed", "ok"],
  unshown: [],
};

Deno.test("sameFailure() needs the same witnesses not shown, by original process", () => {
  const refused = { process: 2, what: "after lock.acquire threw=true 1.." };
  assert.ok(
    !sameFailure(SIGNATURE, { ...SIGNATURE, unshown: [refused] }, [0, 1, 2]),
    "vacuous now",
  );
  const vacuous = { ...SIGNATURE, unshown: [refused] };
  assert.ok(sameFailure(vacuous, vacuous, [0, 1, 2]));
  // Process 2 of the original is process 1 of a candidate that dropped process 0.
  assert.ok(
    sameFailure(vacuous, {
      ...vacuous,
      outcomes: ["crashed", "ok"],
      unshown: [{ ...refused, process: 1 }],
    }, [1, 2]),
  );
  assert.ok(!sameFailure(vacuous, { ...SIGNATURE, outcomes: ["crashed", "ok"] }, [1, 2]));
});

Deno.test("shrinkCandidates() drops a process's witnesses with it and renumbers the others", () => {
  const input: ScenarioInput = {
    ...frozenOf([]),
    witnesses: [
      { process: 0, at: "lock.acquire", when: "after", threw: true },
      { process: 2, at: "catalog.commit" },
    ],
  };
  const dropped0 = shrinkCandidates(input, [0, 1, 2])
    .find((c) => c.label === "drop process 0 (list)");
  assert.deepEqual(dropped0?.input.witnesses, [{ process: 1, at: "catalog.commit" }]);
});

Deno.test("sameFailure() needs the same failed judgements, named states and outcomes of the kept processes", () => {
  assert.ok(sameFailure(SIGNATURE, SIGNATURE, [0, 1, 2]));
  assert.ok(sameFailure(SIGNATURE, { ...SIGNATURE, outcomes: ["crashed"] }, [1]));
  assert.ok(!sameFailure(SIGNATURE, { ...SIGNATURE, outcomes: ["ok"] }, [1]), "the crash is gone");
  assert.ok(!sameFailure(SIGNATURE, { ...SIGNATURE, class: "target" }, [0, 1, 2]));
  assert.ok(
    !sameFailure(SIGNATURE, { ...SIGNATURE, failed: ["expected-states@run", "x@run"] }, [0, 1, 2]),
  );
  assert.ok(
    !sameFailure(SIGNATURE, {
      ...SIGNATURE,
      states: { "@fix/alpha@run": "files=2026.01.01.1 lockfile=2026.01.01.1 catalog=absent" },
    }, [0, 1, 2]),
  );
});

Deno.test("failureDifference() says how a candidate fails otherwise", () => {
  assert.equal(failureDifference(SIGNATURE, SIGNATURE, [0, 1, 2]), undefined);
  assert.equal(
    failureDifference(SIGNATURE, { ...SIGNATURE, outcomes: ["ok"] }, [1]),
    `p0 ended ok instead of ${SIGNATURE.outcomes[1]}`,
  );
  assert.match(
    failureDifference(SIGNATURE, { ...SIGNATURE, class: "target" }, [0, 1, 2]) ?? "",
    /^class target instead of /,
  );
  assert.match(
    failureDifference(SIGNATURE, { ...SIGNATURE, failed: [] }, [0, 1, 2]) ?? "",
    /^failed judgements none instead of /,
  );
});

Deno.test("shrinkLoop() keeps reductions that still fail until none does, within its run budget", async () => {
  const input = frozenOf([
    { at: "catalog.commit", action: "crash", processes: [1] },
    { at: "lock.acquire", action: { kind: "delay", delayMs: 9 }, processes: [2] },
  ]);
  // "Fails" while the crash fault is still there.
  const tryCandidate = (c: { input: ScenarioInput }) =>
    Promise.resolve<CandidateJudgement>({
      verdict: (c.input.faults ?? []).some((f) => f.at === "catalog.commit")
        ? "same-failure"
        : "passes",
    });
  const done = await shrinkLoop(input, { tryCandidate }, 100);
  assert.equal(done.stoppedBy, undefined);
  assert.deepEqual(sizeOf(done.input), { processes: 1, faults: 1 });
  assert.deepEqual(done.input.faults, [{ at: "catalog.commit", action: "crash", processes: [0] }]);
  assert.equal(done.input.recovery, undefined);
  assert.deepEqual(done.input.workload?.processes, [{ op: "list" }]);
  const cut = await shrinkLoop(input, { tryCandidate }, 2);
  assert.equal(cut.stoppedBy, "run-budget");
  assert.equal(cut.runs, 2);
  await assert.rejects(shrinkLoop(input, { tryCandidate }, -1), RangeError);
});

Deno.test("shrinkLoop() skips invalid candidates and stops at the time limit with what it has", async () => {
  const input = frozenOf([{ at: "catalog.commit", action: "crash", processes: [1] }]);
  const verdicts: CandidateVerdict[] = ["invalid", "harness-error", "same-failure", "out-of-time"];
  const tried: string[] = [];
  const result = await shrinkLoop(input, {
    tryCandidate: () => Promise.resolve({ verdict: verdicts.shift() ?? "passes" }),
    onTried: (c, judgement) => tried.push(`${c.label}: ${judgement.verdict}`),
  }, 100);
  assert.equal(result.stoppedBy, "time-limit");
  assert.deepEqual(result.steps, ["drop process 0 (list)"]);
  assert.deepEqual(tried, [
    "drop process 2 (list): invalid",
    "drop process 1 (list): harness-error",
    "drop process 0 (list): same-failure",
    "drop process 1 (list): out-of-time",
  ]);
  assert.equal(sizeOf(result.input).processes, 2);
});

Deno.test("shrinkCandidates() keeps a pause that waits on nothing when it drops a process", () => {
  const input = frozenOf([
    { at: "process.start", action: { kind: "pause", timeoutMs: 50 }, processes: [2] },
  ]);
  const dropped = shrinkCandidates(input, [0, 1, 2]).find((c) =>
    c.label === "drop process 0 (list)"
  );
  assert.deepEqual(dropped?.input.faults, [
    { at: "process.start", action: { kind: "pause", timeoutMs: 50 }, processes: [1] },
  ]);
});
