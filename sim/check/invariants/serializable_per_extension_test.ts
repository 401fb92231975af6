import { strict as assert } from "node:assert";
import fc from "fast-check";
import type { FixtureSpec } from "../../scenario/fixture.ts";
import type { HistoryOp } from "../../record/history.ts";
import type { CheckPhase } from "./verdict.ts";
import {
  ALPHA,
  assertMentions,
  assertStatus,
  BETA,
  checkContext,
  DELTA,
  GAMMA,
  historyOf,
  installedSnapshot,
  pullJson,
  pullOp,
  rmOp,
  updateJson,
  updateOp,
  V1,
  V2,
  V3,
  verdictOf,
  withLockfileText,
} from "./_fixtures.ts";
import { serializablePerExtension } from "./serializable_per_extension.ts";

/** Checks `ops` against a final lockfile of `final` (name -> version), after `initial`. */
function check(
  ops: HistoryOp[],
  final: Record<string, string>,
  initial: Record<string, string> = {},
  options: { phase?: CheckPhase; fixture?: FixtureSpec } = {},
) {
  const spec = options.fixture;
  return verdictOf(
    serializablePerExtension,
    checkContext({
      phase: options.phase ?? "run",
      snapshot: installedSnapshot(final, spec === undefined ? {} : { spec }),
      history: historyOf(ops),
      initial,
      ...(spec === undefined ? {} : { fixture: spec }),
    }),
  );
}

Deno.test("serializablePerExtension holds when nothing ran and nothing changed", () => {
  const verdict = check([], { [ALPHA]: V1 }, { [ALPHA]: V1 });
  assertStatus(verdict, "valid");
  assertMentions(verdict.explanation, ["each of 1 extension(s)"]);
});

Deno.test("serializablePerExtension accepts the state of the last ok op of a serial history", () => {
  const ops = [
    pullOp(0, `${ALPHA}@${V2}`, { window: [0, 10] }),
    rmOp(1, ALPHA, { window: [20, 30] }),
    pullOp(2, `${ALPHA}@${V3}`, { window: [40, 50] }),
  ];
  assertStatus(check(ops, { [ALPHA]: V3 }, { [ALPHA]: V1 }), "valid");
  for (const wrong of [{}, { [ALPHA]: V1 }, { [ALPHA]: V2 }] as Array<Record<string, string>>) {
    assertStatus(check(ops, wrong, { [ALPHA]: V1 }), "invalid");
  }
});

Deno.test("serializablePerExtension accepts either order of two overlapping ok ops", () => {
  const ops = [
    pullOp(0, `${ALPHA}@${V2}`, { window: [0, 30] }),
    pullOp(1, `${ALPHA}@${V3}`, { window: [10, 40] }),
  ];
  assertStatus(check(ops, { [ALPHA]: V2 }), "valid");
  assertStatus(check(ops, { [ALPHA]: V3 }), "valid");
  assertStatus(check(ops, {}), "invalid");
});

Deno.test("serializablePerExtension names an ok rm that won over a later ok pull, with times", () => {
  // p3's rm completed at +20 ms; p7's pull began at +30 ms and succeeded, yet the entry is gone.
  const ops = [
    rmOp(3, ALPHA, { window: [0, 20] }),
    pullOp(7, `${ALPHA}@${V2}`, { window: [30, 60], json: pullJson(ALPHA, V2) }),
    pullOp(8, BETA, { window: [0, 60] }),
  ];
  const verdict = check(ops, { [BETA]: V1 }, { [ALPHA]: V1 });
  assertStatus(verdict, "invalid");
  assertMentions(verdict.explanation, [
    `The lockfile ends with no entry for ${ALPHA}`,
    "every op that yields it completed before an ok op with another effect began",
    `p3 rm ${ALPHA} ended at +20 ms`,
    `then p7 pull ${ALPHA}@${V2} (ok, sets ${V2}) began at +30 ms`,
  ]);
  assert.deepEqual(verdict.evidence.processes, [3, 7]);
  assert.deepEqual(verdict.evidence.entries, [ALPHA]);
});

Deno.test("serializablePerExtension names an ok pull that was lost to an earlier ok rm", () => {
  const ops = [
    pullOp(1, `${ALPHA}@${V2}`, { window: [0, 10] }),
    rmOp(2, ALPHA, { window: [15, 25] }),
  ];
  const verdict = check(ops, { [ALPHA]: V2 }, {});
  assertStatus(verdict, "invalid");
  assertMentions(verdict.explanation, [
    `ends with version ${V2} for ${ALPHA}`,
    `p1 pull ${ALPHA}@${V2} ended at +10 ms, then p2 rm ${ALPHA} (ok, removes it) began at +15 ms`,
  ]);
});

Deno.test("serializablePerExtension reports a state no op could have produced", () => {
  const ops = [pullOp(0, `${ALPHA}@${V2}`, { window: [0, 10] })];
  const verdict = check(ops, { [ALPHA]: V3 }, { [ALPHA]: V1 });
  assertStatus(verdict, "invalid");
  assertMentions(verdict.explanation, [
    `ends with version ${V3} for ${ALPHA}, but no op could have produced it`,
    `it was ${V1} after set-up`,
    `its ops were p0 pull ${ALPHA}@${V2} (ok: ${V2})`,
  ]);
  assert.deepEqual(verdict.evidence.processes, [0]);

  // An entry that appears from nowhere.
  const ghost = check([], { [BETA]: V1 });
  assertStatus(ghost, "invalid");
  assertMentions(ghost.explanation, [
    `version ${V1} for ${BETA}, but no op could have produced it`,
  ]);
});

Deno.test("serializablePerExtension lets an info op explain a state, or not", () => {
  const crashed = pullOp(1, `${ALPHA}@${V3}`, { type: "info", window: [5, 8] });
  const ok = pullOp(0, `${ALPHA}@${V2}`, { window: [0, 10] });
  assertStatus(check([ok, crashed], { [ALPHA]: V3 }), "valid");
  assertStatus(check([ok, crashed], { [ALPHA]: V2 }), "valid");
  assertStatus(check([crashed], { [ALPHA]: V1 }, { [ALPHA]: V1 }), "valid");

  // Crashed (completed) before the ok pull began: it cannot be the last writer.
  const early = pullOp(1, `${ALPHA}@${V3}`, { type: "info", window: [0, 5] });
  const late = pullOp(0, `${ALPHA}@${V2}`, { window: [10, 20] });
  const verdict = check([early, late], { [ALPHA]: V3 });
  assertStatus(verdict, "invalid");
  assertMentions(verdict.explanation, [
    `p1 pull ${ALPHA}@${V3} ended at +5 ms, then p0 pull ${ALPHA}@${V2} (ok, sets ${V2}) began at +10 ms`,
  ]);
});

Deno.test("serializablePerExtension never lets a fail op explain a state", () => {
  const conflict = pullOp(1, `${ALPHA}@${V3}`, { type: "fail", window: [0, 50] });
  const verdict = check([conflict], { [ALPHA]: V3 }, { [ALPHA]: V1 });
  assertStatus(verdict, "invalid");
  assertMentions(verdict.explanation, [
    `version ${V3} for ${ALPHA}, but no op could have produced it`,
  ]);

  const notInstalled = rmOp(2, ALPHA, { type: "fail", window: [0, 50] });
  assertStatus(check([notInstalled], {}, { [ALPHA]: V1 }), "invalid");
  assertStatus(check([notInstalled], { [ALPHA]: V1 }, { [ALPHA]: V1 }), "valid");
});

Deno.test("serializablePerExtension reads an update's results from its JSON", () => {
  const updated = updateOp(4, undefined, {
    json: updateJson([
      { name: ALPHA, status: "updated", from: V1, to: V2 },
      { name: BETA, status: "up_to_date", from: V1 },
    ]),
  });
  const initial = { [ALPHA]: V1, [BETA]: V1 };
  assertStatus(check([updated], { [ALPHA]: V2, [BETA]: V1 }, initial), "valid");
  const lost = check([updated], { [ALPHA]: V1, [BETA]: V1 }, initial);
  assertStatus(lost, "invalid");
  assertMentions(lost.explanation, [`version ${V1} for ${ALPHA}`, `p4 update (ok: ${V2})`]);
  assert.deepEqual(lost.evidence.entries, [ALPHA]);

  // A failed upgrade may or may not have reached the lockfile; swamp gives it
  // no target version, the `updating` progress document does.
  const failed = updateOp(5, ALPHA, {
    json: updateJson([{
      name: ALPHA,
      status: "failed",
      from: V1,
      to: V2,
      error: "Update failed: x",
    }]),
  });
  assertStatus(check([failed], { [ALPHA]: V2 }, { [ALPHA]: V1 }), "valid");
  assertStatus(check([failed], { [ALPHA]: V1 }, { [ALPHA]: V1 }), "valid");
  assertStatus(check([failed], { [ALPHA]: V3 }, { [ALPHA]: V1 }), "invalid");

  // A failure while planning (no upgrade began) had no effect.
  const planned = updateOp(6, ALPHA, {
    json: updateJson([{ name: ALPHA, status: "not_found", from: V1 }]),
  });
  assertStatus(check([planned], { [ALPHA]: V2 }, { [ALPHA]: V1 }), "invalid");
});

Deno.test("serializablePerExtension reads the reference's update field names", () => {
  const updated = updateOp(0, ALPHA, {
    json: [{
      extensions: [{ name: ALPHA, currentVersion: V1, latestVersion: V2, status: "updated" }],
      summary: { total: 1, upToDate: 0, updated: 1, failed: 0 },
    }],
  });
  assertStatus(check([updated], { [ALPHA]: V2 }, { [ALPHA]: V1 }), "valid");
  assertStatus(check([updated], { [ALPHA]: V1 }, { [ALPHA]: V1 }), "invalid");
});

Deno.test("serializablePerExtension lets a killed update move an extension to its latest only", () => {
  const killed = updateOp(0, undefined, { type: "info", window: [0, 40] });
  const initial = { [ALPHA]: V1, [BETA]: V1 };
  assertStatus(check([killed], { [ALPHA]: V3, [BETA]: V1 }, initial), "valid");
  assertStatus(check([killed], { [ALPHA]: V1, [BETA]: V1 }, initial), "valid");
  assertStatus(check([killed], { [ALPHA]: V2, [BETA]: V1 }, initial), "invalid");
});

Deno.test("serializablePerExtension counts the dependencies a pull installs", () => {
  const printed = pullOp(0, GAMMA, { json: pullJson(GAMMA, V1, { [DELTA]: V1 }) });
  assertStatus(check([printed], { [GAMMA]: V1, [DELTA]: V1 }), "valid");
  // Not printed (or crashed): the fixture's manifest says what it may have installed.
  const silent = pullOp(0, GAMMA, { window: [0, 10] });
  assertStatus(check([silent], { [GAMMA]: V1, [DELTA]: V1 }), "valid");
  const crashed = pullOp(0, GAMMA, { type: "info" });
  assertStatus(check([crashed], { [DELTA]: V1 }), "valid");
  // A dependency is no certain effect: an rm after the pull wins.
  const rm = rmOp(1, DELTA, { window: [20, 30] });
  const verdict = check([printed, rm], { [GAMMA]: V1, [DELTA]: V1 });
  assertStatus(verdict, "invalid");
  assertMentions(verdict.explanation, [
    `for ${DELTA}`,
    `p0 pull ${GAMMA} ended at +10 ms`,
    `p1 rm ${DELTA}`,
  ]);
});

Deno.test("serializablePerExtension counts recovery ops only after recovery", () => {
  const crashed = pullOp(0, `${ALPHA}@${V2}`, { type: "info", window: [0, 5] });
  const retry = pullOp(0, `${ALPHA}@${V3}`, { phase: "recovery", window: [100, 120] });
  const ops = [crashed, retry];
  const run = check(ops, { [ALPHA]: V3 }, { [ALPHA]: V1 }, { phase: "run" });
  assertStatus(run, "invalid");
  assert.ok(!run.explanation.includes("r0"), run.explanation);
  assertStatus(check(ops, { [ALPHA]: V3 }, { [ALPHA]: V1 }, { phase: "recovery" }), "valid");

  const okPull = pullOp(0, `${ALPHA}@${V2}`, { window: [0, 10] });
  const cleanup = rmOp(0, ALPHA, { phase: "recovery", window: [100, 110] });
  const resurrected = check([okPull, cleanup], { [ALPHA]: V2 }, {}, { phase: "recovery" });
  assertStatus(resurrected, "invalid");
  assertMentions(resurrected.explanation, [
    `p0 pull ${ALPHA}@${V2} ended at +10 ms, then r0 rm ${ALPHA} (ok, removes it) began at +100 ms`,
  ]);
});

Deno.test("serializablePerExtension ignores set-up ops: their effect is the initial state", () => {
  const setup = pullOp(1, `${ALPHA}@${V1}`, { phase: "setup", window: [-50, -40] });
  const rm = rmOp(0, ALPHA, { window: [0, 10] });
  assertStatus(check([setup, rm], {}, { [ALPHA]: V1 }), "valid");
  assertStatus(check([setup, rm], { [ALPHA]: V1 }, { [ALPHA]: V1 }), "invalid");
});

Deno.test("serializablePerExtension cannot decide over a malformed lockfile", () => {
  const verdict = verdictOf(
    serializablePerExtension,
    checkContext({ snapshot: withLockfileText(installedSnapshot({}), '{\n  "@fix') }),
  );
  assertStatus(verdict, "unknown");
  assertMentions(verdict.explanation, ["Cannot check", "malformed"]);
});

// Properties over random serial histories of one extension.

const PROPERTY_VERSIONS = [
  "2026.01.01.1",
  "2026.02.01.1",
  "2026.03.01.1",
  "2026.04.01.1",
  "2026.05.01.1",
];
/** Versions the random ops name; the others are never produced. */
const OP_VERSIONS = PROPERTY_VERSIONS.slice(0, 3);
const UNUSED_VERSIONS = PROPERTY_VERSIONS.slice(3);
const ABSENT = "absent";

function propertyFixture(): FixtureSpec {
  return {
    extensions: [{ name: ALPHA, versions: PROPERTY_VERSIONS.map((version) => ({ version })) }],
  };
}

interface RandomOp {
  /** A version to pull, or "absent" for rm. */
  effect: string;
  type: "ok" | "fail" | "info";
  /** For info ops: whether the serial execution applies it. */
  applied: boolean;
  printsJson: boolean;
  durationMs: number;
  gapMs: number;
}

const randomOp: fc.Arbitrary<RandomOp> = fc.record({
  effect: fc.constantFrom(...OP_VERSIONS, ABSENT),
  type: fc.constantFrom("ok" as const, "fail" as const, "info" as const),
  applied: fc.boolean(),
  printsJson: fc.boolean(),
  durationMs: fc.integer({ min: 0, max: 50 }),
  gapMs: fc.integer({ min: 1, max: 50 }),
});

const serialHistory = fc.record({
  initial: fc.constantFrom(ABSENT, OP_VERSIONS[0]),
  ops: fc.array(randomOp, { minLength: 0, maxLength: 8 }),
});

/** The ops laid out one after another, and the state a serial execution ends in. */
function execute(
  initial: string,
  ops: readonly RandomOp[],
): { history: HistoryOp[]; final: string } {
  let atMs = 0;
  let state = initial;
  const history = ops.map((op, index) => {
    const window = [atMs, atMs + op.durationMs] as const;
    atMs += op.durationMs + op.gapMs;
    if (op.type === "ok" || (op.type === "info" && op.applied)) state = op.effect;
    if (op.effect === ABSENT) return rmOp(index, ALPHA, { type: op.type, window });
    return pullOp(index, `${ALPHA}@${op.effect}`, {
      type: op.type,
      window,
      json: op.type === "ok" && op.printsJson ? pullJson(ALPHA, op.effect) : [],
    });
  });
  return { history, final: state };
}

function judgeFinal(initial: string, ops: HistoryOp[], final: string) {
  const asMap = (s: string): Record<string, string> => s === ABSENT ? {} : { [ALPHA]: s };
  return check(ops, asMap(final), asMap(initial), { fixture: propertyFixture() });
}

Deno.test("serializablePerExtension accepts the final state of every serial execution", () => {
  fc.assert(
    fc.property(serialHistory, ({ initial, ops }) => {
      const { history, final } = execute(initial, ops);
      const verdict = judgeFinal(initial, history, final);
      assert.equal(verdict.status, "valid", verdict.explanation);
    }),
    { numRuns: 300 },
  );
});

Deno.test("serializablePerExtension rejects a final state that no op produces", () => {
  fc.assert(
    fc.property(serialHistory, fc.constantFrom(...UNUSED_VERSIONS), ({ initial, ops }, bogus) => {
      const { history } = execute(initial, ops);
      const verdict = judgeFinal(initial, history, bogus);
      assert.equal(verdict.status, "invalid", verdict.explanation);
      assertMentions(verdict.explanation, [
        `version ${bogus} for ${ALPHA}, but no op could have produced it`,
      ]);
    }),
    { numRuns: 300 },
  );
});

Deno.test("serializablePerExtension accepts exactly one final state when every op is ok", () => {
  const okOnly = fc.record({
    initial: fc.constantFrom(ABSENT, OP_VERSIONS[0]),
    ops: fc.array(randomOp.map((op) => ({ ...op, type: "ok" as const })), {
      minLength: 1,
      maxLength: 8,
    }),
  });
  fc.assert(
    fc.property(okOnly, ({ initial, ops }) => {
      const { history, final } = execute(initial, ops);
      const accepted = [ABSENT, ...PROPERTY_VERSIONS].filter((state) =>
        judgeFinal(initial, history, state).status === "valid"
      );
      assert.deepEqual(accepted, [final]);
    }),
    { numRuns: 200 },
  );
});
