/**
 * Turning a process's rules into an `strace -f` command line around any
 * target (a compiled binary, `deno run ...`, any command). Every rule is
 * checked against the expressibility table first, so an inexpressible rule
 * fails before any process starts.
 *
 * @example
 * ```ts
 * const command = buildStraceCommand(["deno", "run", "-A", "main.ts", "extension", "rm", "@a/b"], rules, {
 *   repoDir: "/tmp/ws/repo",
 *   patterns: DEFAULT_PATTERNS,
 *   tracePath: "/tmp/ws/control/p0.strace",
 * });
 * // command.argv: ["/usr/bin/strace", "-f", "-qq", "-o", "/tmp/ws/control/p0.strace", "-ttt", "-T", "-y",
 * //   "-P", "<repo>/extensions/models/upstream_extensions.json.lock", ..., "--", "deno", "run", ...]
 * ```
 *
 * @module
 */

import type { PointPatterns, ShimRule } from "../rule.ts";
import {
  type StraceFile,
  type StraceMapping,
  straceMapping,
  UnsupportedRuleError,
} from "./support.ts";

/** Where the repo's files are, for `-P`. */
export interface StraceContext {
  /**
   * Absolute repo dir without symlinks, the same string the target is given:
   * strace compares path arguments as strings and fd paths as the kernel
   * resolves them (`realpath` it once when in doubt).
   */
  repoDir: string;
  patterns: PointPatterns;
  /** Absolute path strace writes its trace to. */
  tracePath: string;
  /** Lockfile dir relative to the repo (swamp's `modelsDir`; default `extensions/models`). */
  modelsDir?: string;
  /** Catalog dir relative to the repo (default `.swamp`). */
  catalogDir?: string;
  /** The strace binary (default `/usr/bin/strace`). */
  stracePath?: string;
}

/** One rule with the table row that expresses it. */
export interface PlannedRule {
  rule: ShimRule;
  mapping: StraceMapping;
}

/** What the parser needs to turn the trace back into events (plain data). */
export interface StracePlan {
  tracePath: string;
  /** Absolute paths of the traced files. */
  lockPath: string;
  lockfilePath: string;
  walPath: string;
  /** Whether the WAL is traced (not when a rule tampers with a syscall the WAL also makes). */
  walTraced: boolean;
  /**
   * Whether the lockfile's own path is traced: only when a rule tampers with
   * its data writes (other rules would then see its opens too).
   */
  lockfileTraced: boolean;
  rules: PlannedRule[];
  /**
   * Lock attempts a bounded `contend` makes fail by holding the real lock
   * file (attempts 1..k), or undefined: the process must then be run through
   * `followTrace()` (`follow.ts`), which also resumes its stops.
   */
  heldLockAttempts?: number;
  /**
   * A pause at `process.start`: no strace argument; the simulator holds the
   * spawn until its conditions hold (`file: "spawn"` in the table).
   */
  startPause?: ShimRule;
  /**
   * A pause after a lock attempt: the process stops after every lock openat
   * (as for a bounded contend) and `followTrace()` holds its SIGCONT at the
   * rule's hit until the pause's conditions hold.
   */
  lockPause?: ShimRule;
}

/** A ready strace command. */
export interface StraceCommand {
  /** Program first: strace, its options, `--`, then the target argv. */
  argv: string[];
  plan: StracePlan;
}

/** Default strace binary. */
export const STRACE_PATH = "/usr/bin/strace";

/** Syscalls that the lock file and the WAL both make: a rule on them must not see the WAL. */
const SHARED_SYSCALLS = new Set(["openat", "open", "unlink", "unlinkat"]);

function straceDelay(ms: number): string {
  return `${ms}ms`;
}

/** strace's `when=`: the n-th call, or every call (`1+`). */
function whenOf(rule: ShimRule): string {
  return "nth" in rule.hit ? String(rule.hit.nth) : "1+";
}

/** The `-e inject=` expression of one planned rule. */
function injectExpression({ rule, mapping }: PlannedRule): string {
  const parts = [`inject=${mapping.syscalls.join(",")}`];
  const action = rule.action;
  switch (mapping.tamper) {
    case "signal":
      parts.push("signal=SIGKILL");
      break;
    case "stop":
      // Every hit stops; the simulator counts the attempts (follow.ts).
      parts.push("signal=SIGSTOP", "when=1+");
      return parts.join(":");
    case "error":
      parts.push(`error=${action.kind === "error" ? action.error : "EEXIST"}`);
      break;
    case "delay_enter":
    case "delay_exit":
      if (action.kind !== "delay" || !("delayMs" in action)) {
        throw new Error(`Cannot plan rule "${rule.id}": a delay mapping needs a fixed delay`);
      }
      parts.push(`${mapping.tamper}=${straceDelay(action.delayMs)}`);
      break;
    case "gate":
      throw new Error(`Cannot plan rule "${rule.id}": a spawn gate has no inject expression`);
  }
  parts.push(`when=${whenOf(rule)}`);
  return parts.join(":");
}

/**
 * Checks every rule and plans it. Throws {@link UnsupportedRuleError} for
 * the first rule the table cannot express, for two rules that would
 * tamper with the same syscall of the same file (strace keeps one), and for
 * rule sets whose injections would also hit another traced file (a lock
 * openat rule with a catalog or lockfile-write rule, a catalog rule with a
 * lockfile-write rule).
 */
export function planStrace(rules: readonly ShimRule[], context: StraceContext): StracePlan {
  const planned = rules.map((rule) => ({ rule, mapping: straceMapping(rule) }));
  const taken = new Map<string, ShimRule>();
  for (const { rule, mapping } of planned) {
    for (const syscall of mapping.syscalls) {
      const key = `${mapping.file} ${syscall}`;
      const other = taken.get(key);
      if (other !== undefined) {
        throw new UnsupportedRuleError(
          rule,
          `rule "${other.id}" already tampers with ${syscall} on the ${mapping.file} file`,
        );
      }
      taken.set(key, rule);
    }
  }
  const lockSideShared = planned.some(({ mapping }) =>
    mapping.file === "lock" && mapping.syscalls.some((s) => SHARED_SYSCALLS.has(s))
  );
  const walRule = planned.find(({ mapping }) => mapping.file === "wal");
  if (lockSideShared && walRule !== undefined) {
    throw new UnsupportedRuleError(
      walRule.rule,
      "a lock rule tampers with openat/unlink, which the WAL makes too; " +
        "catalog and lock rules need separate processes",
    );
  }
  const lockfileRule = planned.find(({ mapping }) => mapping.file === "lockfile");
  if (lockfileRule !== undefined && lockSideShared) {
    throw new UnsupportedRuleError(
      lockfileRule.rule,
      "a lock rule tampers with openat/unlink, which would hit the lockfile's own opens too; " +
        "lock rules and rules on the lockfile's data write need separate processes",
    );
  }
  if (lockfileRule !== undefined && walRule !== undefined) {
    throw new UnsupportedRuleError(
      lockfileRule.rule,
      "a catalog rule tampers with pwrite64/fsync, which a writer of the lockfile may make too; " +
        "catalog rules and rules on the lockfile's data write need separate processes",
    );
  }
  const stop = planned.find(({ mapping }) =>
    mapping.tamper === "stop" && mapping.action === "contend"
  );
  const lockPause = planned.find(({ mapping }) =>
    mapping.tamper === "stop" && mapping.action === "pause"
  );
  const gate = planned.find(({ mapping }) => mapping.tamper === "gate");
  const repo = context.repoDir.replace(/\/+$/, "");
  const modelsDir = context.modelsDir ?? "extensions/models";
  const catalogDir = context.catalogDir ?? ".swamp";
  return {
    tracePath: context.tracePath,
    lockPath: `${repo}/${modelsDir}/${context.patterns.lock}`,
    lockfilePath: `${repo}/${modelsDir}/${context.patterns.lockfile}`,
    walPath: `${repo}/${catalogDir}/${context.patterns.catalog}-wal`,
    walTraced: !lockSideShared,
    lockfileTraced: lockfileRule !== undefined,
    rules: planned,
    ...(stop?.rule.action.kind === "contend"
      ? { heldLockAttempts: stop.rule.action.attempts }
      : {}),
    ...(gate === undefined ? {} : { startPause: gate.rule }),
    ...(lockPause === undefined ? {} : { lockPause: lockPause.rule }),
  };
}

/**
 * Syscalls traced for a file (the parser reads these; WAL writes tell header
 * syncs apart; the lockfile's write opens count its writes).
 */
const TRACED: Readonly<Record<Exclude<StraceFile, "spawn">, readonly string[]>> = {
  lock: ["openat", "open", "unlink", "unlinkat"],
  lockfile: ["openat", "open", "write", "writev"],
  wal: ["pwrite64", "fsync", "fdatasync"],
};

/**
 * The argv that runs `target` under strace with `rules`:
 * `strace -f [--seccomp-bpf] -qq -o <trace> -ttt -T -y -P <lock> [-P <lockfile>] [-P <wal>] -e trace=... [-e inject=...] -- <target>`
 * (`--seccomp-bpf` unless a rule sends a signal: strace then ignores `signal=`).
 * Throws {@link UnsupportedRuleError} before anything runs when a rule cannot be expressed.
 */
export function buildStraceCommand(
  target: readonly string[],
  rules: readonly ShimRule[],
  context: StraceContext,
): StraceCommand {
  if (target.length === 0) throw new Error("Cannot trace an empty command");
  if (!context.tracePath.startsWith("/") || !context.repoDir.startsWith("/")) {
    throw new Error(
      `Cannot trace with relative paths: "${context.repoDir}", "${context.tracePath}"`,
    );
  }
  const plan = planStrace(rules, context);
  const files: Exclude<StraceFile, "spawn">[] = [
    "lock",
    ...(plan.lockfileTraced ? ["lockfile" as const] : []),
    ...(plan.walTraced ? ["wal" as const] : []),
  ];
  const traced = [...new Set(files.flatMap((f) => TRACED[f]))];
  // --seccomp-bpf stops the target only at the traced syscalls (a 3x faster
  // `list`), but strace 6.1 then ignores `signal=` injections (probed).
  const signals = plan.rules.some(({ mapping }) =>
    mapping.tamper === "signal" || mapping.tamper === "stop"
  );
  const argv = [
    context.stracePath ?? STRACE_PATH,
    "-f",
    ...(signals ? [] : ["--seccomp-bpf"]),
    "-qq",
    "-o",
    plan.tracePath,
    "-ttt",
    "-T",
    "-y",
    "-P",
    plan.lockPath,
    ...(plan.lockfileTraced ? ["-P", plan.lockfilePath] : []),
    ...(plan.walTraced ? ["-P", plan.walPath] : []),
    "-e",
    `trace=${traced.join(",")}`,
  ];
  for (const planned of plan.rules) {
    if (planned.mapping.tamper !== "gate") argv.push("-e", injectExpression(planned));
  }
  argv.push("--", ...target);
  return { argv, plan };
}
