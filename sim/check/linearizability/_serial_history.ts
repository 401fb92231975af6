/**
 * Test and bench support: random serial histories of the lifecycle. A list
 * of planned ops is executed one after another against the model's rules
 * (what swamp answers from each state), producing the history ops a run
 * would record (outcomes and `--json` documents in swamp's shapes), the
 * final lockfile, and windows that can be widened at random: the serial
 * order then stays a valid linearization, so the check must accept it.
 * Imported by tests and benchmarks only.
 *
 * @module
 */

import fc from "fast-check";
import { compareCalVer, type FixtureSpec } from "../../scenario/fixture.ts";
import type { HistoryOp } from "../../record/history.ts";
import { PULLED_DIR } from "../../shared/layout.ts";
import {
  ALPHA,
  BETA,
  DELTA,
  GAMMA,
  historyOp,
  listJson,
  pullJson,
  rmJson,
  testFixture,
  updateJson,
  type UpdateLine,
} from "../invariants/_fixtures.ts";
import { fixtureDependencies, latestOf } from "../model/model_ops.ts";

/** One op of a serial plan. */
export type PlannedOp =
  | { kind: "pull"; name: string; version?: string; force: boolean }
  | { kind: "rm"; name: string }
  | { kind: "update"; name?: string }
  | { kind: "list" };

/** How a planned op ends: as the model answers, or killed with or without its effect. */
export type PlannedEnd = "answer" | "info-applied" | "info-not-applied";

/** One planned op with its end and how far its window is widened. */
export interface PlannedStep {
  op: PlannedOp;
  end: PlannedEnd;
  /** The op's own duration within its slot. */
  durationMs: number;
  /** How much earlier the recorded invocation is than the serial one. */
  widenBeforeMs: number;
  /** How much later the recorded completion is than the serial one. */
  widenAfterMs: number;
}

/** A generated history and what it should be judged against. */
export interface SerialHistory {
  ops: HistoryOp[];
  initial: Record<string, string>;
  final: Record<string, string>;
  fixture: FixtureSpec;
}

/** Milliseconds between the starts of two consecutive ops. */
export const SLOT_MS = 10;

function versionsOf(fixture: FixtureSpec, name: string): string[] {
  return fixture.extensions.find((e) => e.name === name)?.versions.map((v) => v.version) ?? [];
}

/** Executes `plan` serially from `initial` and records it as history ops. */
export function serialHistory(
  plan: readonly PlannedStep[],
  initial: Readonly<Record<string, string>>,
  fixture: FixtureSpec = testFixture(),
): SerialHistory {
  const state = new Map(Object.entries(initial));
  const ops = plan.map((step, index): HistoryOp => {
    const startMs = index * SLOT_MS;
    const window = [
      startMs - step.widenBeforeMs,
      startMs + Math.min(step.durationMs, SLOT_MS - 1) + step.widenAfterMs,
    ] as const;
    const apply = step.end !== "info-not-applied";
    const answered = execute(step.op, state, fixture, apply);
    const spec = specOf(step.op);
    if (step.end !== "answer") {
      return historyOp(index, spec, { type: "info", class: "crashed", window });
    }
    return historyOp(index, spec, {
      window,
      json: answered.json,
      ...(answered.failClass === undefined
        ? {}
        : { type: "fail" as const, class: answered.failClass }),
    });
  });
  return { ops, initial: { ...initial }, final: Object.fromEntries(state), fixture };
}

function specOf(op: PlannedOp): HistoryOp["op"] {
  switch (op.kind) {
    case "pull":
      return {
        op: "pull",
        ref: op.version === undefined ? op.name : `${op.name}@${op.version}`,
        ...(op.force ? { force: true } : {}),
      };
    case "rm":
      return { op: "rm", name: op.name };
    case "update":
      return op.name === undefined ? { op: "update" } : { op: "update", name: op.name };
    case "list":
      return { op: "list" };
  }
}

/** Applies one op to `state` (when `apply`), returning what it printed and its fail class. */
function execute(
  op: PlannedOp,
  state: Map<string, string>,
  fixture: FixtureSpec,
  apply: boolean,
): { json: unknown[]; failClass?: "conflict" | "not-installed" } {
  const set = (name: string, version: string | undefined) => {
    if (!apply) return;
    if (version === undefined) state.delete(name);
    else state.set(name, version);
  };
  switch (op.kind) {
    case "pull": {
      const version = op.version ?? latestOf(fixture, op.name)!;
      if (!op.force && state.has(op.name)) {
        return {
          json: [{ conflicts: [`${PULLED_DIR}/${op.name}/manifest.yaml`] }],
          failClass: "conflict",
        };
      }
      const printed: Record<string, string> = {};
      const missing = fixtureDependencies(fixture, op.name, version).filter((d) =>
        !state.has(d.name)
      );
      set(op.name, version);
      for (const d of missing) {
        printed[d.name] = d.version;
        set(d.name, d.version);
      }
      return { json: pullJson(op.name, version, printed) };
    }
    case "rm": {
      const version = state.get(op.name);
      if (version === undefined) return { json: [], failClass: "not-installed" };
      set(op.name, undefined);
      return { json: rmJson(op.name, version) };
    }
    case "update": {
      if (op.name !== undefined && !state.has(op.name)) {
        return {
          json: [{ error: `Extension ${op.name} is not installed.` }],
          failClass: "not-installed",
        };
      }
      const names = op.name === undefined ? [...state.keys()].sort() : [op.name];
      const lines = names.map((name): UpdateLine => {
        const from = state.get(name)!;
        const latest = latestOf(fixture, name)!;
        if (compareCalVer(from, latest) >= 0) return { name, status: "up_to_date", from };
        set(name, latest);
        return { name, status: "updated", from, to: latest };
      });
      return { json: updateJson(lines) };
    }
    case "list":
      return { json: listJson(Object.fromEntries(state)) };
  }
}

/** A version no fixture extension has: an answer naming it fits no order. */
export const IMPOSSIBLE_VERSION = "2099.01.01.1";

/**
 * The history with op `index`'s answer changed to one no order of the ops
 * can give (a version no op ever installs), or undefined when that op's
 * answer names no version to change.
 */
export function withImpossibleAnswer(ops: HistoryOp[], index: number): HistoryOp[] | undefined {
  const op = ops[index];
  if (op.outcome.type !== "ok") return undefined;
  const docs = structuredClone(op.json) as Array<Record<string, unknown>>;
  let changed = false;
  for (const doc of docs) {
    if (op.op.op === "pull" && typeof doc.version === "string") {
      doc.version = IMPOSSIBLE_VERSION;
      changed = true;
    }
    const removed = doc.removed as Record<string, unknown> | undefined;
    if (removed !== undefined) {
      removed.version = IMPOSSIBLE_VERSION;
      changed = true;
    }
    if (op.op.op === "list" && Array.isArray(doc.extensions)) {
      const listed = doc.extensions as Array<Record<string, unknown>>;
      const alpha = listed.find((e) => e.name === ALPHA);
      if (alpha !== undefined) alpha.version = IMPOSSIBLE_VERSION;
      else listed.push({ name: ALPHA, version: IMPOSSIBLE_VERSION, pulledAt: "", files: [] });
      changed = true;
    }
    if (op.op.op === "update" && Array.isArray(doc.extensions) && doc.extensions.length > 0) {
      const line = doc.extensions[0] as Record<string, unknown>;
      for (const field of ["previousVersion", "installedVersion"]) {
        if (field in line) line[field] = IMPOSSIBLE_VERSION;
      }
      changed = true;
    }
    if (op.op.op === "update" && doc.status === "updating") doc.from = IMPOSSIBLE_VERSION;
  }
  if (!changed) return undefined;
  return ops.map((o, i) => (i === index ? { ...o, json: docs } : o));
}

/** Names the random plans use, and versions to pin. */
const NAMES = [ALPHA, BETA, GAMMA, DELTA];

/** A random planned op over the test fixture. */
export const plannedOp: fc.Arbitrary<PlannedOp> = fc.oneof(
  fc.record({
    kind: fc.constant("pull" as const),
    name: fc.constantFrom(...NAMES),
    pin: fc.nat(3),
    force: fc.boolean(),
  }).map(({ name, pin, force }): PlannedOp => {
    const versions = versionsOf(testFixture(), name);
    return pin < versions.length
      ? { kind: "pull", name, version: versions[pin], force }
      : { kind: "pull", name, force };
  }),
  fc.record({ kind: fc.constant("rm" as const), name: fc.constantFrom(...NAMES) }),
  fc.record({
    kind: fc.constant("update" as const),
    name: fc.option(fc.constantFrom(...NAMES), { nil: undefined }),
  }).map((u): PlannedOp => u.name === undefined ? { kind: "update" } : u),
  fc.constant({ kind: "list" } as PlannedOp),
);

/** A random planned step; `infoWeight` in 0..10 sets how often an op ends `info`. */
export function plannedStep(widenMaxMs: number, infoWeight = 1): fc.Arbitrary<PlannedStep> {
  return fc.record({
    op: plannedOp,
    end: fc.oneof(
      { arbitrary: fc.constant("answer" as const), weight: 10 - infoWeight },
      {
        arbitrary: fc.constantFrom("info-applied" as const, "info-not-applied" as const),
        weight: infoWeight,
      },
    ),
    durationMs: fc.integer({ min: 0, max: SLOT_MS - 1 }),
    widenBeforeMs: fc.integer({ min: 0, max: widenMaxMs }),
    widenAfterMs: fc.integer({ min: 0, max: widenMaxMs }),
  });
}

/** A random initial lockfile over the test fixture (installed at their oldest versions). */
export const initialState: fc.Arbitrary<Record<string, string>> = fc.subarray(NAMES).map((names) =>
  Object.fromEntries(names.map((n) => [n, versionsOf(testFixture(), n)[0]]))
);
