/**
 * Explaining a violation in Elle's manner: the smallest set of ops that
 * cannot be ordered, their windows and answers, and for each answer what the
 * model would have answered instead, from which state, in the orders the
 * others allow.
 *
 * Shrinking leaving ops out would be misleading (without the pull that
 * installed it, a list that shows an extension is wrong for another reason),
 * so the set is shrunk in two monotone passes over the whole history:
 *
 * 1. answers: each op in turn keeps only its effect (an install its version,
 *    a removal its being one; every read is free); when the history still
 *    cannot be ordered, its answer is not needed. What is left is a smallest
 *    set of answers that contradict each other (1-minimal: each is needed).
 * 2. effects: each remaining op in turn may be left out; when the history
 *    still cannot be ordered, its effect is not needed either.
 *
 * The explanation names the answers of pass 1 and the effects of pass 2;
 * other ops that change the same extensions are listed as context (their
 * being left out or not does not matter, but the predictions use them).
 * When a pass runs out of budget, the set may not be minimal and the
 * explanation says so.
 *
 * @module
 */

import {
  answerMatches,
  type AnswerPattern,
  answerText,
  isRead,
  serialOutcomes,
  stateText,
} from "../model/lifecycle.ts";
import type { ModelOp, ModelPart } from "../model/model_ops.ts";
import {
  allIndices,
  type LinearizabilityLimits,
  type Loosening,
  type Scope,
  type ScopedProblem,
  scopeText,
  searchProblem,
  toSearchOps,
} from "./check.ts";
import { placementsOf } from "./search.ts";

/** One op's answer in the set and what the model predicts instead, per step it contradicts. */
export interface AnswerExplanation {
  op: ModelOp;
  steps: Array<{
    /** The answered parts, e.g. `removed 2026.01.01.1`. */
    answered: string;
    /** What the model answers instead, each with the state it answers from. */
    predicted: Array<{ answer: string; from: string }>;
  }>;
}

/** A violation, explained. */
export interface Explanation {
  scope: Scope;
  /** Answers that cannot all hold. */
  answers: AnswerExplanation[];
  /** Ops whose certain effects the contradiction rests on. */
  effects: ModelOp[];
  /** Other ops that change the same extensions (context, at most {@link CONTEXT_OPS_MAX}). */
  context: ModelOp[];
  /** How many more such ops there are. */
  contextMore: number;
  /** Every answer and effect named is needed (false when a budget ran out). */
  minimal: boolean;
}

/** Context ops an explanation names and predicts with. */
export const CONTEXT_OPS_MAX = 6;
/** Configurations one prediction explores at most. */
const PREDICTION_CONFIGURATIONS_MAX = 50_000;

/** Whether a part may change its extension's state. */
function changes(part: ModelPart): boolean {
  return !isRead(part.action, part.answer) && part.action.kind !== "read" &&
    part.action.kind !== "plan" && part.action.kind !== "untouched";
}

function answeredParts(problem: ScopedProblem, i: number): ModelPart[] {
  return problem.steps[i].flatMap((s) => s.parts).filter((p) =>
    p.answer !== undefined && p.answer.kind !== "any"
  );
}

function partsText(parts: readonly ModelPart[]): string {
  return parts.map((p) => `${p.name} ${answerText(p.answer!)}`).join(", ");
}

/**
 * Loosens as many of `candidates` as `stillFails` allows, testing whole
 * halves first and splitting a half only when loosening it all makes the
 * history orderable: O(k log n) tests for k kept of n. With a monotone test
 * (loosening more never makes an orderable history unorderable) every kept
 * candidate is needed: loosening it alone, on top of all the others
 * loosened, makes the history orderable. Returns the loosened set.
 */
export function loosenAll(
  candidates: readonly number[],
  stillFails: (loosened: ReadonlySet<number>) => boolean | undefined,
): { loosened: Set<number>; complete: boolean } {
  const loosened = new Set<number>();
  let complete = true;
  const attempt = (chunk: readonly number[]) => {
    if (chunk.length === 0 || !complete) return;
    const verdict = stillFails(new Set([...loosened, ...chunk]));
    if (verdict === undefined) {
      complete = false;
      return;
    }
    if (verdict) {
      for (const i of chunk) loosened.add(i);
      return;
    }
    if (chunk.length === 1) return;
    const half = Math.ceil(chunk.length / 2);
    attempt(chunk.slice(0, half));
    attempt(chunk.slice(half));
  };
  attempt(candidates);
  return { loosened, complete };
}

/** The two shrinking passes: the needed answers, then the needed effects. */
export function shrinkViolation(
  problem: ScopedProblem,
  limits: LinearizabilityLimits,
): { answers: number[]; effects: number[]; minimal: boolean } {
  const bounded = {
    configurationsMax: Math.max(1, Math.floor(limits.configurationsMax / 10)),
  };
  const all = allIndices(problem);
  let searches = 0;
  let minimal = true;
  /** true: still cannot be ordered; false: can; undefined: out of budget. */
  const fails = (loosen: Loosening): boolean | undefined => {
    if (searches++ >= limits.minimizeSearchesMax) return undefined;
    const status = searchProblem(problem, all, bounded, loosen).status;
    if (status === "unknown") minimal = false;
    return status === "not-linearizable";
  };
  const required = all.filter((i) => problem.ops[i].required);
  const withoutAnswers = required.filter((i) => answeredParts(problem, i).length === 0);
  const answered = required.filter((i) => answeredParts(problem, i).length > 0);
  const pass1 = loosenAll(
    [...answered].reverse(),
    (loosened) => fails({ effectOnly: new Set([...withoutAnswers, ...loosened]) }),
  );
  const effectOnly = new Set([...withoutAnswers, ...pass1.loosened]);
  const answers = answered.filter((i) => !pass1.loosened.has(i));
  const pass2 = loosenAll(
    [...effectOnly].sort((a, b) => b - a),
    (loosened) => fails({ effectOnly, optional: loosened }),
  );
  const effects = [...effectOnly].filter((i) => !pass2.loosened.has(i)).sort((a, b) => a - b);
  return { answers, effects, minimal: minimal && pass1.complete && pass2.complete };
}

/** Predictions an explanation shows per answer. */
const PREDICTIONS_SHOWN_MAX = 4;

function predict(
  problem: ScopedProblem,
  subset: readonly number[],
  loosen: Loosening,
  at: number,
  written: ReadonlySet<string>,
): AnswerExplanation {
  const position = subset.indexOf(at);
  const withNames = problem.scope.kind === "repo";
  const named = (name: string, text: string) => `${withNames ? `${name} ` : ""}${text}`;
  // Per step: its answered parts (over the whole repo, those about extensions some op changes).
  const stepParts = problem.steps[at].map((s) => {
    const answered = s.parts.filter((p) => p.answer !== undefined && p.answer.kind !== "any");
    const relevant = answered.filter((p) => written.has(p.name));
    return relevant.length > 0 ? relevant : answered;
  });
  const predicted = stepParts.map(() =>
    new Map<string, { answer: string; from: string; fits: boolean }>()
  );
  const places = placementsOf(
    toSearchOps(problem, subset, { ...loosen, anyAnswer: at }),
    problem.initial,
    problem.keyOf,
    position,
    { configurationsMax: PREDICTION_CONFIGURATIONS_MAX },
  );
  places.before.forEach((states, step) => {
    const parts = stepParts[step];
    if (parts.length === 0) return;
    for (const before of states) {
      const extStates = parts.map((p) => problem.extState(before, p.name));
      let fits = true;
      const answers = parts.map((p, k) => {
        const outcomes = serialOutcomes(extStates[k], p.action);
        if (!outcomes.some((o) => answerMatches(p.answer as AnswerPattern, o.answer))) {
          fits = false;
        }
        return named(p.name, [...new Set(outcomes.map((o) => answerText(o.answer)))].join(" or "));
      });
      const answer = answers.join(", ");
      const from = parts.map((p, k) => named(p.name, stateText(extStates[k]))).join(", ");
      predicted[step].set(`${answer}\u0000${from}`, { answer, from, fits });
    }
  });
  const steps = stepParts.flatMap((parts, i) =>
    parts.length === 0 ? [] : [{
      answered: parts.map((p) => named(p.name, answerText(p.answer!))).join(", "),
      predicted: [...predicted[i].values()],
    }]
  );
  // The steps the model contradicts; all of them when none is contradicted alone.
  const contradicted = steps.filter((s) => !s.predicted.some((p) => p.fits));
  const shown = contradicted.length > 0 ? contradicted : steps;
  return {
    op: problem.ops[at],
    steps: shown.map((s) => ({
      answered: s.answered,
      predicted: s.predicted.map(({ answer, from }) => ({ answer, from })),
    })),
  };
}

/** Shrinks a violation and predicts, for each answer left, what the model would have answered. */
export function explainViolation(
  problem: ScopedProblem,
  limits: LinearizabilityLimits,
): Explanation {
  const { answers, effects, minimal } = shrinkViolation(problem, limits);
  const written = new Set(
    problem.steps.flatMap((steps) =>
      steps.flatMap((s) => s.parts.filter(changes).map((p) => p.name))
    ),
  );
  const names = new Set(
    answers.flatMap((i) => answeredParts(problem, i).map((p) => p.name)).filter((n) =>
      written.has(n)
    ),
  );
  const shown = new Set([...answers, ...effects]);
  const writers = allIndices(problem).filter((i) =>
    !shown.has(i) &&
    problem.steps[i].some((s) => s.parts.some((p) => names.has(p.name) && changes(p)))
  );
  const first = Math.min(...[...shown].map((i) => problem.ops[i].invokeMs));
  const context = [...writers]
    .sort((a, b) =>
      Math.abs(problem.ops[a].invokeMs - first) - Math.abs(problem.ops[b].invokeMs - first) ||
      a - b
    )
    .slice(0, CONTEXT_OPS_MAX)
    .sort((a, b) => a - b);
  const subset = [...shown, ...context].sort((a, b) => a - b);
  // Context ops keep their certain effects; only info ops may be left out.
  const loosen: Loosening = { effectOnly: new Set([...effects, ...context]) };
  return {
    scope: problem.scope,
    answers: answers.map((i) => predict(problem, subset, loosen, i, written)),
    effects: effects.map((i) => problem.ops[i]),
    context: context.map((i) => problem.ops[i]),
    contextMore: writers.length - context.length,
    minimal,
  };
}

function windowText(op: ModelOp, timeText: (ms: number) => string): string {
  return op.source === undefined
    ? "after every op"
    : `[${timeText(op.invokeMs)}..${timeText(op.completeMs)}]`;
}

function effectText(op: ModelOp, scope: Scope): string {
  const parts = op.steps.flatMap((s) => s.parts).filter((p) =>
    p.answer !== undefined && changes(p) && p.answer.kind !== "any" &&
    (scope.kind === "repo" || p.name === scope.name)
  );
  return parts.length === 0 ? op.source?.outcome.class ?? "" : partsText(parts);
}

/**
 * The explanation as sentences, e.g. `@fix/beta: these answers cannot all be
 * given by one order of the ops that respects real time: p1 rm @fix/beta
 * [+30 ms..+50 ms] answered removed 2026.01.01.1, the model predicts not
 * installed (from absent); given ...`. `timeText` renders an instant.
 */
export function explanationText(e: Explanation, timeText: (ms: number) => string): string {
  const answers = e.answers.map((a) => {
    const steps = a.steps.map((s) => {
      const shown = s.predicted.slice(0, PREDICTIONS_SHOWN_MAX)
        .map((p) => `${p.answer} (from ${p.from})`);
      const more = s.predicted.length - shown.length;
      const predicted = s.predicted.length === 0
        ? "no order of the others leaves a place for it"
        : `the model predicts ${shown.join(" or ")}${more > 0 ? ` or ${more} more` : ""}`;
      return `answered ${s.answered}, ${predicted}`;
    });
    return `${a.op.label} ${windowText(a.op, timeText)} ${steps.join(" and ")}`;
  });
  const effects = e.effects.map((op) =>
    `${op.label} ${windowText(op, timeText)} (${op.required ? "ok" : "info"}: ${
      effectText(op, e.scope)
    })`
  );
  const context = e.context.map((op) =>
    `${op.label} ${windowText(op, timeText)} (${op.source?.outcome.class ?? ""})`
  );
  return `${
    scopeText(e.scope)
  }: these ${e.answers.length} answer(s) cannot all be given by one order of the ops that respects real time${
    e.minimal ? "" : " (the set may not be minimal: the shrinking budget ran out)"
  }: ${answers.join("; ")}${
    effects.length === 0 ? "" : `; given the certain effects of ${effects.join(", ")}`
  }${
    context.length === 0
      ? ""
      : `; other ops that change ${e.scope.kind === "extension" ? "it" : "them"}: ${
        context.join(", ")
      }${e.contextMore > 0 ? ` and ${e.contextMore} more` : ""}`
  }.`;
}
