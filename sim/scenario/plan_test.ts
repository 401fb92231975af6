import assert from "node:assert/strict";
import fc from "fast-check";
import { uniformInt } from "pure-rand/distribution/uniformInt";
import { iterationStream, type Plan, planDigest, planIteration } from "./plan.ts";
import { loadScenario, parseScenario, type Scenario } from "./load.ts";

const SMOKE = new URL("../../scenarios/smoke.yaml", import.meta.url).pathname;
const ROOT = new URL("../../", import.meta.url).pathname;
const SEED_MAX = 0xffff_ffff;

function scenarioOf(text: string): Scenario {
  return parseScenario(text, "plan.yaml", "/scenarios/plan.yaml");
}

const HEAD = `name: plan
proves: The planner is a pure function of scenario, seed and iteration.
seed: 11
fixture:
  registry:
    - name: "@fix/alpha"
      versions: [{ version: 2026.01.01.1 }]
`;

/** A mix workload with probabilistic hits, delay ranges and start jitter. */
function mixScenario(options: {
  count?: number;
  iterations?: number;
  weights?: [number, number, number];
  jitterMs?: { min: number; max: number };
  probability?: number;
  delayMs?: { min: number; max: number };
} = {}): Scenario {
  const [list, pull, rm] = options.weights ?? [1, 3, 6];
  const jitter = options.jitterMs ?? { min: 10, max: 20 };
  const delay = options.delayMs ?? { min: 5, max: 50 };
  return scenarioOf(`${HEAD}iterations: ${options.iterations ?? 25}
workload:
  count: ${options.count ?? 200}
  mix:
    - { op: list, weight: ${list} }
    - { op: pull, ref: "@fix/alpha", weight: ${pull} }
    - { op: rm, name: "@fix/alpha", weight: ${rm} }
  startJitterMs: { min: ${jitter.min}, max: ${jitter.max} }
faults:
  - at: lock.acquire
    action: crash
    hit: { probability: ${options.probability ?? 0.5} }
    ops: [pull]
  - at: catalog.commit
    action: { kind: delay, delayMsMin: ${delay.min}, delayMsMax: ${delay.max} }
    ops: [rm, list]
  - at: lockfile.write
    action: { kind: delay, delayMs: 7 }
    hit: every
    iterations: [1]
`);
}

/** Three explicit processes and four faults with every kind of filter. */
const FILTERED = `${HEAD}iterations: 3
workload:
  processes:
    - { op: pull, ref: "@fix/alpha" }
    - { op: rm, name: "@fix/alpha", startMs: 100 }
    - { op: list, startMs: 40 }
  startJitterMs: { min: 3, max: 3 }
faults:
  - { at: lock.acquire, action: crash, processes: [1] }
  - { at: fs.extract, action: crash, ops: [pull] }
  - { at: catalog.commit, action: crash, iterations: [2] }
  - { at: lock.release, action: crash, processes: [0, 2], ops: [list, rm], iterations: [0, 1] }
`;

function ruleIds(plan: Plan): string[][] {
  return plan.processes.map((p) => p.rules.map((r) => r.id));
}

Deno.test("planIteration() gives the same plan and digest for the same scenario, seed and iteration", async () => {
  const scenario = mixScenario();
  for (const iteration of [0, 1, 24]) {
    const first = planIteration(scenario, iteration);
    const second = planIteration(structuredClone(scenario), iteration);
    assert.deepEqual(second, first);
    assert.equal(await planDigest(second), await planDigest(first));
    assert.match(await planDigest(first), /^[0-9a-f]{64}$/);
  }
});

Deno.test("planIteration() gives the same digests in another process", async () => {
  const scenario = await loadScenario(SMOKE);
  const scenarioUrl = new URL("./load.ts", import.meta.url).href;
  const planUrl = new URL("./plan.ts", import.meta.url).href;
  const code = `
    import { loadScenario } from "${scenarioUrl}";
    import { planDigest, planIteration } from "${planUrl}";
    const s = await loadScenario(${JSON.stringify(SMOKE)});
    const m = await loadScenario(${JSON.stringify(SMOKE)});
    const mix = { ...m, seed: 99, iterations: 3, workload: { kind: "mix", count: 5,
      mix: [{ op: "list", weight: 1 }, { op: "doctor", weight: 2 }], startJitterMs: { min: 0, max: 9 } } };
    const out = [];
    for (const sc of [s, mix]) for (let i = 0; i < sc.iterations; i++) out.push(await planDigest(planIteration(sc, i)));
    console.log(JSON.stringify(out));
  `;
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--config", `${ROOT}deno.json`, code],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.ok(output.success, new TextDecoder().decode(output.stderr));
  const theirs = JSON.parse(new TextDecoder().decode(output.stdout)) as string[];

  const mix: Scenario = {
    ...scenario,
    seed: 99,
    iterations: 3,
    workload: {
      kind: "mix",
      count: 5,
      mix: [{ op: "list", weight: 1 }, { op: "doctor", weight: 2 }],
      startJitterMs: { min: 0, max: 9 },
    },
  };
  const ours: string[] = [];
  for (const sc of [scenario, mix]) {
    for (let i = 0; i < sc.iterations; i++) ours.push(await planDigest(planIteration(sc, i)));
  }
  assert.equal(ours.length, 5);
  assert.deepEqual(theirs, ours);
});

Deno.test("iterationStream() gives each iteration its own slice of the seed's sequence", () => {
  const draws = (seed: number, iteration: number) => {
    const rng = iterationStream(seed, iteration);
    return Array.from({ length: 16 }, () => uniformInt(rng, 0, SEED_MAX));
  };
  assert.deepEqual(draws(5, 3), draws(5, 3));
  assert.notDeepEqual(draws(5, 0), draws(5, 1));
  assert.notDeepEqual(draws(5, 1), draws(5, 2));
  assert.notDeepEqual(draws(5, 0), draws(6, 0));
  // Iteration i is the seed's stream jumped i times.
  const jumped = iterationStream(5, 1);
  jumped.jump();
  assert.deepEqual(
    Array.from({ length: 16 }, () => uniformInt(jumped, 0, SEED_MAX)),
    draws(5, 2),
  );
});

Deno.test("iterationStream() rejects a negative or fractional iteration", () => {
  assert.throws(() => iterationStream(1, -1), /Cannot plan iteration -1: must be a non-negative/);
  assert.throws(() => iterationStream(1, 0.5), /Cannot plan iteration 0\.5/);
});

Deno.test("planIteration() draws a different plan for a different iteration or seed", () => {
  const scenario = mixScenario({ count: 20 });
  const opsOf = (plan: Plan) => plan.processes.map((p) => `${p.op.op}+${p.startOffsetMs}`);
  assert.notDeepEqual(opsOf(planIteration(scenario, 0)), opsOf(planIteration(scenario, 1)));
  assert.notDeepEqual(
    opsOf(planIteration(scenario, 0)),
    opsOf(planIteration({ ...scenario, seed: scenario.seed + 1 }, 0)),
  );
});

Deno.test("planIteration() replays iteration I alone exactly as within a full run", () => {
  const scenario = mixScenario({ count: 12, iterations: 10 });
  const fullRun = Array.from({ length: scenario.iterations }, (_, i) => planIteration(scenario, i));
  for (const iteration of [0, 4, 9]) {
    assert.deepEqual(planIteration(scenario, iteration), fullRun[iteration]);
    // `--iterations N` changes how many iterations run, never what one of them plans.
    assert.deepEqual(
      planIteration({ ...scenario, iterations: iteration + 1 }, iteration),
      fullRun[iteration],
    );
    assert.deepEqual(
      planIteration({ ...scenario, iterations: 10_000 }, iteration),
      fullRun[iteration],
    );
  }
});

Deno.test("planIteration() rejects an iteration the scenario does not run", () => {
  const scenario = mixScenario({ iterations: 3 });
  assert.throws(
    () => planIteration(scenario, 3),
    (error: unknown) =>
      error instanceof RangeError &&
      error.message === "Cannot plan iteration 3: the scenario runs 3",
  );
  assert.throws(() => planIteration(scenario, -1), RangeError);
});

Deno.test("planIteration() respects mix weights over 5000 draws", () => {
  const weights: [number, number, number] = [1, 3, 6];
  const scenario = mixScenario({ count: 200, iterations: 25, weights });
  const counts: Record<string, number> = { list: 0, pull: 0, rm: 0 };
  let draws = 0;
  for (let i = 0; i < scenario.iterations; i++) {
    for (const process of planIteration(scenario, i).processes) {
      counts[process.op.op]++;
      draws++;
    }
  }
  assert.equal(draws, 5000);
  const total = weights.reduce((a, b) => a + b, 0);
  (["list", "pull", "rm"] as const).forEach((op, index) => {
    const p = weights[index] / total;
    const expected = draws * p;
    const sigma = Math.sqrt(draws * p * (1 - p));
    // The seed fixes the counts; five sigma leaves room for a change of seed.
    assert.ok(
      Math.abs(counts[op] - expected) <= 5 * sigma,
      `${op}: ${counts[op]} draws, expected ${expected} +- ${(5 * sigma).toFixed(0)}`,
    );
  });
});

Deno.test("planIteration() draws only the ops of the mix", () => {
  const base = mixScenario({ count: 50, iterations: 2 });
  const single: Scenario = {
    ...base,
    workload: {
      kind: "mix",
      count: 50,
      mix: [{ op: "doctor", dryRun: true, weight: 7 }],
      startJitterMs: { min: 0, max: 0 },
    },
  };
  for (const process of planIteration(single, 0).processes) {
    assert.deepEqual(process.op, { op: "doctor", dryRun: true });
  }
});

Deno.test("planIteration() draws start jitter inside [min, max], both ends included", () => {
  const scenario = mixScenario({ count: 200, iterations: 25, jitterMs: { min: 10, max: 20 } });
  const seen = new Set<number>();
  for (let i = 0; i < scenario.iterations; i++) {
    for (const process of planIteration(scenario, i).processes) {
      assert.ok(process.startOffsetMs >= 10 && process.startOffsetMs <= 20);
      seen.add(process.startOffsetMs);
    }
  }
  assert.deepEqual([...seen].sort((a, b) => a - b), [10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20]);
});

Deno.test("planIteration() adds jitter to explicit start offsets", () => {
  const plan = planIteration(scenarioOf(FILTERED), 0);
  assert.deepEqual(plan.processes.map((p) => p.startOffsetMs), [3, 103, 43]);
  assert.deepEqual(plan.processes.map((p) => p.index), [0, 1, 2]);
  assert.deepEqual(plan.processes.map((p) => p.op.op), ["pull", "rm", "list"]);
  const noJitter = scenarioOf(FILTERED.replace("{ min: 3, max: 3 }", "{ min: 0, max: 0 }"));
  assert.deepEqual(planIteration(noJitter, 0).processes.map((p) => p.startOffsetMs), [0, 100, 40]);
});

Deno.test("planIteration() gives probability hits and delay ranges their own seeds", () => {
  const scenario = mixScenario({ count: 30, iterations: 2, probability: 0.25 });
  const seeds = new Set<number>();
  let seeded = 0;
  for (let i = 0; i < 2; i++) {
    for (const process of planIteration(scenario, i).processes) {
      for (const rule of process.rules) {
        if (rule.id === "faults[0]") {
          assert.equal(process.op.op, "pull");
          assert.ok("probability" in rule.hit && rule.hit.probability === 0.25);
          assert.ok("seed" in rule.hit);
          seeds.add(rule.hit.seed);
          seeded++;
        } else if (rule.id === "faults[1]") {
          assert.ok(process.op.op === "rm" || process.op.op === "list");
          assert.deepEqual(rule.hit, { nth: 1 });
          assert.ok(rule.action.kind === "delay" && "seed" in rule.action);
          assert.equal(rule.action.delayMsMin, 5);
          assert.equal(rule.action.delayMsMax, 50);
          seeds.add(rule.action.seed);
          seeded++;
        } else {
          assert.equal(rule.id, "faults[2]");
          assert.equal(i, 1);
          assert.deepEqual(rule.action, { kind: "delay", delayMs: 7 });
          assert.deepEqual(rule.hit, { every: true });
        }
      }
    }
  }
  assert.equal(seeded, 60);
  // Every seeded rule of every process and iteration draws its own seed.
  assert.equal(seeds.size, seeded);
});

Deno.test("planIteration() filters faults by processes, ops and iterations", () => {
  const scenario = scenarioOf(FILTERED);
  assert.deepEqual(ruleIds(planIteration(scenario, 0)), [
    ["faults[1]"],
    ["faults[0]"],
    ["faults[3]"],
  ]);
  assert.deepEqual(ruleIds(planIteration(scenario, 1)), [
    ["faults[1]"],
    ["faults[0]"],
    ["faults[3]"],
  ]);
  assert.deepEqual(ruleIds(planIteration(scenario, 2)), [
    ["faults[1]", "faults[2]"],
    ["faults[0]", "faults[2]"],
    ["faults[2]"],
  ]);
  const rule = planIteration(scenario, 0).processes[1].rules[0];
  assert.deepEqual(rule, {
    id: "faults[0]",
    at: "lock.acquire",
    when: "before",
    action: { kind: "crash" },
    hit: { nth: 1 },
  });
});

Deno.test("planIteration() plans one sweep case per iteration with the rule on process 0", () => {
  const scenario = scenarioOf(`${HEAD}sweep:
  ops: [{ op: pull, ref: "@fix/alpha" }, { op: list }]
  points: [lock.acquire, catalog.commit]
  action: { kind: error, error: EIO }
faults:
  - { at: registry.fetch, action: { kind: delay, delayMsMin: 1, delayMsMax: 2 }, ops: [pull] }
`);
  const sweep = scenario.sweep ?? [];
  assert.equal(sweep.length, 8);
  assert.equal(scenario.iterations, 8);
  for (let i = 0; i < sweep.length; i++) {
    const plan = planIteration(scenario, i);
    assert.deepEqual(plan.sweepCase, sweep[i]);
    assert.equal(plan.processes.length, 1);
    const [process] = plan.processes;
    assert.deepEqual(process.op, sweep[i].op);
    assert.equal(process.startOffsetMs, 0);
    const last = process.rules.at(-1);
    assert.deepEqual(last, {
      id: "sweep",
      at: sweep[i].at,
      when: sweep[i].when,
      action: { kind: "error", error: "EIO" },
      hit: { nth: 1 },
    });
    const faultRules = process.rules.slice(0, -1).map((r) => r.id);
    assert.deepEqual(faultRules, sweep[i].op.op === "pull" ? ["faults[0]"] : []);
  }
  const cases = sweep.map((c) => `${c.op.op} ${c.at} ${c.when}`);
  assert.deepEqual(cases, [
    "pull lock.acquire before",
    "pull lock.acquire after",
    "pull catalog.commit before",
    "pull catalog.commit after",
    "list lock.acquire before",
    "list lock.acquire after",
    "list catalog.commit before",
    "list catalog.commit after",
  ]);
});

Deno.test("planIteration() is a pure function of scenario, seed and iteration, within bounds", () => {
  const bounds = fc.record({
    seed: fc.integer({ min: 0, max: SEED_MAX }),
    iterations: fc.integer({ min: 2, max: 40 }),
    count: fc.integer({ min: 1, max: 30 }),
    weights: fc.tuple(
      fc.integer({ min: 1, max: 1000 }),
      fc.integer({ min: 1, max: 1000 }),
      fc.integer({ min: 1, max: 1000 }),
    ),
    jitterMs: fc.tuple(fc.nat({ max: 60_000 }), fc.nat({ max: 60_000 }))
      .map(([a, b]) => ({ min: Math.min(a, b), max: Math.max(a, b) })),
    delayMs: fc.tuple(fc.nat({ max: 60_000 }), fc.nat({ max: 60_000 }))
      .map(([a, b]) => ({ min: Math.min(a, b), max: Math.max(a, b) })),
    probability: fc.double({ min: 0, max: 1, noNaN: true }),
  });
  fc.assert(
    fc.property(bounds, fc.nat(), (b, iterationDraw) => {
      const base = mixScenario(b);
      const scenario: Scenario = { ...base, seed: b.seed };
      const iteration = iterationDraw % scenario.iterations;
      const before = structuredClone(scenario);
      const plan = planIteration(scenario, iteration);
      assert.deepEqual(scenario, before, "planning must not change the scenario");
      assert.deepEqual(planIteration(structuredClone(scenario), iteration), plan);
      assert.equal(plan.seed, b.seed);
      assert.equal(plan.iteration, iteration);
      assert.equal(plan.processes.length, b.count);
      for (const process of plan.processes) {
        assert.ok(["list", "pull", "rm"].includes(process.op.op));
        assert.ok(Number.isInteger(process.startOffsetMs));
        assert.ok(process.startOffsetMs >= b.jitterMs.min);
        assert.ok(process.startOffsetMs <= b.jitterMs.max);
        for (const rule of process.rules) {
          if ("seed" in rule.hit) {
            assert.ok(Number.isInteger(rule.hit.seed));
            assert.ok(rule.hit.seed >= 0 && rule.hit.seed <= SEED_MAX);
            assert.equal(rule.hit.probability, b.probability);
          }
          if (rule.action.kind === "delay" && "seed" in rule.action) {
            assert.ok(Number.isInteger(rule.action.seed));
            assert.ok(rule.action.seed >= 0 && rule.action.seed <= SEED_MAX);
            assert.equal(rule.action.delayMsMin, b.delayMs.min);
            assert.equal(rule.action.delayMsMax, b.delayMs.max);
          }
        }
        const expected = [
          ...(process.op.op === "pull" ? ["faults[0]"] : []),
          ...(process.op.op !== "pull" ? ["faults[1]"] : []),
          ...(iteration === 1 ? ["faults[2]"] : []),
        ];
        assert.deepEqual(process.rules.map((r) => r.id), expected);
      }
    }),
    { seed: 424242, numRuns: 150 },
  );
});
