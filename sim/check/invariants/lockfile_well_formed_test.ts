import { strict as assert } from "node:assert";
import { LOCKFILE_PATH } from "../../shared/layout.ts";
import {
  ALPHA,
  assertMentions,
  assertStatus,
  BETA,
  checkContext,
  installedSnapshot,
  lockEntryOf,
  lockfileText,
  V1,
  V2,
  verdictOf,
  withLockEntries,
  withLockfileText,
} from "./_fixtures.ts";
import { lockfileWellFormed } from "./lockfile_well_formed.ts";

const installed = installedSnapshot({ [ALPHA]: V2, [BETA]: V1 });

function check(raw: string) {
  return verdictOf(
    lockfileWellFormed,
    checkContext({ snapshot: withLockfileText(installed, raw) }),
  );
}

Deno.test("lockfileWellFormed holds when there is no lockfile", () => {
  const verdict = verdictOf(lockfileWellFormed, checkContext());
  assertStatus(verdict, "valid");
  assertMentions(verdict.explanation, ["no lockfile"]);
});

Deno.test("lockfileWellFormed holds for swamp's own serialisation", () => {
  const verdict = verdictOf(lockfileWellFormed, checkContext({ snapshot: installed }));
  assertStatus(verdict, "valid");
  assertMentions(verdict.explanation, [LOCKFILE_PATH, "2 entries"]);
});

Deno.test("lockfileWellFormed holds for a legacy entry without files", () => {
  const { files: _files, ...legacy } = lockEntryOf(ALPHA, V1);
  assertStatus(check(lockfileText({ [ALPHA]: legacy })), "valid");
});

Deno.test("lockfileWellFormed reports a truncated lockfile with its first bytes", () => {
  const raw = lockfileText({ [ALPHA]: lockEntryOf(ALPHA, V2) });
  const verdict = check(raw.slice(0, raw.length / 2));
  assertStatus(verdict, "invalid");
  assertMentions(verdict.explanation, [
    LOCKFILE_PATH,
    "is not valid JSON",
    'it starts with "{\\n  "@fix/alpha": {\\n    "version": "2026.02.01.1"',
  ]);
  assert.deepEqual(verdict.evidence.paths, [LOCKFILE_PATH]);
});

Deno.test("lockfileWellFormed reports an empty lockfile", () => {
  const verdict = check("");
  assertStatus(verdict, "invalid");
  assertMentions(verdict.explanation, ["is not valid JSON", 'it starts with ""']);
});

Deno.test("lockfileWellFormed names the field that breaks the schema", () => {
  const cases: Array<[string, Record<string, unknown>, string[]]> = [
    ["a version that is not CalVer", { [ALPHA]: { ...lockEntryOf(ALPHA, V1), version: "v2" } }, [
      "@fix/alpha.version",
      "must be a CalVer version",
    ]],
    [
      "a prefixed checksum",
      { [ALPHA]: { ...lockEntryOf(ALPHA, V1), checksum: `sha256-${"a".repeat(64)}` } },
      ["@fix/alpha.checksum", "without prefix"],
    ],
    ["an unscoped name", { alpha: lockEntryOf(ALPHA, V1) }, ["alpha", "scoped extension name"]],
    ["an unknown field", { [ALPHA]: { ...lockEntryOf(ALPHA, V1), owner: "p3" } }, ["owner"]],
    ["a missing pulledAt", { [ALPHA]: { version: V1, files: [] } }, ["@fix/alpha.pulledAt"]],
  ];
  for (const [what, entries, parts] of cases) {
    const verdict = check(lockfileText(entries));
    assert.equal(verdict.status, "invalid", `${what}: ${verdict.explanation}`);
    assertMentions(verdict.explanation, [LOCKFILE_PATH, "does not match its schema", ...parts]);
    assert.deepEqual(verdict.evidence.paths, [LOCKFILE_PATH]);
  }
});

Deno.test("lockfileWellFormed reports a lockfile that is not an object at the top level", () => {
  const verdict = check("[]\n");
  assertStatus(verdict, "invalid");
  assertMentions(verdict.explanation, ["at the top level", "expected record"]);
});

Deno.test("lockfileWellFormed reports a 4-space indent and a missing trailing newline", () => {
  const entries = { [ALPHA]: lockEntryOf(ALPHA, V2) };
  for (const raw of [`${JSON.stringify(entries, null, 4)}\n`, JSON.stringify(entries, null, 2)]) {
    const verdict = check(raw);
    assertStatus(verdict, "invalid");
    assertMentions(verdict.explanation, [
      LOCKFILE_PATH,
      "is valid JSON but not serialised as 2-space JSON with a trailing newline",
    ]);
  }
});

Deno.test("lockfileWellFormed names the entry whose files are unsorted or duplicated", () => {
  const entry = lockEntryOf(ALPHA, V2);
  const unsorted = withLockEntries(installed, {
    [ALPHA]: { ...entry, files: [...entry.files!].reverse() },
    [BETA]: lockEntryOf(BETA, V1),
  });
  const verdict = verdictOf(lockfileWellFormed, checkContext({ snapshot: unsorted }));
  assertStatus(verdict, "invalid");
  assertMentions(verdict.explanation, ["@fix/alpha: files are not sorted"]);
  assert.ok(!verdict.explanation.includes("@fix/beta:"), verdict.explanation);
  assert.ok(verdict.evidence.entries?.includes(ALPHA));

  const doubled = check(
    lockfileText({ [ALPHA]: { ...entry, files: [entry.files![0], ...entry.files!] } }),
  );
  assertStatus(doubled, "invalid");
  assertMentions(doubled.explanation, ["@fix/alpha: files has duplicates"]);
});

Deno.test("lockfileWellFormed reports fields out of swamp's write order as such", () => {
  const { version, pulledAt, ...rest } = lockEntryOf(ALPHA, V1);
  const verdict = check(lockfileText({ [ALPHA]: { pulledAt, version, ...rest } }));
  assertStatus(verdict, "invalid");
  assertMentions(verdict.explanation, [
    "@fix/alpha: fields are ordered pulledAt, version",
    "not in swamp's write order version, pulledAt",
  ]);
  // The file is 2-space JSON: the explanation must not blame the whitespace.
  assert.ok(!verdict.explanation.includes("2-space"), verdict.explanation);
});
