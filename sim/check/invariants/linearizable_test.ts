import { strict as assert } from "node:assert";
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
  historyOp,
  installedSnapshot,
  listJson,
  listOp,
  pullJson,
  pullOp,
  rmJson,
  rmOp,
  updateJson,
  updateOp,
  V1,
  V2,
  V3,
  verdictOf,
  withLockfileText,
} from "./_fixtures.ts";
import { linearizable } from "./linearizable.ts";

/** Checks `ops` against a final lockfile of `final` (name -> version), after `initial`. */
function check(
  ops: HistoryOp[],
  final: Record<string, string>,
  initial: Record<string, string> = {},
  options: { phase?: CheckPhase; fixture?: FixtureSpec } = {},
) {
  const spec = options.fixture;
  return verdictOf(
    linearizable,
    checkContext({
      phase: options.phase ?? "run",
      snapshot: installedSnapshot(final, spec === undefined ? {} : { spec }),
      history: historyOf(ops),
      initial,
      ...(spec === undefined ? {} : { fixture: spec }),
    }),
  );
}

/** An ok forced pull of `name@version` that printed it installed it. */
function pulled(process: number, name: string, version: string, window: [number, number]) {
  return historyOp(process, { op: "pull", ref: `${name}@${version}`, force: true }, {
    window,
    json: pullJson(name, version),
  });
}

/** An ok rm of `name` that printed it removed `version`. */
function removed(process: number, name: string, version: string, window: [number, number]) {
  return rmOp(process, name, { window, json: rmJson(name, version) });
}

/** An ok list that printed `installed`. */
function listed(process: number, installed: Record<string, string>, window: [number, number]) {
  return listOp(process, { window, json: listJson(installed) });
}

Deno.test("linearizable holds when nothing ran and nothing changed", () => {
  const verdict = check([], { [ALPHA]: V1 }, { [ALPHA]: V1 });
  assertStatus(verdict, "valid");
  assertMentions(verdict.explanation, ["0 op(s)", "(per extension)"]);
});

Deno.test("linearizable accepts the state of the last ok op of a serial history, and no other", () => {
  const ops = [
    pulled(0, ALPHA, V2, [0, 10]),
    removed(1, ALPHA, V2, [20, 30]),
    pulled(2, ALPHA, V3, [40, 50]),
  ];
  assertStatus(check(ops, { [ALPHA]: V3 }, { [ALPHA]: V1 }), "valid");
  for (const wrong of [{}, { [ALPHA]: V1 }, { [ALPHA]: V2 }] as Array<Record<string, string>>) {
    assertStatus(check(ops, wrong, { [ALPHA]: V1 }), "invalid");
  }
});

Deno.test("linearizable accepts either order of two overlapping ok pulls", () => {
  const ops = [pulled(0, ALPHA, V2, [0, 30]), pulled(1, ALPHA, V3, [10, 40])];
  assertStatus(check(ops, { [ALPHA]: V2 }), "valid");
  assertStatus(check(ops, { [ALPHA]: V3 }), "valid");
  assertStatus(check(ops, {}), "invalid");
});

Deno.test("linearizable names an ok rm that won over a later ok pull, with times and predictions", () => {
  // p3's rm completed at +20 ms; p7's pull began at +30 ms and succeeded, yet the entry is gone.
  const ops = [
    removed(3, ALPHA, V1, [0, 20]),
    pulled(7, ALPHA, V2, [30, 60]),
    pulled(8, BETA, V1, [0, 60]),
  ];
  const verdict = check(ops, { [BETA]: V1 }, { [ALPHA]: V1 });
  assertStatus(verdict, "invalid");
  assertMentions(verdict.explanation, [
    `${ALPHA}: these 1 answer(s) cannot all be given by one order of the ops that respects real time`,
    `the final lockfile after every op answered not listed, the model predicts listed at ${V2} (from ${V2})`,
    `given the certain effects of p7 pull ${ALPHA}@${V2} [+30 ms..+60 ms] (ok: ${ALPHA} installed ${V2})`,
    `other ops that change it: p3 rm ${ALPHA} [+0 ms..+20 ms] (ok)`,
  ]);
  assert.ok(!verdict.explanation.includes("p8"), verdict.explanation);
  assert.deepEqual(verdict.evidence.ops, ["p7"]);
  assert.deepEqual(verdict.evidence.entries, [ALPHA]);
});

Deno.test("linearizable reports a state no op could have produced", () => {
  const verdict = check([pulled(0, ALPHA, V2, [0, 10])], { [ALPHA]: V3 }, { [ALPHA]: V1 });
  assertStatus(verdict, "invalid");
  assertMentions(verdict.explanation, [
    `the final lockfile after every op answered listed at ${V3}, the model predicts listed at ${V2} (from ${V2})`,
  ]);
  const ghost = check([], { [BETA]: V1 });
  assertStatus(ghost, "invalid");
  assertMentions(ghost.explanation, [
    `${BETA}: these 1 answer(s)`,
    "answered listed at 2026.01.01.1, the model predicts not listed (from absent)",
  ]);
});

Deno.test("linearizable lets an info op explain a state, or not", () => {
  const crashed = historyOp(1, { op: "pull", ref: `${ALPHA}@${V3}`, force: true }, {
    type: "info",
    window: [5, 8],
  });
  const ok = pulled(0, ALPHA, V2, [0, 10]);
  assertStatus(check([ok, crashed], { [ALPHA]: V3 }), "valid");
  assertStatus(check([ok, crashed], { [ALPHA]: V2 }), "valid");
  assertStatus(check([crashed], { [ALPHA]: V1 }, { [ALPHA]: V1 }), "valid");

  // Crashed (exited) before the ok pull began: it cannot be the last writer.
  const early = historyOp(1, { op: "pull", ref: `${ALPHA}@${V3}`, force: true }, {
    type: "info",
    window: [0, 5],
  });
  const late = pulled(0, ALPHA, V2, [10, 20]);
  const verdict = check([early, late], { [ALPHA]: V3 });
  assertStatus(verdict, "invalid");
  assertMentions(verdict.explanation, [`p0 pull ${ALPHA}@${V2}`, "the final lockfile"]);
  // An info op is never needed to show a violation; it is context only.
  assert.deepEqual(verdict.evidence.ops, ["p0"]);
});

Deno.test("linearizable never lets a fail op explain a state, and checks what it answered", () => {
  const conflict = pullOp(1, `${ALPHA}@${V3}`, { type: "fail", window: [0, 50] });
  assertStatus(check([conflict], { [ALPHA]: V3 }, { [ALPHA]: V1 }), "invalid");
  // "Files already exist": right when installed, impossible when absent.
  assertStatus(check([conflict], { [ALPHA]: V1 }, { [ALPHA]: V1 }), "valid");
  const onAbsent = check([conflict], {}, {});
  assertStatus(onAbsent, "invalid");
  assertMentions(onAbsent.explanation, [
    `p1 pull ${ALPHA}@${V3} [+0 ms..+50 ms] answered files already exist, the model predicts installed ${V3} (from absent)`,
  ]);

  const notInstalled = rmOp(2, ALPHA, { type: "fail", window: [0, 50] });
  assertStatus(check([notInstalled], {}, { [ALPHA]: V1 }), "invalid");
  assertStatus(check([notInstalled], {}, {}), "valid");
  // The old final-state check accepted this: nothing changed, but the rm said "not installed".
  const wrong = check([notInstalled], { [ALPHA]: V1 }, { [ALPHA]: V1 });
  assertStatus(wrong, "invalid");
  assertMentions(wrong.explanation, [
    `p2 rm ${ALPHA} [+0 ms..+50 ms] answered not installed, the model predicts removed ${V1} (from ${V1})`,
  ]);
});

Deno.test("linearizable rejects a second rm that reports removing what the first removed", () => {
  const ops = [removed(0, BETA, V1, [0, 20]), removed(1, BETA, V1, [30, 50])];
  const verdict = check(ops, {}, { [BETA]: V1 });
  assertStatus(verdict, "invalid");
  assertMentions(verdict.explanation, [
    `${BETA}: these 1 answer(s)`,
    `p1 rm ${BETA} [+30 ms..+50 ms] answered removed ${V1}, the model predicts not installed (from absent)`,
    `given the certain effects of p0 rm ${BETA} [+0 ms..+20 ms] (ok: ${BETA} removed ${V1})`,
  ]);
  assert.deepEqual(verdict.evidence.ops, ["p0", "p1"]);
  // Overlapping, either may have removed it: still only one of them can say so.
  const both = [removed(0, BETA, V1, [0, 40]), removed(1, BETA, V1, [10, 50])];
  assertStatus(check(both, {}, { [BETA]: V1 }), "invalid");
  const one = [removed(0, BETA, V1, [0, 40]), rmOp(1, BETA, { type: "fail", window: [10, 50] })];
  assertStatus(check(one, {}, { [BETA]: V1 }), "valid");
});

Deno.test("linearizable rejects a list that misses a pull completed before it began", () => {
  const ops = [pulled(0, ALPHA, V2, [0, 10]), listed(1, { [ALPHA]: V1 }, [20, 30])];
  const verdict = check(ops, { [ALPHA]: V2 }, { [ALPHA]: V1 });
  assertStatus(verdict, "invalid");
  assertMentions(verdict.explanation, [
    `p1 list [+20 ms..+30 ms] answered listed at ${V1}, the model predicts listed at ${V2} (from ${V2})`,
    `given the certain effects of p0 pull ${ALPHA}@${V2}`,
  ]);
  assert.deepEqual(verdict.evidence.ops, ["p0", "p1"]);
  // Concurrent with the pull, either answer is right.
  const overlapping = [pulled(0, ALPHA, V2, [0, 30]), listed(1, { [ALPHA]: V1 }, [10, 20])];
  assertStatus(check(overlapping, { [ALPHA]: V2 }, { [ALPHA]: V1 }), "valid");
});

Deno.test("linearizable reads a list as one instant over the whole repo", () => {
  // Per extension each list is fine; together p2 saw alpha's pull but not beta's rm,
  // and p3 saw beta's rm but not alpha's pull.
  const ops = [
    pulled(0, ALPHA, V1, [0, 100]),
    removed(1, BETA, V1, [0, 100]),
    listed(2, { [ALPHA]: V1, [BETA]: V1 }, [10, 90]),
    listed(3, {}, [10, 90]),
  ];
  const verdict = check(ops, { [ALPHA]: V1 }, { [BETA]: V1 });
  assertStatus(verdict, "invalid");
  assertMentions(verdict.explanation, [
    "the whole repo: these 2 answer(s)",
    `p2 list [+10 ms..+90 ms] answered ${ALPHA} listed at ${V1}, ${BETA} listed at ${V1}, the model predicts`,
    `p3 list [+10 ms..+90 ms] answered ${ALPHA} not listed, ${BETA} not listed, the model predicts`,
    `${ALPHA} listed at ${V1}, ${BETA} not listed (from ${ALPHA} ${V1}, ${BETA} absent)`,
    `other ops that change them: p0 pull ${ALPHA}@${V1} [+0 ms..+100 ms] (ok), p1 rm ${BETA}`,
  ]);
  assert.ok(!verdict.explanation.includes(GAMMA), verdict.explanation);
  assert.deepEqual(verdict.evidence.ops, ["p2", "p3"]);
  const consistent = [...ops.slice(0, 3), listed(3, { [ALPHA]: V1 }, [10, 90])];
  const ok = check(consistent, { [ALPHA]: V1 }, { [BETA]: V1 });
  assertStatus(ok, "valid");
  assertMentions(ok.explanation, ["over the whole repo"]);
});

Deno.test("linearizable reads an update's plan and upgrades from its JSON", () => {
  const updated = updateOp(4, undefined, {
    json: updateJson([
      { name: ALPHA, status: "updated", from: V1, to: V3 },
      { name: BETA, status: "up_to_date", from: V1 },
    ]),
  });
  const initial = { [ALPHA]: V1, [BETA]: V1 };
  assertStatus(check([updated], { [ALPHA]: V3, [BETA]: V1 }, initial), "valid");
  const lost = check([updated], { [ALPHA]: V1, [BETA]: V1 }, initial);
  assertStatus(lost, "invalid");
  assertMentions(lost.explanation, [
    `the final lockfile after every op answered listed at ${V1}, the model predicts listed at ${V3}`,
    `given the certain effects of p4 update [+0 ms..+10 ms] (ok: ${ALPHA} installed ${V3})`,
  ]);
  assert.deepEqual(lost.evidence.entries, [ALPHA]);

  // Its plan read alpha at V1, but an ok pull of V2 had completed before it began.
  const stale = check(
    [pulled(0, ALPHA, V2, [-30, -20]), updated],
    { [ALPHA]: V3, [BETA]: V1 },
    initial,
  );
  assertStatus(stale, "invalid");
  assertMentions(stale.explanation, [
    `p4 update [+0 ms..+10 ms] answered outdated at ${V1}, the model predicts outdated at ${V2} (from ${V2})`,
  ]);

  // An extension installed before the update that its plan does not list.
  const missing = check([updated], { [ALPHA]: V3, [BETA]: V1, [GAMMA]: V1 }, {
    ...initial,
    [GAMMA]: V1,
  });
  assertStatus(missing, "invalid");
  assertMentions(missing.explanation, [
    `answered not installed, the model predicts up to date at ${V1} (from ${V1})`,
  ]);

  // "Up to date" below the registry's latest is no answer swamp gives.
  const wrongStatus = updateOp(5, ALPHA, {
    json: updateJson([{ name: ALPHA, status: "up_to_date", from: V1 }]),
  });
  assertStatus(check([wrongStatus], { [ALPHA]: V1 }, { [ALPHA]: V1 }), "invalid");

  // A failed upgrade may or may not have reached the lockfile.
  const failed = updateOp(5, ALPHA, {
    json: updateJson([{ name: ALPHA, status: "failed", from: V1, to: V3, error: "x" }]),
  });
  assertStatus(check([failed], { [ALPHA]: V3 }, { [ALPHA]: V1 }), "valid");
  assertStatus(check([failed], { [ALPHA]: V1 }, { [ALPHA]: V1 }), "valid");
  assertStatus(check([failed], { [ALPHA]: V2 }, { [ALPHA]: V1 }), "invalid");

  // A named update of an extension that is not installed.
  const notInstalled = updateOp(6, GAMMA, { type: "fail", class: "not-installed" });
  assertStatus(check([notInstalled], {}, {}), "valid");
  assertStatus(check([notInstalled], { [GAMMA]: V1 }, { [GAMMA]: V1 }), "invalid");
});

Deno.test("linearizable reads the reference's update field names", () => {
  const updated = updateOp(0, ALPHA, {
    json: [{
      extensions: [{ name: ALPHA, currentVersion: V1, latestVersion: V3, status: "updated" }],
      summary: { total: 1, upToDate: 0, updated: 1, failed: 0 },
    }],
  });
  assertStatus(check([updated], { [ALPHA]: V3 }, { [ALPHA]: V1 }), "valid");
  assertStatus(check([updated], { [ALPHA]: V1 }, { [ALPHA]: V1 }), "invalid");
});

Deno.test("linearizable lets a killed update move an extension to its latest only", () => {
  const killed = updateOp(0, undefined, { type: "info", window: [0, 40] });
  const initial = { [ALPHA]: V1, [BETA]: V1 };
  assertStatus(check([killed], { [ALPHA]: V3, [BETA]: V1 }, initial), "valid");
  assertStatus(check([killed], { [ALPHA]: V1, [BETA]: V1 }, initial), "valid");
  assertStatus(check([killed], { [ALPHA]: V2, [BETA]: V1 }, initial), "invalid");
});

Deno.test("linearizable follows the dependencies a pull installs or skips", () => {
  const printed = pullOp(0, GAMMA, { json: pullJson(GAMMA, V1, { [DELTA]: V1 }) });
  assertStatus(check([printed], { [GAMMA]: V1, [DELTA]: V1 }), "valid");
  // swamp skips a dependency already installed, and says nothing of it.
  const skipped = pullOp(0, GAMMA, { json: pullJson(GAMMA, V1) });
  assertStatus(check([skipped], { [GAMMA]: V1, [DELTA]: V1 }, { [DELTA]: V1 }), "valid");
  const notSkipped = check([skipped], { [GAMMA]: V1 }, {});
  assertStatus(notSkipped, "invalid");
  assertMentions(notSkipped.explanation, [
    `${DELTA}: these 1 answer(s)`,
    `p0 pull ${GAMMA} [+0 ms..+10 ms] answered skipped (already installed), the model predicts installed ${V1} (from absent)`,
  ]);
  const crashed = pullOp(0, GAMMA, { type: "info" });
  assertStatus(check([crashed], { [DELTA]: V1 }), "valid");
  // A dependency is installed like any pull: a later ok rm wins.
  const rm = removed(1, DELTA, V1, [20, 30]);
  assertStatus(check([printed, rm], { [GAMMA]: V1 }), "valid");
  const verdict = check([printed, rm], { [GAMMA]: V1, [DELTA]: V1 });
  assertStatus(verdict, "invalid");
  assertMentions(verdict.explanation, [`${DELTA}: these 1 answer(s)`, `p1 rm ${DELTA}`]);
});

Deno.test("linearizable checks recovery ops with answers and run ops by their effects", () => {
  const crashed = pullOp(0, `${ALPHA}@${V2}`, { type: "info", window: [0, 5] });
  const retry = historyOp(0, { op: "pull", ref: `${ALPHA}@${V3}`, force: true }, {
    phase: "recovery",
    window: [100, 120],
    json: pullJson(ALPHA, V3),
  });
  const ops = [crashed, retry];
  const run = check(ops, { [ALPHA]: V3 }, { [ALPHA]: V1 }, { phase: "run" });
  assertStatus(run, "invalid");
  assert.ok(!run.explanation.includes("r0"), run.explanation);
  assertStatus(check(ops, { [ALPHA]: V3 }, { [ALPHA]: V1 }, { phase: "recovery" }), "valid");

  const okPull = pulled(0, ALPHA, V2, [0, 10]);
  const cleanup = rmOp(0, ALPHA, {
    phase: "recovery",
    window: [100, 110],
    json: rmJson(ALPHA, V2),
  });
  const resurrected = check([okPull, cleanup], { [ALPHA]: V2 }, {}, { phase: "recovery" });
  assertStatus(resurrected, "invalid");
  assertMentions(resurrected.explanation, [`r0 rm ${ALPHA}`, "the final lockfile"]);

  // A run op's wrong read is judged in phase run only.
  const staleList = listed(1, {}, [20, 30]);
  const both = [okPull, staleList];
  assertStatus(check(both, { [ALPHA]: V2 }, {}, { phase: "run" }), "invalid");
  assertStatus(check(both, { [ALPHA]: V2 }, {}, { phase: "recovery" }), "valid");
});

Deno.test("linearizable ignores set-up ops: their effect is the initial state", () => {
  const setup = pullOp(1, `${ALPHA}@${V1}`, { phase: "setup", window: [-50, -40] });
  const rm = removed(0, ALPHA, V1, [0, 10]);
  assertStatus(check([setup, rm], {}, { [ALPHA]: V1 }), "valid");
  assertStatus(check([setup, rm], { [ALPHA]: V1 }, { [ALPHA]: V1 }), "invalid");
});

Deno.test("linearizable cannot decide over an unreadable answer or a malformed lockfile", () => {
  const silent = pullOp(0, `${ALPHA}@${V2}`, { window: [0, 10] });
  const verdict = check([silent], { [ALPHA]: V2 }, {});
  assertStatus(verdict, "unknown");
  assertMentions(verdict.explanation, [
    `the answer of p0 pull ${ALPHA}@${V2} cannot be read`,
    "printed no {name, version, extractedFiles}",
  ]);
  // A violation elsewhere is reported all the same.
  const rm = removed(1, BETA, V1, [0, 10]);
  assertStatus(check([silent, rm], { [ALPHA]: V2 }, {}), "invalid");

  const malformed = verdictOf(
    linearizable,
    checkContext({ snapshot: withLockfileText(installedSnapshot({}), '{\n  "@fix') }),
  );
  assertStatus(malformed, "unknown");
  assertMentions(malformed.explanation, ["the final state cannot be checked", "malformed"]);
  const wrongAnswer = verdictOf(
    linearizable,
    checkContext({
      snapshot: withLockfileText(installedSnapshot({}), '{\n  "@fix'),
      history: historyOf([rm]),
    }),
  );
  assertStatus(wrongAnswer, "invalid");
});

Deno.test("linearizable takes a doctor's repair as a re-pull of an installed version", () => {
  const doctor = historyOp(0, { op: "doctor", repair: true }, {
    json: [{
      overallStatus: "pass",
      repairReport: {
        mode: "applied",
        operations: [{ kind: "pulled-extension-repulled", path: ALPHA, reason: "x" }],
      },
    }],
  });
  assertStatus(check([doctor], { [ALPHA]: V1 }, { [ALPHA]: V1 }), "valid");
  assertStatus(check([doctor], { [ALPHA]: V2 }, { [ALPHA]: V1 }), "invalid");
});
