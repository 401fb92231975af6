/**
 * Bad input through the real command line: a bad scenario file or bad
 * options exit 2 with one error line, before anything is spawned.
 *
 * The child runs with `--deny-run --deny-net` on top of `-A`: spawning a
 * target (or `deno cache`) or starting the loopback registry would fail with
 * a permission error and exit 4 instead of 2. It also gets a private TMPDIR
 * that must stay empty: no workspace (`swamp-sim-*`) and no report dir.
 *
 * @module
 */

import assert from "node:assert/strict";

const ROOT = new URL("../", import.meta.url).pathname;
const BAD = "sim/testdata/bad-scenarios";
const SMOKE = "scenarios/smoke.yaml";

interface SimRun {
  code: number;
  stdout: string[];
  stderr: string[];
  durationMs: number;
  /** What the run left in its private TMPDIR. */
  tmpEntries: string[];
}

function linesOf(bytes: Uint8Array): string[] {
  const text = new TextDecoder().decode(bytes);
  return text === "" ? [] : text.replace(/\n$/, "").split("\n");
}

/** Runs `deno run -A sim/cli/main.ts <args>` from the project root with spawning and network denied. */
async function runSim(args: string[], tmpDir: string): Promise<SimRun> {
  const startedMs = performance.now();
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--deny-run", "--deny-net", "sim/cli/main.ts", ...args],
    cwd: ROOT,
    env: { TMPDIR: tmpDir, NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const durationMs = performance.now() - startedMs;
  const tmpEntries: string[] = [];
  for await (const entry of Deno.readDir(tmpDir)) tmpEntries.push(entry.name);
  return {
    code: output.code,
    stdout: linesOf(output.stdout),
    stderr: linesOf(output.stderr),
    durationMs,
    tmpEntries: tmpEntries.sort(),
  };
}

async function withTmp(body: (tmpDir: string) => Promise<void>): Promise<void> {
  const tmpDir = await Deno.makeTempDir({ prefix: "bad-input-test-" });
  try {
    await body(tmpDir);
  } finally {
    await Deno.remove(tmpDir, { recursive: true });
  }
}

/**
 * Asserts exit 2 and nothing left in TMPDIR. The runs deny spawning and the
 * network (`--deny-run --deny-net`), so a refusal that did any work would
 * fail loudly; how long it took says nothing on a loaded machine.
 */
function assertRejectedEarly(run: SimRun, what: string): void {
  const output = [...run.stdout, ...run.stderr].join("\n");
  assert.equal(run.code, 2, `${what}: exit code; output:\n${output}`);
  assert.deepEqual(run.tmpEntries, [], `${what}: TMPDIR must stay empty`);
}

/** The `# expect: <line> <path> <detail>` header of a bad scenario. */
async function expectationOf(name: string): Promise<{ line: number; detail: string }> {
  const first = (await Deno.readTextFile(`${ROOT}${BAD}/${name}`)).split("\n")[0];
  const match = first.match(/^# expect: (\d+) \S+ (.+)$/);
  assert.ok(match !== null, `${name}: no expect header`);
  return { line: Number(match[1]), detail: match[2] };
}

Deno.test("sim/cli/main.ts exits 2 with one line naming file, line and field for bad scenarios", async () => {
  await withTmp(async (tmpDir) => {
    for (
      const name of [
        "unknown-point.yaml",
        "yaml-tab-indent.yaml",
        "missing-fixture.yaml",
        "fault-process-out-of-range.yaml",
        "installed-not-in-registry.yaml",
        "command-without-argv.yaml",
        "fixture-models-newline-key.yaml",
      ]
    ) {
      const file = `${BAD}/${name}`;
      const run = await runSim([file], tmpDir);
      assertRejectedEarly(run, name);
      const { line, detail } = await expectationOf(name);
      assert.equal(run.stdout.length, 1, `${name}: stdout must be one line: ${run.stdout}`);
      assert.ok(run.stdout[0].startsWith(`${file}:${line}:`), `${name}: ${run.stdout[0]}`);
      assert.ok(run.stdout[0].includes(detail), `${name}: ${run.stdout[0]}`);
      assert.deepEqual(run.stderr, [], `${name}: stderr`);
    }
  });
});

Deno.test("sim/cli/main.ts --json prints the error as JSON and one line on stderr", async () => {
  await withTmp(async (tmpDir) => {
    const file = `${BAD}/unknown-point.yaml`;
    const run = await runSim([file, "--json"], tmpDir);
    assertRejectedEarly(run, "--json");
    assert.equal(run.stderr.length, 1);
    assert.match(run.stderr[0], /^sim\/testdata\/bad-scenarios\/unknown-point\.yaml:14:9: error: /);
    const json = JSON.parse(run.stdout.join("\n")) as { error: string; exitCode: number };
    assert.deepEqual(json, { error: run.stderr[0], exitCode: 2 });
  });
});

Deno.test("sim/cli/main.ts exits 2 on a scenario file that does not exist", async () => {
  await withTmp(async (tmpDir) => {
    const run = await runSim(["scenarios/no-such-scenario.yaml"], tmpDir);
    assertRejectedEarly(run, "missing file");
    assert.equal(run.stdout.length, 1);
    assert.match(
      run.stdout[0],
      /^scenarios\/no-such-scenario\.yaml: error: cannot read the file: /,
    );
  });
});

Deno.test("sim/cli/main.ts exits 2 on bad options with the error on the first line", async () => {
  await withTmp(async (tmpDir) => {
    const cases: Array<[string[], string]> = [
      [
        [SMOKE, "--seed", "abc"],
        'error: Option --seed needs an integer from 0 to 4294967295, got "abc"',
      ],
      [
        [SMOKE, "--seed=-3"],
        'error: Option --seed needs an integer from 0 to 4294967295, got "-3"',
      ],
      [[SMOKE, "--bogus"], 'error: Unknown option "--bogus"'],
      [[SMOKE, "--json=no"], 'error: Option --json takes no value, got "no"'],
      [["--keep"], "error: Missing the scenario file"],
      [[SMOKE, SMOKE], "error: Expected one scenario file, got 2"],
      [
        [SMOKE, "--iterations", "0"],
        'error: Option --iterations needs an integer from 1 to 10000, got "0"',
      ],
    ];
    for (const [args, message] of cases) {
      const run = await runSim(args, tmpDir);
      assertRejectedEarly(run, args.join(" "));
      assert.deepEqual(run.stdout, [], `${args.join(" ")}: stdout`);
      assert.ok(run.stderr[0].startsWith(message), `${args.join(" ")}: ${run.stderr[0]}`);
      const errorLines = run.stderr.filter((l) => l.startsWith("error"));
      assert.equal(errorLines.length, 1, `${args.join(" ")}: one error line`);
      assert.ok(run.stderr[0].endsWith("(see --help)"), `${args.join(" ")}: points at --help`);
      assert.equal(run.stderr.length, 1, `${args.join(" ")}: one line of output`);
    }
  });
});

Deno.test("sim/cli/main.ts exits 2 on --iteration out of range", async () => {
  await withTmp(async (tmpDir) => {
    const run = await runSim([SMOKE, "--iteration", "2"], tmpDir);
    assertRejectedEarly(run, "--iteration 2");
    assert.deepEqual(run.stdout, [
      "scenarios/smoke.yaml: error: --iteration 2 does not exist (the scenario runs 2)",
    ]);
    const widened = await runSim([SMOKE, "--iterations", "4", "--iteration", "4"], tmpDir);
    assertRejectedEarly(widened, "--iterations 4 --iteration 4");
    assert.match(widened.stdout[0], /--iteration 4 does not exist \(the scenario runs 4\)$/);
  });
});

Deno.test("sim/cli/main.ts exits 2 on --mutant for a command target and --iterations for a sweep", async () => {
  await withTmp(async (tmpDir) => {
    const head = (name: string) =>
      `name: ${name}
proves: The command line is checked against the scenario.
seed: 1
fixture:
  registry:
    - name: "@fix/alpha"
      versions: [{ version: 2026.01.01.1 }]
`;
    const command = `${tmpDir}/command.yaml`;
    await Deno.writeTextFile(
      command,
      `${
        head("command")
      }target: { kind: command, argv: [swamp] }\nworkload: { processes: [{ op: list }] }\n`,
    );
    const sweep = `${tmpDir}/sweep.yaml`;
    await Deno.writeTextFile(
      sweep,
      `${head("sweep")}sweep: { ops: [{ op: list }], points: [lock.acquire], phases: [before] }\n`,
    );
    // The scenario files are the only entries the runs may see.
    const expected = ["command.yaml", "sweep.yaml"];

    const mutant = await runSim([command, "--mutant", "skip-lock"], tmpDir);
    assert.equal(mutant.code, 2);
    assert.deepEqual(mutant.tmpEntries, expected);
    assert.deepEqual(mutant.stdout, [
      `${command}: error: --mutant only applies to the reference target (target kind is "command")`,
    ]);

    const iterations = await runSim([sweep, "--iterations", "3"], tmpDir);
    assert.equal(iterations.code, 2);
    assert.deepEqual(iterations.tmpEntries, expected);
    assert.deepEqual(iterations.stdout, [
      `${sweep}: error: --iterations: a sweep runs exactly one iteration per case (1)`,
    ]);
  });
});

Deno.test("sim/cli/main.ts fails differently once past the input checks (control)", async () => {
  // Control: a valid scenario under the same denials must fail differently
  // (exit 4, harness error) and leave its report dir in TMPDIR, so the checks
  // above would catch a regression that spawns or listens on bad input.
  await withTmp(async (tmpDir) => {
    const run = await runSim([SMOKE], tmpDir);
    assert.equal(run.code, 4, [...run.stdout, ...run.stderr].join("\n"));
    assert.ok(run.stdout.some((l) => l.startsWith("harness error: ")));
    assert.deepEqual(run.tmpEntries, ["swamp-sim-reports"]);
  });
});

Deno.test("sim/cli/main.ts exits 2 when strace cannot take a process's rules together", async () => {
  await withTmp(async (tmpDir) => {
    const file = `${tmpDir}/combo.yaml`;
    await Deno.writeTextFile(
      file,
      `name: combo
proves: Rules the strace backend cannot combine are refused before anything runs.
seed: 1
target: { backend: strace }
fixture:
  registry:
    - name: "@fix/alpha"
      versions: [{ version: 2026.01.01.1 }]
workload: { processes: [{ op: pull, ref: "@fix/alpha" }] }
faults:
  - { at: lock.acquire, action: crash }
  - { at: catalog.commit, when: after, action: crash }
`,
    );
    const run = await runSim([file], tmpDir);
    assert.equal(run.code, 2, run.stdout.join("\n"));
    assert.deepEqual(run.tmpEntries, ["combo.yaml"]);
    assert.equal(run.stdout.length, 1);
    assert.match(
      run.stdout[0],
      /combo\.yaml: error: iteration 0, process 0: Cannot express rule "faults\[1\]"/,
    );
  });
});

Deno.test("sim/cli/main.ts exits 2 when a pause waits for a commit a traced process cannot show", async () => {
  await withTmp(async (tmpDir) => {
    const file = `${tmpDir}/unseen.yaml`;
    await Deno.writeTextFile(
      file,
      `name: unseen
proves: A pin on an event the trace of its process cannot show is refused before anything runs.
seed: 1
target: { backend: strace }
fixture:
  registry:
    - name: "@fix/alpha"
      versions: [{ version: 2026.01.01.1 }]
workload: { processes: [{ op: pull, ref: "@fix/alpha" }, { op: list }] }
faults:
  - { at: lock.acquire, when: after, action: { kind: delay, delayMs: 5 }, hit: every, processes: [0] }
  - at: process.start
    action: { kind: pause, timeoutMs: 500, untilEvents: [{ process: 0, at: catalog.commit, when: after }] }
    processes: [1]
`,
    );
    const run = await runSim([file], tmpDir);
    assert.equal(run.code, 2, run.stdout.join("\n"));
    assert.deepEqual(run.tmpEntries, ["unseen.yaml"]);
    assert.match(
      run.stdout[0],
      /unseen\.yaml: error: iteration 0, process 0: another process waits for its "after catalog\.commit", which its trace cannot show/,
    );
  });
});
