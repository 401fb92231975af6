import assert from "node:assert/strict";
import fc from "fast-check";
import { DEFAULT_PATTERNS } from "../../faults/rule.ts";
import { POINTS } from "../../faults/vocabulary.ts";
import { loadScenario, parseScenario, ScenarioError } from "./load.ts";
import { expectationOf, processCount, SCENARIO_DEFAULTS } from "./resolve.ts";
import { scenarioSchema } from "./schema.ts";

const BAD_DIR = new URL("../testdata/bad-scenarios/", import.meta.url).pathname;
const SMOKE = new URL("../../scenarios/smoke.yaml", import.meta.url).pathname;

/** The first line of every bad scenario: `# expect: <line> <field path or -> <detail>`. */
const EXPECT_LINE = /^# expect: (\d+) (\S+) (.+)$/;

interface BadScenario {
  file: string;
  line: number;
  fieldPath: string;
  detail: string;
}

function badScenarios(): BadScenario[] {
  const out: BadScenario[] = [];
  for (const entry of Deno.readDirSync(BAD_DIR)) {
    if (!entry.name.endsWith(".yaml")) continue;
    const file = `${BAD_DIR}${entry.name}`;
    const first = Deno.readTextFileSync(file).split("\n")[0];
    const match = first.match(EXPECT_LINE);
    assert.ok(match !== null, `${entry.name}: the first line must be "# expect: ..."`);
    out.push({
      file,
      line: Number(match[1]),
      fieldPath: match[2] === "-" ? "" : match[2],
      detail: match[3],
    });
  }
  return out.sort((a, b) => (a.file < b.file ? -1 : 1));
}

/** A small valid scenario; `extra` is appended as top-level YAML. */
function scenarioText(extra = ""): string {
  return `name: t
proves: The loader accepts this file.
seed: 7
fixture:
  registry:
    - name: "@fix/alpha"
      versions:
        - version: 2026.01.01.1
workload:
  processes:
    - { op: pull, ref: "@fix/alpha" }
    - { op: list, startMs: 25 }
${extra}`;
}

function parse(text: string) {
  return parseScenario(text, "t.yaml", "/scenarios/t.yaml");
}

function parseError(text: string): ScenarioError {
  try {
    parse(text);
  } catch (error) {
    assert.ok(error instanceof ScenarioError, `expected a ScenarioError, got ${String(error)}`);
    return error;
  }
  assert.fail("expected the scenario to be rejected");
}

Deno.test("loadScenario() rejects every bad scenario with its line, field path and detail", async () => {
  const cases = badScenarios();
  assert.ok(cases.length >= 30, `expected at least 30 bad scenarios, found ${cases.length}`);
  for (const c of cases) {
    const name = c.file.slice(BAD_DIR.length);
    let caught: unknown;
    try {
      await loadScenario(c.file);
    } catch (error) {
      caught = error;
    }
    assert.ok(caught instanceof ScenarioError, `${name}: expected a ScenarioError, got ${caught}`);
    const message = caught.message;
    assert.ok(!message.includes("\n"), `${name}: message is not one line: ${message}`);
    assert.ok(
      message.startsWith(`${c.file}:${c.line}:`),
      `${name}: expected line ${c.line}, got: ${message}`,
    );
    assert.equal(caught.line, c.line, `${name}: line`);
    assert.equal(caught.fieldPath, c.fieldPath, `${name}: field path in ${message}`);
    const prefix = c.fieldPath === "" ? "error: " : `error: ${c.fieldPath}: `;
    assert.ok(message.includes(prefix), `${name}: expected "${prefix}" in ${message}`);
    assert.ok(message.includes(c.detail), `${name}: expected "${c.detail}" in ${message}`);
  }
});

Deno.test("loadScenario() loads scenarios/smoke.yaml with every default resolved", async () => {
  const scenario = await loadScenario(SMOKE);
  assert.equal(scenario.name, "smoke");
  assert.equal(scenario.path, SMOKE);
  assert.equal(scenario.seed, 1);
  assert.equal(scenario.iterations, 2);
  assert.equal(scenario.exploratory, true);
  assert.deepEqual(scenario.target, {
    kind: "reference",
    mutant: undefined,
    entry: undefined,
    config: undefined,
    denoFlags: [],
    argv: undefined,
    env: {},
    backend: "preload",
    patterns: DEFAULT_PATTERNS,
  });
  assert.deepEqual(scenario.fixture.installed, ["@fix/beta"]);
  assert.equal(scenario.fixture.populate, true);
  assert.deepEqual(scenario.workload, {
    kind: "explicit",
    processes: [
      { op: "pull", ref: "@fix/alpha", startMs: 0 },
      { op: "rm", name: "@fix/beta", startMs: 0 },
      { op: "list", startMs: 0 },
    ],
    startJitterMs: { min: 0, max: 0 },
  });
  assert.deepEqual(scenario.faults, []);
  assert.deepEqual(scenario.recovery, []);
  assert.deepEqual(scenario.expect, {
    afterRun: {},
    afterRecovery: {},
    typeConflict: false,
  });
  assert.deepEqual(scenario.limits, {
    processTimeoutMs: SCENARIO_DEFAULTS.processTimeoutMs,
    runTimeoutMs: SCENARIO_DEFAULTS.runTimeoutMs,
    processTimeoutFrom: "default",
  });
  assert.equal(processCount(scenario), 3);
});

Deno.test("loadScenario() names a missing file as given, on one line", async () => {
  const file = "no/such/scenario.yaml";
  await assert.rejects(loadScenario(file), (error: unknown) => {
    assert.ok(error instanceof ScenarioError);
    assert.equal(error.line, 0);
    assert.match(error.message, /^no\/such\/scenario\.yaml: error: cannot read the file: /);
    assert.ok(!error.message.includes("\n"));
    return true;
  });
});

Deno.test("ScenarioError carries file, line, column, field path and detail", () => {
  const error = parseError(scenarioText("faults:\n  - at: lock.aquire\n    action: crash\n"));
  assert.equal(error.file, "t.yaml");
  assert.equal(error.line, 14);
  assert.equal(error.column, 9);
  assert.equal(error.fieldPath, "faults[0].at");
  assert.match(error.detail, /^unknown point "lock\.aquire" \(known: process\.start, /);
  assert.equal(error.message, `t.yaml:14:9: error: faults[0].at: ${error.detail}`);
});

Deno.test("ScenarioError keeps its message on one line whatever the detail", () => {
  const error = new ScenarioError("f.yaml", 3, 1, "a", "first\nsecond\r\nthird");
  assert.equal(error.message, "f.yaml:3:1: error: a: first\\nsecond\\nthird");
  assert.equal(new ScenarioError("f.yaml", 0, 0, "", "x").message, "f.yaml: error: x");
});

Deno.test("parseScenario() resolves fault defaults and normalises actions and hits", () => {
  const scenario = parse(scenarioText(`iterations: 3
faults:
  - { at: lock.acquire, action: crash }
  - { at: catalog.commit, when: after, action: { kind: crash }, hit: 3 }
  - { at: fs.extract, action: { kind: pause, timeoutMs: 500 }, hit: every, processes: [1] }
  - at: lockfile.write
    action: { kind: delay, delayMsMin: 5, delayMsMax: 9 }
    hit: { probability: 0.25 }
    ops: [pull]
    iterations: [0, 2]
`));
  assert.deepEqual(scenario.faults, [
    {
      id: "faults[0]",
      at: "lock.acquire",
      when: "before",
      action: { kind: "crash" },
      hit: { nth: 1 },
      processes: undefined,
      ops: undefined,
      iterations: undefined,
    },
    {
      id: "faults[1]",
      at: "catalog.commit",
      when: "after",
      action: { kind: "crash" },
      hit: { nth: 3 },
      processes: undefined,
      ops: undefined,
      iterations: undefined,
    },
    {
      id: "faults[2]",
      at: "fs.extract",
      when: "before",
      action: { kind: "pause", timeoutMs: 500, untilExitOf: [] },
      hit: { every: true },
      processes: [1],
      ops: undefined,
      iterations: undefined,
    },
    {
      id: "faults[3]",
      at: "lockfile.write",
      when: "before",
      action: { kind: "delay", delayMsMin: 5, delayMsMax: 9 },
      hit: { probability: 0.25 },
      processes: undefined,
      ops: ["pull"],
      iterations: [0, 2],
    },
  ]);
});

Deno.test("parseScenario() resolves a mix workload with default weights", () => {
  const scenario = parseScenario(
    `name: t
proves: x
seed: 1
fixture: { registry: [] }
workload:
  count: 4
  mix:
    - { op: list }
    - { op: doctor, repair: true, weight: 3 }
  startJitterMs: { min: 2, max: 8 }
`,
    "t.yaml",
    "/s/t.yaml",
  );
  assert.deepEqual(scenario.workload, {
    kind: "mix",
    count: 4,
    mix: [{ op: "list", weight: 1 }, { op: "doctor", repair: true, weight: 3 }],
    startJitterMs: { min: 2, max: 8 },
  });
  assert.equal(processCount(scenario), 4);
});

Deno.test("parseScenario() expands a sweep to one case per applicable point and phase", () => {
  const scenario = parse(`name: t
proves: x
seed: 1
fixture: { registry: [] }
sweep:
  ops: [{ op: list }, { op: rm, name: "@fix/alpha" }]
`);
  // process.start and process.exit have only the before phase; every other point has both.
  const perOp = 2 * POINTS.length - 2;
  assert.equal(scenario.sweep?.length, 2 * perOp);
  assert.equal(scenario.iterations, 2 * perOp);
  assert.equal(processCount(scenario), 1);
  assert.deepEqual(scenario.sweep?.[0], {
    op: { op: "list" },
    at: "process.start",
    when: "before",
    action: { kind: "crash" },
  });
  assert.ok(!scenario.sweep?.some((c) => c.at === "process.exit" && c.when === "after"));
  assert.deepEqual(scenario.sweep?.[perOp].op, { op: "rm", name: "@fix/alpha" });
});

Deno.test("parseScenario() keeps only the sweep cases where the action applies", () => {
  const scenario = parse(`name: t
proves: x
seed: 1
fixture: { registry: [] }
sweep:
  ops: [{ op: pull, ref: "@fix/alpha" }]
  action: { kind: contend, attempts: 4 }
iterations: 1
`);
  assert.deepEqual(scenario.sweep, [{
    op: { op: "pull", ref: "@fix/alpha" },
    at: "lock.acquire",
    when: "before",
    action: { kind: "contend", attempts: 4 },
  }]);
});

Deno.test("parseScenario() resolves deno target paths against the scenario's directory", () => {
  const scenario = parse(scenarioText(`target:
  kind: deno
  entry: ../targets/main.ts
  config: ./deno.json
  denoFlags: [--quiet]
  env: { A: "1" }
  registryUrlEnv: MY_REGISTRY
  patterns: { lock: my.lock }
`));
  assert.equal(scenario.target.entry, "/targets/main.ts");
  assert.equal(scenario.target.config, "/scenarios/deno.json");
  assert.deepEqual(scenario.target.denoFlags, ["--quiet"]);
  assert.deepEqual(scenario.target.env, { A: "1" });
  assert.equal(scenario.target.backend, "preload");
  assert.deepEqual(scenario.target.patterns, {
    ...DEFAULT_PATTERNS,
    lock: "my.lock",
    registryUrlEnv: "MY_REGISTRY",
  });
});

Deno.test("parseScenario() defaults a command target to the strace backend", () => {
  const scenario = parse(scenarioText("target: { kind: command, argv: [swamp, --quiet] }\n"));
  assert.equal(scenario.target.backend, "strace");
  assert.deepEqual(scenario.target.argv, ["swamp", "--quiet"]);
});

Deno.test("parseScenario() derives typeConflict from the fixture", () => {
  const conflicting = `name: t
proves: x
seed: 1
fixture:
  registry:
    - name: "@fix/alpha"
      versions: [{ version: 2026.01.01.1, models: { "a.ts": "@fix/shared" } }]
    - name: "@fix/beta"
      versions: [{ version: 2026.01.01.1, models: { "b.ts": "@fix/shared" } }]
workload: { processes: [{ op: list }] }
`;
  assert.equal(parse(conflicting).expect.typeConflict, true);
  assert.equal(parse(scenarioText()).expect.typeConflict, false);
  assert.equal(parse(scenarioText("expect: { typeConflict: true }\n")).expect.typeConflict, true);
});

Deno.test("parseScenario() keeps expectations and expectationOf() defaults to hold", () => {
  const scenario = parse(scenarioText(`expect:
  afterRun:
    outcomes: { pull: [ok, crashed] }
    invariants: { catalog-integrity: may-fail }
    states:
      "@fix/alpha": [{ files: present, lockfile: "2026.01.01.1" }, { files: absent }]
  afterRecovery:
    invariants: { no-stale-lock-or-temp: must-fail }
recovery: [retry-info]
`));
  assert.deepEqual(scenario.expect.afterRun.outcomes, { pull: ["ok", "crashed"] });
  assert.deepEqual(scenario.expect.afterRun.states, {
    "@fix/alpha": [{ files: "present", lockfile: "2026.01.01.1" }, { files: "absent" }],
  });
  assert.equal(expectationOf(scenario.expect.afterRun, "catalog-integrity"), "may-fail");
  assert.equal(expectationOf(scenario.expect.afterRun, "lockfile-well-formed"), "hold");
  assert.equal(
    expectationOf(scenario.expect.afterRecovery, "no-stale-lock-or-temp"),
    "must-fail",
  );
});

Deno.test("parseScenario() accepts faults at the limits of every range", () => {
  const scenario = parse(scenarioText(`iterations: 10000
faults:
  - { at: lock.acquire, action: { kind: delay, delayMs: 60000 }, hit: 1000000 }
  - { at: lock.acquire, action: { kind: delay, delayMs: 0 }, hit: { probability: 0 } }
  - { at: lock.acquire, action: crash, hit: { probability: 1 }, iterations: [9999] }
  - { at: lock.acquire, action: { kind: contend, attempts: 1000 }, processes: [1] }
  - { at: lock.acquire, action: { kind: pause, timeoutMs: 120000, untilExitOf: [0, 1] } }
limits: { processTimeoutMs: 600000, runTimeoutMs: 600000 }
`));
  assert.equal(scenario.faults.length, 5);
  assert.equal(scenario.iterations, 10_000);
  assert.deepEqual(scenario.limits, {
    processTimeoutMs: 600_000,
    runTimeoutMs: 600_000,
    processTimeoutFrom: "scenario",
  });
});

Deno.test("parseScenario() reports an unknown top-level field at its own line", () => {
  const known = new Set(Object.keys(scenarioSchema.shape));
  fc.assert(
    fc.property(
      fc.stringMatching(/^[a-z][a-zA-Z0-9]{0,11}$/).filter((key) => !known.has(key)),
      fc.nat({ max: 4 }),
      (key, paddingLines) => {
        const padding = "# padding\n".repeat(paddingLines);
        const text = scenarioText(`${padding}${key}: 1\n`);
        const line = text.split("\n").indexOf(`${key}: 1`) + 1;
        const error = parseError(text);
        assert.equal(error.line, line);
        assert.equal(error.column, 1);
        assert.equal(error.fieldPath, key);
        assert.equal(error.detail, `unknown field "${key}"`);
      },
    ),
    { seed: 20260101, numRuns: 100 },
  );
});

Deno.test("parseScenario() reports a whole section at its key's line", () => {
  const error = parseError(scenarioText("target:\n  kind: deno\n"));
  assert.equal(error.line, 13);
  assert.equal(error.fieldPath, "target");
});

Deno.test("parseScenario() reports YAML alias bombs as invalid YAML", () => {
  const rows = ["a: &a [x, x, x, x, x, x, x, x, x, x]"];
  for (const [name, prev] of [["b", "a"], ["c", "b"], ["d", "c"]]) {
    rows.push(`${name}: &${name} [${Array(10).fill(`*${prev}`).join(", ")}]`);
  }
  const error = parseError(`${rows.join("\n")}\n`);
  assert.match(error.message, /^t\.yaml:\d+:\d+: error: invalid YAML: /);
});
