/**
 * Checks that a history's answers are linearizable against the lifecycle
 * model: first per extension (each extension's sub-history, every op
 * projected onto the steps that touch it), then, when some step reads or
 * writes several extensions at one instant (a list, an update's plan), over
 * the whole repo, whose state is every extension's state at once.
 *
 * Per-extension checking is exact for single-extension steps (linearizability
 * is local); the whole-repo search adds the atomicity of multi-extension
 * reads. The final read of the lockfile comes after every op, so projecting
 * it loses nothing and it alone never calls for the whole-repo search.
 *
 * Bounds: `opsPerKeyMax` model ops per extension (and in the whole-repo
 * search), `configurationsMax` per search; a bound reached is `unknown` with
 * the reason, and an op whose answer cannot be read makes an otherwise
 * passing check `unknown`. A violation found anywhere is reported even when
 * another part could not be decided.
 *
 * @module
 */

import type { ExtState } from "../model/lifecycle.ts";
import { isRead, stateKey } from "../model/lifecycle.ts";
import { effectOnly, type ModelOp, type ModelStep, partNext } from "../model/model_ops.ts";
import { searchLinearization, type SearchOp, type SearchResult } from "./search.ts";

/** Cost bounds of the whole check. */
export interface LinearizabilityLimits {
  /** Model ops one search takes, per extension or over the whole repo. */
  opsPerKeyMax: number;
  /** Configurations one search explores. */
  configurationsMax: number;
  /** Searches spent shrinking a violation to its smallest set of ops. */
  minimizeSearchesMax: number;
}

/** The bounds the invariant uses. */
export const LINEARIZABILITY_LIMITS: LinearizabilityLimits = {
  opsPerKeyMax: 1_000,
  configurationsMax: 100_000,
  minimizeSearchesMax: 400,
};

/** A history as the check takes it. */
export interface LinearizabilityInput {
  ops: readonly ModelOp[];
  /** Every extension's state before the first op. */
  initial: ReadonlyMap<string, ExtState>;
}

/** Where a search ran: one extension, or the whole repo. */
export type Scope = { kind: "extension"; name: string } | { kind: "repo"; names: string[] };

/**
 * A search problem: the ops of one scope, each projected onto the steps (and
 * parts) of that scope, and how a step moves the scope's state.
 */
export interface ScopedProblem {
  scope: Scope;
  /** The model ops that take part, in input order. */
  ops: ModelOp[];
  /** Each op's steps within the scope, aligned with `ops`. */
  steps: ModelStep[][];
  initial: unknown;
  keyOf(state: unknown): string;
  /** The states a step may lead to. */
  next(state: unknown, step: ModelStep): unknown[];
  /** One extension's part of a state. */
  extState(state: unknown, name: string): ExtState;
}

/** The outcome of the check. */
export type LinearizabilityResult =
  | { status: "valid"; extensions: number; repoWide: boolean; configurations: number }
  | { status: "invalid"; problem: ScopedProblem; configurations: number; others: string[] }
  | { status: "unknown"; reason: string; configurations: number };

const SIGNATURES = new WeakMap<ModelStep[], string>();

/** An op's steps as a string, computed once per problem op: equal strings, identical steps. */
function signatureOf(problem: ScopedProblem, i: number): string {
  const steps = problem.steps[i];
  let signature = SIGNATURES.get(steps);
  if (signature === undefined) {
    signature = JSON.stringify(steps.map((s) => s.parts));
    SIGNATURES.set(steps, signature);
  }
  return signature;
}

/** A step whose parts accept any answer (what the op read and what it did are both free). */
export function anyAnswer(step: ModelStep): ModelStep {
  return {
    parts: step.parts.map((p) => p.answer === undefined ? p : { ...p, answer: { kind: "any" } }),
  };
}

/** How some ops of a search are loosened, by index into `problem.ops`. */
export interface Loosening {
  /** Ops whose answers count for their effects only (`effectOnly()`). */
  effectOnly?: ReadonlySet<number>;
  /** Ops that may be left out (else placed exactly as answered). */
  optional?: ReadonlySet<number>;
  /** One op whose answers are free. */
  anyAnswer?: number;
}

/** The search ops of `subset` (indices into `problem.ops`), loosened as asked. */
export function toSearchOps(
  problem: ScopedProblem,
  subset: readonly number[],
  loosen: Loosening = {},
): SearchOp<unknown>[] {
  return subset.map((i) => {
    const op = problem.ops[i];
    const loosening = i === loosen.anyAnswer ? "any" : loosen.effectOnly?.has(i) ? "effect" : "";
    const steps = loosening === "any"
      ? problem.steps[i].map(anyAnswer)
      : loosening === "effect"
      ? problem.steps[i].map(effectOnly)
      : problem.steps[i];
    const required = op.required && !(loosen.optional?.has(i) ?? false);
    return {
      invokeMs: op.invokeMs,
      completeMs: op.completeMs,
      required,
      signature: `${required ? "r" : "o"}${loosening}:${signatureOf(problem, i)}`,
      steps: steps.map((s) => ({
        next: (state: unknown) => problem.next(state, s),
        read: s.parts.every((p) => isRead(p.action, p.answer)),
      })),
    };
  });
}

/** Searches `subset` of a problem's ops. */
export function searchProblem(
  problem: ScopedProblem,
  subset: readonly number[],
  limits: Pick<LinearizabilityLimits, "configurationsMax">,
  loosen: Loosening = {},
): SearchResult {
  return searchLinearization(
    toSearchOps(problem, subset, loosen),
    problem.initial,
    problem.keyOf,
    limits,
  );
}

const ABSENT: ExtState = { version: null, files: "none" };

/** The sub-history of one extension: each op's steps that touch it, one part each. */
export function extensionProblem(input: LinearizabilityInput, name: string): ScopedProblem {
  const ops: ModelOp[] = [];
  const steps: ModelStep[][] = [];
  for (const op of input.ops) {
    const own = op.steps.flatMap((s) => s.parts.filter((p) => p.name === name))
      .map((part) => ({ parts: [part] }));
    if (own.length === 0) continue;
    ops.push(op);
    steps.push(own);
  }
  return {
    scope: { kind: "extension", name },
    ops,
    steps,
    initial: input.initial.get(name) ?? ABSENT,
    keyOf: (state) => stateKey(state as ExtState),
    next: (state, step) => partNext(state as ExtState, step.parts[0]),
    extState: (state) => state as ExtState,
  };
}

function product(choices: readonly (readonly ExtState[])[]): ExtState[][] {
  let out: ExtState[][] = [[]];
  for (const options of choices) {
    out = out.flatMap((prefix) => options.map((o) => [...prefix, o]));
  }
  return out;
}

/** The whole repo's history: every op, each step over all the extensions it touches at once. */
export function repoProblem(input: LinearizabilityInput): ScopedProblem {
  const names = [...input.initial.keys()].sort();
  const index = new Map(names.map((n, i) => [n, i]));
  for (const op of input.ops) {
    for (const s of op.steps) {
      for (const p of s.parts) {
        if (!index.has(p.name)) {
          index.set(p.name, names.length);
          names.push(p.name);
        }
      }
    }
  }
  const ops = input.ops.filter((op) => op.steps.length > 0);
  return {
    scope: { kind: "repo", names },
    ops,
    steps: ops.map((op) => op.steps),
    initial: names.map((n) => input.initial.get(n) ?? ABSENT),
    keyOf: (state) => (state as ExtState[]).map(stateKey).join(" "),
    next: (state, step) => {
      const current = state as ExtState[];
      const choices: ExtState[][] = [];
      let single = true;
      for (const p of step.parts) {
        const options = partNext(current[index.get(p.name)!], p);
        if (options.length === 0) return [];
        if (options.length > 1 || options[0] !== current[index.get(p.name)!]) single = false;
        choices.push(options);
      }
      // A read leaves the very same state.
      if (single) return [current];
      return product(choices).map((picked) => {
        const next = [...current];
        step.parts.forEach((p, k) => (next[index.get(p.name)!] = picked[k]));
        return next;
      });
    },
    extState: (state, name) => (state as ExtState[])[index.get(name)!] ?? ABSENT,
  };
}

/** Every op index of a problem. */
export function allIndices(problem: ScopedProblem): number[] {
  return problem.ops.map((_, i) => i);
}

/** Runs the check. Pure. */
export function checkLinearizable(
  input: LinearizabilityInput,
  limits: LinearizabilityLimits = LINEARIZABILITY_LIMITS,
): LinearizabilityResult {
  let configurations = 0;
  const undecided: string[] = [];
  const unreadable = input.ops.filter((op) => op.unreadable !== undefined);
  for (const op of unreadable) {
    undecided.push(`the answer of ${op.label} cannot be read: ${op.unreadable}`);
  }
  const names = new Set(input.initial.keys());
  for (const op of input.ops) {
    for (const s of op.steps) for (const p of s.parts) names.add(p.name);
  }
  const invalid: ScopedProblem[] = [];
  for (const name of [...names].sort()) {
    const problem = extensionProblem(input, name);
    if (problem.ops.length > limits.opsPerKeyMax) {
      undecided.push(
        `${name} has ${problem.ops.length} ops, more than the bound of ${limits.opsPerKeyMax}`,
      );
      continue;
    }
    const result = searchProblem(problem, allIndices(problem), limits);
    configurations += result.configurations;
    if (result.status === "not-linearizable") invalid.push(problem);
    if (result.status === "unknown") undecided.push(`${name}: ${result.reason}`);
  }
  if (invalid.length > 0) {
    return {
      status: "invalid",
      problem: invalid[0],
      configurations,
      others: invalid.slice(1).map((p) => scopeText(p.scope)),
    };
  }
  const repoWide = input.ops.some((op) =>
    op.source !== undefined && op.steps.some((s) => s.parts.length > 1)
  );
  if (repoWide) {
    const problem = repoProblem(input);
    if (problem.ops.length > limits.opsPerKeyMax) {
      undecided.push(
        `the whole repo has ${problem.ops.length} ops, more than the bound of ${limits.opsPerKeyMax}`,
      );
    } else {
      const result = searchProblem(problem, allIndices(problem), limits);
      configurations += result.configurations;
      if (result.status === "not-linearizable") {
        return { status: "invalid", problem, configurations, others: [] };
      }
      if (result.status === "unknown") undecided.push(`the whole repo: ${result.reason}`);
    }
  }
  if (undecided.length > 0) {
    return { status: "unknown", reason: undecided.join("; "), configurations };
  }
  return { status: "valid", extensions: names.size, repoWide, configurations };
}

/** A scope in words: an extension's name, or `the whole repo`. */
export function scopeText(scope: Scope): string {
  return scope.kind === "extension" ? scope.name : "the whole repo";
}
