/**
 * A history's ops as the lifecycle model sees them: each op becomes a chain
 * of steps, each step one atomic action on one or more extensions with the
 * answer the op gave about each (derived by `answers.ts`).
 *
 * The chains follow swamp's units of atomicity (contract §4): a pull writes
 * its own lockfile entry, then each dependency's, one step each; an update
 * reads its plan from ONE lockfile snapshot (one step over every extension
 * it covers), then installs each outdated extension in its own step; a list
 * reads the whole lockfile in one step; rm is one step. An `ok` or `fail`
 * op must be linearized with its answer; an `info` op may take any partial
 * effect, or none. A failed upgrade inside an ok update is a step without an
 * answer: it may or may not have reached the lockfile.
 *
 * @module
 */

import { findVersion, type FixtureSpec } from "../../scenario/fixture.ts";
import { type HistoryOp, opLabel } from "../../record/history.ts";
import {
  conflictOwner,
  doctorAnswer,
  listAnswer,
  type NamedVersion,
  pullAnswer,
  rmAnswer,
  updateAnswer,
  type UpdateLine,
} from "./answers.ts";
import {
  answerMatches,
  type AnswerPattern,
  effectOnlyAction,
  type ExtAction,
  type ExtState,
  partialStates,
  serialOutcomes,
} from "./lifecycle.ts";

/** One extension's part of a step: the action and, unless the op may have died, its answer. */
export interface ModelPart {
  name: string;
  action: ExtAction;
  /** The answer the op gave; undefined when it may have acted part-way or not at all. */
  answer?: AnswerPattern;
}

/** One atomic step: its parts happen at one instant. */
export interface ModelStep {
  parts: ModelPart[];
}

/** An op of the history, as the model sees it. */
export interface ModelOp {
  /** The history op; undefined for the final read of the lockfile. */
  source?: HistoryOp;
  /** e.g. `p3 rm @fix/beta`, or `the final lockfile`. */
  label: string;
  /** When the op began to act (see {@link actingFromMs}). */
  invokeMs: number;
  completeMs: number;
  /** ok and fail ops must be linearized with their answers; info ops may be left out. */
  required: boolean;
  steps: ModelStep[];
  /** Why the op's answer could not be read (the check is then unknown). */
  unreadable?: string;
}

/**
 * The states one part may lead to from `s`: with an answer, the serial
 * outcomes that give it; without one (the op may have died), every partial
 * state.
 */
export function partNext(s: ExtState, part: ModelPart): ExtState[] {
  const answer = part.answer;
  if (answer === undefined) return partialStates(s, part.action);
  return serialOutcomes(s, part.action)
    .filter((o) => answerMatches(answer, o.answer))
    .map((o) => o.next);
}

/** What the conversion needs beyond the ops. */
export interface ModelOpsContext {
  fixture: FixtureSpec;
  /** Every extension name the check covers (list and the final read speak of all of them). */
  names: readonly string[];
  /**
   * Check only effects: read answers become `any`, fail ops are dropped.
   * Used for the run's ops when the recovery phase is checked.
   */
  effectsOnly?: boolean;
}

/** How deep swamp follows manifest dependencies. */
export const DEPENDENCY_DEPTH_MAX = 10;

function refParts(ref: string): { name: string; version?: string } {
  const at = ref.indexOf("@", 1);
  return at === -1 ? { name: ref } : { name: ref.slice(0, at), version: ref.slice(at + 1) };
}

/** The latest version the fixture registry serves for `name`. */
export function latestOf(fixture: FixtureSpec, name: string): string | undefined {
  return findVersion(fixture, name)?.version.version;
}

const CONSTRAINT = /^[><=^~!]/;

/**
 * The dependencies an install of `name@version` pulls, transitively, in
 * swamp's order (depth first, each once), each at its pinned version or the
 * latest.
 */
export function fixtureDependencies(
  fixture: FixtureSpec,
  name: string,
  version: string,
): NamedVersion[] {
  const out: NamedVersion[] = [];
  const seen = new Set([name]);
  const visit = (n: string, v: string, depth: number) => {
    if (depth >= DEPENDENCY_DEPTH_MAX) return;
    for (const dependency of findVersion(fixture, n, v)?.version.dependencies ?? []) {
      const parts = refParts(dependency);
      if (seen.has(parts.name)) continue;
      seen.add(parts.name);
      const pinned = parts.version !== undefined && !CONSTRAINT.test(parts.version)
        ? parts.version
        : latestOf(fixture, parts.name);
      if (pinned === undefined) continue;
      out.push({ name: parts.name, version: pinned });
      visit(parts.name, pinned, depth + 1);
    }
  };
  visit(name, version, 0);
  return out;
}

function step(...parts: ModelPart[]): ModelStep {
  return { parts };
}

function pullSteps(op: HistoryOp & { op: { op: "pull" } }, ctx: ModelOpsContext): ModelStep[] {
  const ref = refParts(op.op.ref);
  const name = ref.name;
  // A constraint (`>=`, `^`, ...) resolves to the latest version, as swamp does.
  const pinned = ref.version !== undefined && !CONSTRAINT.test(ref.version)
    ? ref.version
    : undefined;
  const force = op.op.force === true;
  const answer = pullAnswer(op);
  if (answer.kind === "no-effect") return [];
  const fromAnswer = answer.kind === "pulled"
    ? answer.installed.find((i) => i.name === name)?.version
    : undefined;
  const version = pinned ?? latestOf(ctx.fixture, name) ?? fromAnswer;
  if (version === undefined) return [];
  const dependencies = fixtureDependencies(ctx.fixture, name, version);
  const install: ExtAction = { kind: "install", version, force };
  const dependencyAction = (d: NamedVersion): ExtAction => ({
    kind: "dependency",
    version: d.version,
    force,
  });
  switch (answer.kind) {
    case "indeterminate":
    case "unreadable":
      return [
        step({ name, action: install }),
        ...dependencies.map((d) => step({ name: d.name, action: dependencyAction(d) })),
      ];
    case "conflict": {
      const owners = new Set(answer.paths.map(conflictOwner));
      const failed = dependencies.find((d) => owners.has(d.name));
      if (failed === undefined) {
        return [step({ name, action: install, answer: { kind: "conflict" } })];
      }
      // The dependency's files conflicted after the extension itself was written.
      const before = dependencies.slice(0, dependencies.indexOf(failed));
      return [
        step({ name, action: install, answer: { kind: "installed", version } }),
        ...before.map((d) =>
          step({ name: d.name, action: dependencyAction(d), answer: { kind: "any" } })
        ),
        step({ name: failed.name, action: dependencyAction(failed), answer: { kind: "conflict" } }),
      ];
    }
    case "pulled": {
      const printed = new Map(answer.installed.map((i) => [i.name, i.version]));
      const own = printed.get(name);
      const steps: ModelStep[] = [step({
        name,
        action: install,
        answer: own === undefined
          ? { kind: "unexpected", text: `no {name, version, extractedFiles} for ${name}` }
          : { kind: "installed", version: own },
      })];
      for (const d of dependencies) {
        const printedVersion = printed.get(d.name);
        steps.push(step({
          name: d.name,
          action: dependencyAction(d),
          answer: printedVersion === undefined
            ? { kind: "skipped" }
            : { kind: "installed", version: printedVersion },
        }));
      }
      const known = new Set([name, ...dependencies.map((d) => d.name)]);
      for (const [other, v] of printed) {
        if (known.has(other)) continue;
        steps.push(step({
          name: other,
          action: { kind: "untouched" },
          answer: {
            kind: "unexpected",
            text: `installed ${v}, though no manifest makes ${name} pull it`,
          },
        }));
      }
      return steps;
    }
  }
}

function rmSteps(op: HistoryOp & { op: { op: "rm" } }): ModelStep[] {
  const name = op.op.name;
  const answer = rmAnswer(op);
  const action: ExtAction = { kind: "remove" };
  switch (answer.kind) {
    case "no-effect":
      return [];
    case "indeterminate":
    case "unreadable":
      return [step({ name, action })];
    case "not-installed":
      return [step({ name, action, answer: { kind: "not-installed" } })];
    case "removed":
      return [step({
        name,
        action,
        answer: answer.name === name
          ? { kind: "removed", version: answer.version }
          : { kind: "unexpected", text: `removed ${answer.name}` },
      })];
  }
}

function planPattern(line: UpdateLine | undefined): AnswerPattern {
  if (line === undefined) return { kind: "not-installed" };
  if (line.from === undefined) return { kind: "any" };
  switch (line.status) {
    case "up_to_date":
    case "deprecated":
      return { kind: "planned", status: "up-to-date", from: line.from };
    case "updated":
    case "update_available":
      return { kind: "planned", status: "outdated", from: line.from };
    case "failed":
      return line.to === undefined
        ? { kind: "planned", from: line.from }
        : { kind: "planned", status: "outdated", from: line.from };
    default:
      return { kind: "planned", from: line.from };
  }
}

function updateSteps(op: HistoryOp & { op: { op: "update" } }, ctx: ModelOpsContext): ModelStep[] {
  const only = op.op.name;
  const targets = only === undefined ? ctx.names : [only];
  const answer = updateAnswer(op);
  const upgrade = (name: string): ExtAction | undefined => {
    const latest = latestOf(ctx.fixture, name);
    return latest === undefined ? undefined : { kind: "install", version: latest, force: true };
  };
  const plan = (name: string): ExtAction => ({
    kind: "plan",
    latest: latestOf(ctx.fixture, name) ?? "",
  });
  switch (answer.kind) {
    case "no-effect":
      return [];
    case "not-installed":
      return only === undefined
        ? []
        : [step({ name: only, action: plan(only), answer: { kind: "not-installed" } })];
    case "indeterminate":
    case "unreadable":
      return [...targets].sort().flatMap((name) => {
        const action = upgrade(name);
        return action === undefined ? [] : [step({ name, action })];
      });
    case "report": {
      const lines = new Map(answer.lines.map((l) => [l.name, l]));
      const planned = new Set(targets);
      for (const l of answer.lines) planned.add(l.name);
      const read = step(
        ...[...planned].sort().map((name): ModelPart => ({
          name,
          action: plan(name),
          answer: only !== undefined && name !== only
            ? { kind: "unexpected", text: `planned ${name}, though the update named ${only}` }
            : planPattern(lines.get(name)),
        })),
      );
      const installs = answer.lines.flatMap((line): ModelStep[] => {
        const action = upgrade(line.name);
        if (action === undefined || line.to === undefined) return [];
        if (line.status === "updated") {
          return [step({
            name: line.name,
            action,
            answer: { kind: "installed", version: line.to },
          })];
        }
        // A failed upgrade may have got as far as the lockfile write.
        return line.status === "failed" ? [step({ name: line.name, action })] : [];
      });
      return [read, ...installs];
    }
  }
}

function listSteps(op: HistoryOp, ctx: ModelOpsContext): ModelStep[] {
  const answer = listAnswer(op);
  if (answer.kind !== "listed") return [];
  const listed = new Map(answer.extensions.map((e) => [e.name, e.version]));
  const names = new Set([...ctx.names, ...listed.keys()]);
  return [step(
    ...[...names].sort().map((name): ModelPart => ({
      name,
      action: { kind: "read" },
      answer: { kind: "listed", version: listed.get(name) ?? null },
    })),
  )];
}

function doctorSteps(op: HistoryOp & { op: { op: "doctor" } }, ctx: ModelOpsContext): ModelStep[] {
  const answer = doctorAnswer(op);
  const repairs = op.op.repair === true && op.op.dryRun !== true;
  if (answer.kind === "doctor") {
    return answer.repulled.map((name) => step({ name, action: { kind: "repull" } }));
  }
  if ((answer.kind === "indeterminate" || answer.kind === "unreadable") && repairs) {
    return ctx.names.map((name) => step({ name, action: { kind: "repull" } }));
  }
  return [];
}

/** The steps of one history op (none for ops without any effect or answer the model knows). */
function stepsOf(op: HistoryOp, ctx: ModelOpsContext): ModelStep[] {
  const spec = op.op;
  switch (spec.op) {
    case "pull":
      return pullSteps({ ...op, op: spec }, ctx);
    case "rm":
      return rmSteps({ ...op, op: spec });
    case "update":
      return updateSteps({ ...op, op: spec }, ctx);
    case "list":
      return listSteps(op, ctx);
    case "doctor":
      return doctorSteps({ ...op, op: spec }, ctx);
    default:
      return [];
  }
}

function unreadableOf(op: HistoryOp): string | undefined {
  const spec = op.op;
  const answer = spec.op === "pull"
    ? pullAnswer(op)
    : spec.op === "rm"
    ? rmAnswer(op)
    : spec.op === "update"
    ? updateAnswer(op)
    : spec.op === "list"
    ? listAnswer(op)
    : spec.op === "doctor"
    ? doctorAnswer(op)
    : undefined;
  return answer?.kind === "unreadable" ? answer.reason : undefined;
}

/** A step that keeps each part's effect and drops what it says it read. */
export function effectOnly(step: ModelStep): ModelStep {
  return {
    parts: step.parts.map((p) =>
      p.answer === undefined ? p : { ...p, ...effectOnlyAction(p.action, p.answer) }
    ),
  };
}

/**
 * When an op began to act: its spawn, or the end of a pause at
 * `process.start` (before that point the process has done nothing of its
 * op, so a scenario can order ops in real time by holding their start).
 */
export function actingFromMs(op: HistoryOp): number {
  let fromMs = op.invokeMs;
  for (const e of op.events) {
    if (e.point === "process.start" && e.action === "pause" && e.pausedMs !== undefined) {
      fromMs = Math.max(fromMs, e.atMs + e.pausedMs);
    }
  }
  return Math.min(fromMs, Math.max(op.invokeMs, op.completeMs));
}

/** The model's view of one history op. */
export function modelOp(op: HistoryOp, ctx: ModelOpsContext): ModelOp {
  const unreadable = unreadableOf(op);
  const dropped = ctx.effectsOnly === true && op.outcome.type === "fail";
  const steps = dropped
    ? []
    : stepsOf(op, ctx).map((s) => ctx.effectsOnly === true ? effectOnly(s) : s);
  return {
    source: op,
    label: opLabel(op),
    invokeMs: actingFromMs(op),
    completeMs: Math.max(op.invokeMs, op.completeMs),
    // An op whose answer cannot be read may or may not have acted.
    required: op.outcome.type !== "info" && unreadable === undefined,
    steps,
    ...(unreadable === undefined || ctx.effectsOnly === true ? {} : { unreadable }),
  };
}

/** The final read of the lockfile: after every op, each extension at its entry's version. */
export function finalReadOp(
  final: Readonly<Record<string, string>>,
  names: readonly string[],
  atMs: number,
): ModelOp {
  const all = new Set([...names, ...Object.keys(final)]);
  return {
    label: "the final lockfile",
    invokeMs: atMs,
    completeMs: atMs,
    required: true,
    steps: [step(
      ...[...all].sort().map((name): ModelPart => ({
        name,
        action: { kind: "read" },
        answer: { kind: "listed", version: final[name] ?? null },
      })),
    )],
  };
}

/** Every extension name the answers of `ops` mention, besides the fixture's. */
export function namesOf(ops: readonly HistoryOp[], fixture: FixtureSpec): string[] {
  const names = new Set(fixture.extensions.map((e) => e.name));
  for (const op of ops) {
    const spec = op.op;
    if (spec.op === "pull") {
      names.add(refParts(spec.ref).name);
      const a = pullAnswer(op);
      if (a.kind === "pulled") { for (const i of a.installed) names.add(i.name); }
    } else if (spec.op === "rm") {
      names.add(spec.name);
    } else if (spec.op === "update") {
      if (spec.name !== undefined) names.add(spec.name);
      const a = updateAnswer(op);
      if (a.kind === "report") { for (const l of a.lines) names.add(l.name); }
    } else if (spec.op === "list") {
      const a = listAnswer(op);
      if (a.kind === "listed") { for (const e of a.extensions) names.add(e.name); }
    }
  }
  return [...names].sort();
}
