import assert from "node:assert/strict";
import { parseSimArgs, type SimArgs, USAGE, UsageError } from "./cli_args.ts";
import { SCENARIO_LIMITS } from "../scenario/schema.ts";

const DEFAULTS: SimArgs = {
  scenario: "s.yaml",
  json: false,
  keep: false,
  shrink: false,
  explore: false,
  help: false,
};

/** Asserts that `argv` is rejected with a usage error whose message includes `detail`. */
function assertUsageError(argv: string[], detail: string): void {
  assert.throws(() => parseSimArgs(argv), (error: unknown) => {
    assert.ok(error instanceof UsageError, `expected a UsageError, got ${String(error)}`);
    assert.ok(
      error.message.includes(detail),
      `expected "${error.message}" to include "${detail}"`,
    );
    assert.ok(!error.message.includes("\n"), `expected one line, got "${error.message}"`);
    return true;
  });
}

Deno.test("parseSimArgs() takes the scenario file alone with every default", () => {
  assert.deepEqual(parseSimArgs(["s.yaml"]), DEFAULTS);
});

Deno.test("parseSimArgs() reads every option in the separated form", () => {
  const args = parseSimArgs([
    "--seed",
    "42",
    "--iteration",
    "3",
    "--iterations",
    "7",
    "--mutant",
    "skip-lock",
    "--json",
    "--keep",
    "--report-dir",
    "/tmp/r",
    "--shrink",
    "--shrink-runs",
    "40",
    "s.yaml",
  ]);
  assert.deepEqual(args, {
    ...DEFAULTS,
    seed: 42,
    iteration: 3,
    iterations: 7,
    mutant: "skip-lock",
    json: true,
    keep: true,
    reportDir: "/tmp/r",
    shrink: true,
    shrinkRuns: 40,
  });
});

Deno.test("parseSimArgs() reads every valued option in the --x=y form", () => {
  const args = parseSimArgs([
    "s.yaml",
    "--seed=42",
    "--iteration=3",
    "--iterations=7",
    "--mutant=skip-lock",
    "--report-dir=/tmp/a=b",
  ]);
  assert.deepEqual(args, {
    ...DEFAULTS,
    seed: 42,
    iteration: 3,
    iterations: 7,
    mutant: "skip-lock",
    reportDir: "/tmp/a=b",
  });
});

Deno.test("parseSimArgs() accepts the scenario file anywhere among the options", () => {
  assert.equal(parseSimArgs(["--json", "a.yaml", "--seed", "1"]).scenario, "a.yaml");
  assert.equal(parseSimArgs(["--seed", "1", "b.yaml"]).scenario, "b.yaml");
});

Deno.test("parseSimArgs() lets the last of a repeated option win", () => {
  assert.equal(parseSimArgs(["s.yaml", "--seed", "1", "--seed=2"]).seed, 2);
});

Deno.test("parseSimArgs() accepts the bounds of every integer option", () => {
  assert.equal(parseSimArgs(["s.yaml", "--seed", "0"]).seed, 0);
  assert.equal(parseSimArgs(["s.yaml", "--seed", "4294967295"]).seed, 0xffff_ffff);
  assert.equal(parseSimArgs(["s.yaml", "--iteration", "0"]).iteration, 0);
  assert.equal(parseSimArgs(["s.yaml", "--iterations", "1"]).iterations, 1);
  assert.equal(
    parseSimArgs(["s.yaml", `--iterations=${SCENARIO_LIMITS.iterationsMax}`]).iterations,
    SCENARIO_LIMITS.iterationsMax,
  );
});

Deno.test("parseSimArgs() returns help without needing a scenario file", () => {
  assert.equal(parseSimArgs(["--help"]).help, true);
  assert.equal(parseSimArgs(["-h"]).help, true);
  assert.equal(parseSimArgs(["a.yaml", "b.yaml", "-h"]).help, true);
});

Deno.test("parseSimArgs() rejects integer options that are not decimal integers", () => {
  const seedRange = "Option --seed needs an integer from 0 to 4294967295";
  assertUsageError(["s.yaml", "--seed", "abc"], `${seedRange}, got "abc"`);
  assertUsageError(["s.yaml", "--seed=1.5"], `${seedRange}, got "1.5"`);
  assertUsageError(["s.yaml", "--seed", "-1"], `${seedRange}, got "-1"`);
  assertUsageError(["s.yaml", "--seed", "0x10"], 'got "0x10"');
  assertUsageError(["s.yaml", "--seed", "1e3"], 'got "1e3"');
  assertUsageError(["s.yaml", "--seed="], `${seedRange}, got ""`);
  assertUsageError(["s.yaml", "--iteration", " 1"], "Option --iteration needs an integer");
  assertUsageError(["s.yaml", "--iterations", "two"], "Option --iterations needs an integer");
});

Deno.test("parseSimArgs() rejects integer options out of range", () => {
  assertUsageError(
    ["s.yaml", "--seed", "4294967296"],
    'Option --seed needs an integer from 0 to 4294967295, got "4294967296"',
  );
  assertUsageError(
    ["s.yaml", "--iterations", "0"],
    "Option --iterations needs an integer from 1 to",
  );
  assertUsageError(
    ["s.yaml", `--iterations=${SCENARIO_LIMITS.iterationsMax + 1}`],
    `from 1 to ${SCENARIO_LIMITS.iterationsMax}`,
  );
  assertUsageError(
    ["s.yaml", "--iteration", "1000001"],
    "Option --iteration needs an integer from 0 to 1000000",
  );
});

Deno.test("parseSimArgs() rejects a valued option with no value", () => {
  assertUsageError(["s.yaml", "--seed"], "Option --seed needs a value");
  assertUsageError(["s.yaml", "--iteration"], "Option --iteration needs a value");
  assertUsageError(["s.yaml", "--iterations"], "Option --iterations needs a value");
  assertUsageError(["s.yaml", "--mutant"], "Option --mutant needs a name");
  assertUsageError(["s.yaml", "--mutant="], "Option --mutant needs a name");
  assertUsageError(["s.yaml", "--report-dir"], "Option --report-dir needs a path");
  assertUsageError(["s.yaml", "--report-dir="], "Option --report-dir needs a path");
});

Deno.test("parseSimArgs() never takes the next option as a value", () => {
  assertUsageError(["s.yaml", "--mutant", "--json"], "Option --mutant needs a name");
  assertUsageError(["s.yaml", "--report-dir", "--keep"], "Option --report-dir needs a path");
  assertUsageError(["s.yaml", "--seed", "--json"], "Option --seed needs a value");
});

Deno.test("parseSimArgs() rejects a value given to a flag", () => {
  assertUsageError(["s.yaml", "--json=false"], 'Option --json takes no value, got "false"');
  assertUsageError(["s.yaml", "--keep=1"], 'Option --keep takes no value, got "1"');
  assertUsageError(["s.yaml", "--help=yes"], 'Option --help takes no value, got "yes"');
});

Deno.test("parseSimArgs() rejects unknown options, quoting them", () => {
  assertUsageError(["s.yaml", "--sed", "1"], 'Unknown option "--sed"');
  assertUsageError(["s.yaml", "--colour=red"], 'Unknown option "--colour=red"');
  assertUsageError(["s.yaml", "-j"], 'Unknown option "-j"');
  assertUsageError(["s.yaml", "-"], 'Unknown option "-"');
});

Deno.test("parseSimArgs() needs exactly one scenario file", () => {
  assertUsageError([], "Missing the scenario file");
  assertUsageError(["--json"], "Missing the scenario file");
  assertUsageError(["a.yaml", "b.yaml"], "Expected one scenario file, got 2");
});

Deno.test("USAGE names every option parseSimArgs() accepts", () => {
  for (
    const option of [
      "--seed",
      "--iteration ",
      "--iterations",
      "--mutant",
      "--json",
      "--keep",
      "--report-dir",
      "-h",
      "--help",
    ]
  ) {
    assert.ok(USAGE.includes(option), `USAGE does not mention ${option.trim()}`);
  }
  assert.match(USAGE, /Exit codes: 0 pass, 1 invariant violated, 2 bad input/);
});

Deno.test("parseSimArgs() refuses --shrink-runs without --shrink or out of range", () => {
  assertUsageError(["s.yaml", "--shrink-runs", "5"], "Option --shrink-runs needs --shrink");
  assertUsageError(["s.yaml", "--shrink", "--shrink-runs", "0"], "from 1 to 10000");
  assertUsageError(["s.yaml", "--shrink=yes"], 'Option --shrink takes no value, got "yes"');
});

Deno.test("parseSimArgs() reads --repeat within 2..REPEAT_MAX", () => {
  assert.equal(parseSimArgs(["s.yaml", "--repeat", "3"]).repeat, 3);
  assertUsageError(["s.yaml", "--repeat", "1"], "from 2 to 20");
  assertUsageError(["s.yaml", "--repeat"], "Option --repeat needs a value");
});

Deno.test("parseSimArgs() reads --explore, --explore-budget as iterations or a duration, and --shard", () => {
  assert.deepEqual(parseSimArgs(["s.yaml", "--explore"]), { ...DEFAULTS, explore: true });
  assert.deepEqual(parseSimArgs(["s.yaml", "--explore-budget", "200"]).exploreBudget, {
    iterations: 200,
  });
  assert.deepEqual(parseSimArgs(["s.yaml", "--explore-budget=10m"]).exploreBudget, {
    durationMs: 600_000,
  });
  assert.deepEqual(parseSimArgs(["s.yaml", "--explore-budget", "90s"]).exploreBudget, {
    durationMs: 90_000,
  });
  assert.deepEqual(parseSimArgs(["s.yaml", "--shard", "2/4"]).shard, { index: 2, count: 4 });
  assertUsageError(["s.yaml", "--explore-budget", "0"], "must be 1 to 10000 iterations");
  assertUsageError(["s.yaml", "--explore-budget", "5d"], "or a duration like 90s");
  assertUsageError(["s.yaml", "--explore-budget", "25h"], "must be 1 s to 24 h");
  assertUsageError(["s.yaml", "--explore", "--explore-budget"], "needs a value");
  assertUsageError(["s.yaml", "--shard", "0/4"], "1 <= i <= n");
  assertUsageError(["s.yaml", "--shard", "5/4"], "1 <= i <= n");
  assertUsageError(["s.yaml", "--shard", "2"], "needs <i>/<n>");
});

Deno.test("parseSimArgs() reads --swamp and refuses it without a dir or with --mutant", () => {
  assert.equal(parseSimArgs(["s.yaml", "--swamp", "../swamp"]).swamp, "../swamp");
  assert.equal(parseSimArgs(["s.yaml", "--swamp=/src/swamp"]).swamp, "/src/swamp");
  assertUsageError(["s.yaml", "--swamp"], "Option --swamp needs a checkout dir");
  assertUsageError(["s.yaml", "--swamp", "--json"], "Option --swamp needs a checkout dir");
  assertUsageError(
    ["s.yaml", "--swamp", "../swamp", "--mutant", "lock-no-retry"],
    "Option --mutant applies to the reference only, not with --swamp",
  );
  assert.ok(USAGE.includes("--swamp <checkout>"));
});
