import { strict as assert } from "node:assert";
import type { PhaseExpectation } from "../../scenario/load.ts";
import type { Snapshot } from "../../record/snapshot.ts";
import {
  ALPHA,
  assertMentions,
  assertStatus,
  BETA,
  catalogRowsOf,
  checkContext,
  GAMMA,
  installedSnapshot,
  lockEntryOf,
  V1,
  V2,
  verdictOf,
  withCatalogRows,
  withLockEntries,
  withLockfileText,
} from "./_fixtures.ts";
import { expectedStates } from "./expected_states.ts";

const installed = installedSnapshot({ [ALPHA]: V2, [BETA]: V1 });

function check(snapshot: Snapshot, states: PhaseExpectation["states"]) {
  return verdictOf(expectedStates, checkContext({ snapshot, expect: { states } }));
}

Deno.test("expectedStates holds when the scenario declares no states", () => {
  const verdict = verdictOf(expectedStates, checkContext({ snapshot: installed }));
  assertStatus(verdict, "valid");
  assertMentions(verdict.explanation, ["declares no states"]);
});

Deno.test("expectedStates holds when each extension matches one allowed state", () => {
  const verdict = check(installed, {
    [ALPHA]: [{ files: V1 }, { files: V2, lockfile: V2, catalog: V2 }],
    [BETA]: [{ files: "present", lockfile: "present" }],
    [GAMMA]: [{ files: "absent", lockfile: "absent", catalog: "absent" }],
  });
  assertStatus(verdict, "valid");
  assertMentions(verdict.explanation, [
    `${ALPHA}: files=${V2} lockfile=${V2} catalog=${V2}`,
    `${GAMMA}: files=absent lockfile=absent catalog=absent`,
  ]);
  assert.deepEqual(verdict.evidence.entries, [ALPHA, BETA, GAMMA]);
});

Deno.test("expectedStates names the extension whose layers are in no allowed state", () => {
  // An upgrade killed after extracting V2: the lockfile and catalog still say V1.
  const torn = withCatalogRows(
    withLockEntries(installed, { [ALPHA]: lockEntryOf(ALPHA, V1), [BETA]: lockEntryOf(BETA, V1) }),
    [...catalogRowsOf(ALPHA, V1), ...catalogRowsOf(BETA, V1)],
  );
  const verdict = check(torn, {
    [ALPHA]: [{ lockfile: V2, catalog: V2 }, { files: "absent" }],
    [BETA]: [{ lockfile: V1 }],
  });
  assertStatus(verdict, "invalid");
  assertMentions(verdict.explanation, [
    `${ALPHA} is files=${V2} lockfile=${V1} catalog=${V1}, not one of: lockfile=${V2} catalog=${V2} | files=absent`,
  ]);
  assert.ok(!verdict.explanation.includes(`${BETA} is`), verdict.explanation);
  assert.deepEqual(verdict.evidence.entries, [ALPHA, BETA]);
});

Deno.test("expectedStates shows a catalog holding two versions at once as mixed", () => {
  const mixed = withCatalogRows(installed, [
    ...catalogRowsOf(ALPHA, V2).slice(0, 1),
    { ...catalogRowsOf(ALPHA, V2)[1], extension_version: V1 },
  ]);
  const verdict = check(mixed, { [ALPHA]: [{ catalog: V2 }] });
  assertStatus(verdict, "invalid");
  assertMentions(verdict.explanation, [`catalog=mixed:${V1},${V2}`]);
});

Deno.test("expectedStates does not take an unreadable layer for a present one", () => {
  const verdict = check(withLockfileText(installed, "{"), { [ALPHA]: [{ lockfile: "present" }] });
  assertStatus(verdict, "invalid");
  assertMentions(verdict.explanation, [`${ALPHA} is files=${V2} lockfile=unknown`]);
});
