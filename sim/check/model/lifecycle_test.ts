import { strict as assert } from "node:assert";
import {
  ABSENT_STATE,
  answerMatches,
  type ExtState,
  installedState,
  isRead,
  partialStates,
  serialOutcomes,
  stateKey,
} from "./lifecycle.ts";

const V1 = "2026.01.01.1";
const V2 = "2026.02.01.1";
const SOME_LEFT: ExtState = { version: null, files: "some" };

function answers(s: ExtState, ...args: Parameters<typeof serialOutcomes>[1][]) {
  return args.map((a) => serialOutcomes(s, a).map((o) => [o.answer, stateKey(o.next)]));
}

Deno.test("serialOutcomes() answers a pull by its files: conflict when installed, either after a crash", () => {
  const install = { kind: "install" as const, version: V2, force: false };
  assert.deepEqual(answers(installedState(V1), install), [[[{ kind: "conflict" }, `${V1}/all`]]]);
  assert.deepEqual(answers(ABSENT_STATE, install), [[[
    { kind: "installed", version: V2 },
    `${V2}/all`,
  ]]]);
  assert.equal(serialOutcomes(SOME_LEFT, install).length, 2);
  assert.deepEqual(answers(installedState(V1), { ...install, force: true }), [[
    [{ kind: "installed", version: V2 }, `${V2}/all`],
  ]]);
});

Deno.test("serialOutcomes() answers rm, list and update's plan from the version", () => {
  assert.deepEqual(answers(installedState(V1), { kind: "remove" }), [[
    [{ kind: "removed", version: V1 }, "-/none"],
  ]]);
  assert.deepEqual(answers(ABSENT_STATE, { kind: "remove" }, { kind: "read" }), [
    [[{ kind: "not-installed" }, "-/none"]],
    [[{ kind: "listed", version: null }, "-/none"]],
  ]);
  assert.deepEqual(
    answers(installedState(V1), { kind: "plan", latest: V2 }, { kind: "plan", latest: V1 }),
    [
      [[{ kind: "planned", status: "outdated", from: V1 }, `${V1}/all`]],
      [[{ kind: "planned", status: "up-to-date", from: V1 }, `${V1}/all`]],
    ],
  );
  // swamp skips a dependency that is installed (the reference re-pulls it: also accepted).
  const dependency = { kind: "dependency" as const, version: V1, force: true };
  assert.deepEqual(serialOutcomes(installedState(V1), dependency).map((o) => o.answer.kind), [
    "skipped",
    "installed",
  ]);
});

Deno.test("partialStates() lets a killed op leave its effect, part of it, or nothing", () => {
  const install = { kind: "install" as const, version: V2, force: true };
  assert.deepEqual(partialStates(installedState(V1), install).map(stateKey), [
    `${V1}/all`,
    `${V1}/some`,
    `${V2}/all`,
  ]);
  assert.deepEqual(partialStates(installedState(V1), { kind: "remove" }).map(stateKey), [
    `${V1}/all`,
    "-/none",
    "-/some",
  ]);
  assert.deepEqual(partialStates(ABSENT_STATE, { kind: "remove" }), [ABSENT_STATE]);
});

Deno.test("answerMatches() and isRead() treat wildcards and no-effect answers as documented", () => {
  assert.ok(answerMatches({ kind: "removed" }, { kind: "removed", version: V1 }));
  assert.ok(!answerMatches({ kind: "removed", version: V2 }, { kind: "removed", version: V1 }));
  assert.ok(
    answerMatches({ kind: "planned", from: V1 }, { kind: "planned", status: "outdated", from: V1 }),
  );
  assert.ok(!answerMatches({ kind: "unexpected", text: "x" }, { kind: "untouched" }));
  assert.ok(isRead({ kind: "remove" }, { kind: "not-installed" }));
  assert.ok(!isRead({ kind: "remove" }, { kind: "any" }));
  assert.ok(!isRead({ kind: "install", version: V1, force: true }, undefined));
});
