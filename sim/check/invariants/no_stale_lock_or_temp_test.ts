import { strict as assert } from "node:assert";
import { LOCK_PATH, LOCKFILE_DIR } from "../../shared/layout.ts";
import {
  ALPHA,
  assertMentions,
  assertStatus,
  BETA,
  checkContext,
  historyOf,
  installedSnapshot,
  pullOp,
  rmOp,
  V1,
  verdictOf,
} from "./_fixtures.ts";
import { noStaleLockOrTemp } from "./no_stale_lock_or_temp.ts";

const clean = installedSnapshot({ [ALPHA]: V1 });
const withLock = { ...clean, lockPresent: true };
const temp = `${LOCKFILE_DIR}/.0b5e7c1a-2f4d-4e8a-9c1b-3d2e1f0a9b8c.tmp`;
const cleanRun = historyOf([pullOp(0, ALPHA), rmOp(1, BETA, { type: "fail" })]);
const crashedRun = historyOf([
  pullOp(0, ALPHA),
  pullOp(1, BETA, { type: "info", window: [0, 30] }),
]);

Deno.test("noStaleLockOrTemp holds when nothing is left next to the lockfile", () => {
  const verdict = verdictOf(
    noStaleLockOrTemp,
    checkContext({ snapshot: clean, history: cleanRun }),
  );
  assertStatus(verdict, "valid");
  assertMentions(verdict.explanation, ["No lock file and no temp file remain"]);
});

Deno.test("noStaleLockOrTemp names a lock file left after clean exits", () => {
  const verdict = verdictOf(
    noStaleLockOrTemp,
    checkContext({ snapshot: withLock, history: cleanRun }),
  );
  assertStatus(verdict, "invalid");
  assertMentions(verdict.explanation, [
    `${LOCK_PATH} remains after every process exited on its own`,
    "will fail until the lock file is removed by hand",
  ]);
  assert.deepEqual(verdict.evidence.paths, [LOCK_PATH]);
});

Deno.test("noStaleLockOrTemp names a stray atomic-write temp file", () => {
  const verdict = verdictOf(
    noStaleLockOrTemp,
    checkContext({ snapshot: { ...clean, tempFiles: [temp] }, history: cleanRun }),
  );
  assertStatus(verdict, "invalid");
  assertMentions(verdict.explanation, [`${temp} remains`, "leaves it behind"]);
  assert.deepEqual(verdict.evidence.paths, [temp]);

  const both = verdictOf(
    noStaleLockOrTemp,
    checkContext({ snapshot: { ...withLock, tempFiles: [temp] }, history: cleanRun }),
  );
  assertMentions(both.explanation, [`${LOCK_PATH}, ${temp} remain after`]);
  assert.deepEqual(both.evidence.paths, [LOCK_PATH, temp]);
});

Deno.test("noStaleLockOrTemp does not apply when a process was killed, and says which", () => {
  const verdict = verdictOf(
    noStaleLockOrTemp,
    checkContext({ snapshot: withLock, history: crashedRun }),
  );
  assertStatus(verdict, "valid");
  assertMentions(verdict.explanation, [
    "Not applicable: p1 pull @fix/beta did not exit on its own",
    `(left ${LOCK_PATH})`,
  ]);
  assert.deepEqual(verdict.evidence.processes, [1]);
  assert.deepEqual(verdict.evidence.paths, [LOCK_PATH]);
});

Deno.test("noStaleLockOrTemp after recovery judges the recovery's own exits", () => {
  // A crash in the run left the lock; the recovery's clean retry did not remove it.
  const history = historyOf([
    ...crashedRun.ops,
    pullOp(0, BETA, {
      phase: "recovery",
      window: [100, 110],
      type: "info",
      class: "lock-exhausted",
      exitCode: 1,
    }),
  ]);
  const verdict = verdictOf(
    noStaleLockOrTemp,
    checkContext({ snapshot: withLock, history, phase: "recovery" }),
  );
  assertStatus(verdict, "invalid");
  assertMentions(verdict.explanation, [`${LOCK_PATH} remains after the recovery steps`]);
});
