/**
 * The simulator's command line, parsed without dependencies. Every problem
 * is a {@link UsageError} (exit code 2).
 *
 * @module
 */

import { REPEAT_MAX } from "../check/determinism.ts";
import { SHRINK_RUNS } from "../drive/shrink.ts";
import { type ExploreBudget, parseExploreBudget } from "../drive/explore.ts";

/** A bad command line. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** The parsed command line. */
export interface SimArgs {
  scenario: string;
  seed?: number;
  iteration?: number;
  iterations?: number;
  mutant?: string;
  /** A swamp checkout dir that replaces the scenario's target. */
  swamp?: string;
  json: boolean;
  keep: boolean;
  reportDir?: string;
  /** Run each iteration this many times and require the same history shape. */
  repeat?: number;
  /** Shrink the first failing iteration to a minimal scenario file. */
  shrink: boolean;
  /** Most candidate runs a shrink may make. */
  shrinkRuns?: number;
  /** Explore schedules with the default `explore:` block. */
  explore: boolean;
  /** How long a search that explores schedules goes on. */
  exploreBudget?: ExploreBudget;
  /** Run every `count`-th iteration from `index - 1`. */
  shard?: { index: number; count: number };
  help: boolean;
}

/** Usage text. */
export const USAGE = `Usage: deno task sim <scenario.yaml> [options]

Runs a scenario against its target and checks the invariant suite.

Options:
  --seed <n>          Override the scenario's seed
  --iteration <i>     Run only iteration i (replay)
  --iterations <n>    Override the number of iterations
  --mutant <name>     Run the reference target with a named mutant
  --swamp <checkout>  Run on a swamp checkout (the dir holding main.ts and deno.json)
                      instead of the scenario's target
  --json              Print one JSON object on stdout (progress goes to stderr)
  --keep              Keep each iteration's workspace (paths are printed)
  --report-dir <dir>  Where history.json and verdicts.json go
                      (default: $TMPDIR/swamp-sim-reports/<scenario>-seed-<seed>)
  --repeat <k>        Run each iteration k times (2..${REPEAT_MAX}) from the same plan and
                      fail when the history shapes differ (see design/simulator.md)
  --shrink            On a failure, reduce the first failing iteration to a
                      minimal scenario that fails the same way, written to
                      <report-dir>/<name>-shrunk.yaml with its replay command
  --shrink-runs <n>   Most candidate runs of a shrink (default 100)
  --explore           Explore schedules: each iteration draws one over the
                      processes' steps (as the scenario's explore: block would,
                      with its defaults); see design/simulator.md
  --explore-budget <n | 90s | 10m | 2h>
                      How long a search goes on: iterations, or time (a
                      scenario's coverage target may end it sooner)
  --shard <i>/<n>     Run every n-th iteration, starting at iteration i-1
                      (i in 1..n); merge the shards' report dirs with
                      deno task merge-reports
  -h, --help          Show this help

Exit codes: 0 pass, 1 invariant violated, 2 bad input, 3 target misbehaved,
4 harness error, 130/143 interrupted.`;

function intArg(name: string, value: string | undefined, min: number, max: number): number {
  if (value === undefined) throw new UsageError(`Option ${name} needs a value`);
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max) {
    throw new UsageError(
      `Option ${name} needs an integer from ${min} to ${max}, got "${value}"`,
    );
  }
  return n;
}

/** `--shard <i>/<n>`: 1 <= i <= n <= 1000. */
function shardArg(value: string | undefined): { index: number; count: number } {
  const match = value === undefined ? null : /^(\d+)\/(\d+)$/.exec(value);
  if (match === null) {
    throw new UsageError(`Option --shard needs <i>/<n>, e.g. 2/4, got "${value ?? ""}"`);
  }
  const [index, count] = [Number(match[1]), Number(match[2])];
  if (count < 1 || count > 1000 || index < 1 || index > count) {
    throw new UsageError(`Option --shard needs 1 <= i <= n <= 1000, got "${value}"`);
  }
  return { index, count };
}

/** One argument of argv as an option: `--name value` or `--name=value`. */
export interface OptionAt {
  arg: string;
  flag: string;
  /** The `=value` part, when the argument has one. */
  inline?: string;
  /** The option's value; a following option is never taken as one. */
  value: () => string | undefined;
  /** The index of the last argument the option used (its own, or the value after it). */
  lastIndex: () => number;
}

/** Reads argv[i] as an option (the one reader of `deno task sim` and `deno task fidelity`). */
export function optionAt(argv: readonly string[], i: number): OptionAt {
  const arg = argv[i];
  const eq = arg.startsWith("--") ? arg.indexOf("=") : -1;
  const flag = eq === -1 ? arg : arg.slice(0, eq);
  const inline = eq === -1 ? undefined : arg.slice(eq + 1);
  let tookNext = false;
  return {
    arg,
    flag,
    ...(inline === undefined ? {} : { inline }),
    value: () => {
      if (inline !== undefined) return inline;
      const next = argv[i + 1];
      if (next === undefined || next.startsWith("--")) return undefined;
      tookNext = true;
      return next;
    },
    lastIndex: () => tookNext ? i + 1 : i,
  };
}

/** Parses argv (without the program). */
export function parseSimArgs(argv: readonly string[]): SimArgs {
  const args: SimArgs = {
    scenario: "",
    json: false,
    keep: false,
    shrink: false,
    explore: false,
    help: false,
  };
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const option = optionAt(argv, i);
    const { arg: a, flag, inline, value } = option;
    const noValue = () => {
      if (inline !== undefined) {
        throw new UsageError(`Option ${flag} takes no value, got "${inline}"`);
      }
    };
    switch (flag) {
      case "--seed":
        args.seed = intArg(flag, value(), 0, 0xffff_ffff);
        break;
      case "--iteration":
        args.iteration = intArg(flag, value(), 0, 1_000_000);
        break;
      case "--iterations":
        args.iterations = intArg(flag, value(), 1, 10_000);
        break;
      case "--mutant": {
        const v = value();
        if (v === undefined || v === "") throw new UsageError("Option --mutant needs a name");
        args.mutant = v;
        break;
      }
      case "--swamp": {
        const v = value();
        if (v === undefined || v === "") {
          throw new UsageError("Option --swamp needs a checkout dir");
        }
        args.swamp = v;
        break;
      }
      case "--report-dir": {
        const v = value();
        if (v === undefined || v === "") throw new UsageError("Option --report-dir needs a path");
        args.reportDir = v;
        break;
      }
      case "--json":
        noValue();
        args.json = true;
        break;
      case "--keep":
        noValue();
        args.keep = true;
        break;
      case "--repeat":
        args.repeat = intArg(flag, value(), 2, REPEAT_MAX);
        break;
      case "--shrink":
        noValue();
        args.shrink = true;
        break;
      case "--shrink-runs":
        args.shrinkRuns = intArg(flag, value(), 1, SHRINK_RUNS.max);
        break;
      case "--explore":
        noValue();
        args.explore = true;
        break;
      case "--explore-budget": {
        const v = value();
        if (v === undefined) throw new UsageError("Option --explore-budget needs a value");
        const budget = parseExploreBudget(v);
        if (typeof budget === "string") throw new UsageError(`Option --explore-budget ${budget}`);
        args.exploreBudget = budget;
        break;
      }
      case "--shard":
        args.shard = shardArg(value());
        break;
      case "-h":
      case "--help":
        noValue();
        args.help = true;
        break;
      default:
        if (a.startsWith("-")) throw new UsageError(`Unknown option "${a}"`);
        positional.push(a);
    }
    i = option.lastIndex();
  }
  if (args.help) return args;
  if (positional.length !== 1) {
    throw new UsageError(
      positional.length === 0
        ? "Missing the scenario file"
        : `Expected one scenario file, got ${positional.length}`,
    );
  }
  if (args.swamp !== undefined && args.mutant !== undefined) {
    throw new UsageError("Option --mutant applies to the reference only, not with --swamp");
  }
  if (args.shrinkRuns !== undefined && !args.shrink) {
    throw new UsageError("Option --shrink-runs needs --shrink");
  }
  args.scenario = positional[0];
  return args;
}
