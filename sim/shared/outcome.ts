/**
 * Outcomes: how one finished target process is classified. Each outcome has
 * a Jepsen type (`ok`, `fail` = definitely had no effect, `info` =
 * indeterminate) and a class that scenarios name in `expect.outcomes`.
 *
 * The classes match swamp's own error messages (contract §1); a target that
 * words an error differently lands in `failed`.
 *
 * @module
 */

import { SHIM_CONFIG_EXIT_CODE } from "../../faults/rule.ts";

/** Every outcome class, in report order. */
export const OUTCOME_CLASSES = [
  "ok",
  "not-installed",
  "not-found",
  "conflict",
  "duplicate-type",
  "lock-exhausted",
  "busy-exhausted",
  "partial",
  "failed",
  "crashed",
  "timeout",
  "killed",
  "usage",
  "shim-error",
] as const;

/** The class of one outcome. */
export type OutcomeClass = typeof OUTCOME_CLASSES[number];

/** Jepsen's completion types: ok, fail (no effect), info (may or may not have happened). */
export type OutcomeType = "ok" | "fail" | "info";

/** A classified outcome. */
export interface Outcome {
  type: OutcomeType;
  class: OutcomeClass;
  /** The target's error message, when it reported one. */
  message?: string;
}

/** What the runner observed of one finished process. */
export interface ProcessExit {
  /** Exit code, or null when killed by a signal. */
  exitCode: number | null;
  /** Signal name when killed by a signal. */
  signal: string | null;
  stderr: string;
  /** Whether a `crash` action of the shim killed it. */
  crashedByFault: boolean;
  /** Whether the runner killed it at its time limit. */
  timedOut: boolean;
}

export { SHIM_CONFIG_EXIT_CODE };

/** The error message a target reported on stderr: the `error` of its JSON object, else the text. */
export function errorMessage(stderr: string): string | undefined {
  const text = stderr.trim();
  if (text === "") return undefined;
  const start = text.indexOf("{");
  if (start !== -1) {
    try {
      const value: unknown = JSON.parse(text.slice(start));
      if (typeof value === "object" && value !== null && "error" in value) {
        const error = (value as { error: unknown }).error;
        if (typeof error === "string") return error;
      }
    } catch {
      // Not a JSON error object: fall back to the text.
    }
  }
  return text.split("\n").find((line) => line.trim() !== "")?.trim();
}

const CLASS_PATTERNS: ReadonlyArray<readonly [OutcomeClass, RegExp]> = [
  ["duplicate-type", /"duplicateType"|DuplicateTypeError|Duplicate type/],
  ["lock-exhausted", /Could not acquire lock on upstream_extensions\.json/],
  ["partial", /partially applied/],
  ["busy-exhausted", /database is (locked|busy)|"code":\s*"lock_timeout"/i],
  ["not-installed", /is not installed/],
  ["not-found", /not found in the registry/],
  ["conflict", /Files already exist/],
];

/** Outcome classes that certainly left every layer as it was. */
const NO_EFFECT: ReadonlySet<OutcomeClass> = new Set<OutcomeClass>([
  "not-installed",
  "not-found",
  "conflict",
  "duplicate-type",
  "usage",
  "shim-error",
]);

/** Classifies a finished process. Pure. */
export function classifyOutcome(exit: ProcessExit): Outcome {
  if (exit.timedOut) return { type: "info", class: "timeout" };
  if (exit.crashedByFault) return { type: "info", class: "crashed" };
  if (exit.exitCode === null) {
    return { type: "info", class: "killed", message: `signal ${exit.signal}` };
  }
  if (exit.exitCode === 0) return { type: "ok", class: "ok" };
  const message = errorMessage(exit.stderr);
  if (exit.exitCode === SHIM_CONFIG_EXIT_CODE && /swamp-sim shim/.test(exit.stderr)) {
    return { type: "fail", class: "shim-error", message };
  }
  if (exit.exitCode === 2) return { type: "fail", class: "usage", message };
  let found: OutcomeClass = "failed";
  for (const [cls, pattern] of CLASS_PATTERNS) {
    if (pattern.test(exit.stderr)) {
      found = cls;
      break;
    }
  }
  if (exit.exitCode === 75 && found === "failed") found = "busy-exhausted";
  return { type: NO_EFFECT.has(found) ? "fail" : "info", class: found, message };
}
