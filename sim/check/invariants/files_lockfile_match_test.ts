import { strict as assert } from "node:assert";
import { LOCKFILE_PATH, PULLED_DIR } from "../../shared/layout.ts";
import type { Snapshot } from "../../record/snapshot.ts";
import {
  ALPHA,
  assertMentions,
  assertStatus,
  BETA,
  checkContext,
  installedSnapshot,
  lockEntryOf,
  V1,
  V2,
  verdictOf,
  withLockEntries,
  withLockfileText,
  withPulledFiles,
} from "./_fixtures.ts";
import { filesLockfileMatch } from "./files_lockfile_match.ts";

const installed = installedSnapshot({ [ALPHA]: V2, [BETA]: V1 });
const extra = `${PULLED_DIR}/${ALPHA}/models/extra.ts`;

function check(snapshot: Snapshot) {
  return verdictOf(filesLockfileMatch, checkContext({ snapshot }));
}

Deno.test("filesLockfileMatch holds when the tree holds exactly the listed files", () => {
  const verdict = check(installed);
  assertStatus(verdict, "valid");
  assertMentions(verdict.explanation, ["All 6 listed file(s) exist"]);
  assertStatus(check(installedSnapshot({})), "valid");
});

Deno.test("filesLockfileMatch accepts files under a listed directory root", () => {
  // swamp records a skill directory by its root only.
  const skill = `${PULLED_DIR}/${ALPHA}/skills/deploy`;
  const entry = lockEntryOf(ALPHA, V2);
  const snapshot = withLockEntries(
    withPulledFiles(installed, [...installed.pulledFiles, `${skill}/SKILL.md`, `${skill}/a/b.md`]),
    {
      [ALPHA]: { ...entry, files: [...entry.files!, skill].sort() },
      [BETA]: lockEntryOf(BETA, V1),
    },
  );
  assertStatus(check(snapshot), "valid");
});

Deno.test("filesLockfileMatch names a listed file that was deleted and its entry", () => {
  const verdict = check(
    withPulledFiles(installed, installed.pulledFiles.filter((f) => f !== extra)),
  );
  assertStatus(verdict, "invalid");
  assertMentions(verdict.explanation, [
    `${LOCKFILE_PATH} lists 1 file(s) of ${ALPHA} that do not exist (${extra})`,
  ]);
  assert.deepEqual(verdict.evidence.paths, [extra]);
  assert.deepEqual(verdict.evidence.entries, [ALPHA]);
});

Deno.test("filesLockfileMatch names a file no entry lists", () => {
  const stray = `${PULLED_DIR}/${ALPHA}/models/stray.ts`;
  const verdict = check(withPulledFiles(installed, [...installed.pulledFiles, stray]));
  assertStatus(verdict, "invalid");
  assertMentions(verdict.explanation, [
    `1 file(s) under ${PULLED_DIR} belong to no lockfile entry (${stray})`,
  ]);
  assert.deepEqual(verdict.evidence.paths, [stray]);
});

Deno.test("filesLockfileMatch reports the files an rm left behind, a few by name", () => {
  // The lockfile entry of beta is gone but its tree (3 files) is still there.
  const snapshot = withLockEntries(installed, { [ALPHA]: lockEntryOf(ALPHA, V2) });
  const verdict = check(snapshot);
  assertStatus(verdict, "invalid");
  assertMentions(verdict.explanation, [
    `3 file(s) under ${PULLED_DIR} belong to no lockfile entry`,
    `${PULLED_DIR}/${BETA}/manifest.yaml`,
    `${PULLED_DIR}/${BETA}/vaults/keys.ts`,
  ]);
  assert.equal(verdict.evidence.paths?.length, 3);

  const many = [1, 2, 3, 4, 5].map((i) => `${PULLED_DIR}/${ALPHA}/files/f${i}.txt`);
  const crowded = check(withPulledFiles(installed, [...installed.pulledFiles, ...many]));
  assertMentions(crowded.explanation, ["5 file(s)", "and 2 more"]);
  assert.deepEqual(crowded.evidence.paths, many);
});

Deno.test("filesLockfileMatch reports a listed path that escapes the repo as missing", () => {
  const entry = lockEntryOf(ALPHA, V2);
  const snapshot = withLockEntries(installed, {
    [ALPHA]: { ...entry, files: ["../outside.ts", ...entry.files!] },
    [BETA]: lockEntryOf(BETA, V1),
  });
  const verdict = check(snapshot);
  assertStatus(verdict, "invalid");
  assertMentions(verdict.explanation, ["that do not exist (../outside.ts)"]);
});

Deno.test("filesLockfileMatch cannot decide over a malformed lockfile", () => {
  const verdict = check(withLockfileText(installed, "{"));
  assertStatus(verdict, "unknown");
  assertMentions(verdict.explanation, ["Cannot compare", "malformed"]);
});
