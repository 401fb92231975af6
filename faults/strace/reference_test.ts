/**
 * The strace backend running the reference target as an opaque command
 * (`deno run -A reference/main.ts ...`): each fault's effect is checked in
 * the repo's three layers.
 */

import assert from "node:assert/strict";
import { DEFAULT_PATTERNS, type ShimRule } from "../rule.ts";
import {
  extensionRows,
  listFiles,
  lockfileEntries,
  openReferenceWorkspace,
  readIfExists,
  type ReferenceWorkspace,
  REPO_PATHS,
  runCommand,
  testRule,
} from "../testing.ts";
import { buildStraceCommand } from "./command.ts";
import { followTrace } from "./follow.ts";
import { readStraceEvents } from "./parse.ts";
import { UnsupportedRuleError } from "./support.ts";

const ALPHA = "@fix/alpha";
const ALPHA_FILES = [
  ".swamp/pulled-extensions/@fix/alpha/manifest.yaml",
  ".swamp/pulled-extensions/@fix/alpha/models/main.ts",
];

async function runUnderStrace(ws: ReferenceWorkspace, rules: ShimRule[], ...args: string[]) {
  const command = buildStraceCommand(ws.argv(...args), rules, {
    repoDir: ws.repo,
    patterns: DEFAULT_PATTERNS,
    tracePath: `${ws.dir}/trace-${crypto.randomUUID()}.txt`,
  });
  const result = await followTrace(
    command.plan,
    () => runCommand(command.argv, { env: ws.env }),
  );
  return { ...result, events: await readStraceEvents(command.plan, 0) };
}

Deno.test("strace backend: crash after catalog.commit in rm leaves entry and files, no rows", async () => {
  const ws = await openReferenceWorkspace();
  try {
    assert.equal((await ws.run("extension", "pull", ALPHA)).code, 0);
    assert.equal(extensionRows(ws.repo).length, 1);
    const run = await runUnderStrace(
      ws,
      [testRule({ at: "catalog.commit", when: "after", action: { kind: "crash" } })],
      "extension",
      "rm",
      ALPHA,
    );
    assert.equal(run.code, 137);
    assert.deepEqual(extensionRows(ws.repo), []);
    assert.deepEqual(Object.keys(await lockfileEntries(ws.repo)), [ALPHA]);
    const files = await listFiles(ws.repo);
    for (const f of ALPHA_FILES) assert.ok(files.includes(f), f);
    assert.deepEqual(
      run.events.map((e) => [e.point, e.phase, e.action]),
      [["catalog.commit", "before", "none"], ["catalog.commit", "after", "crash"]],
    );
  } finally {
    await ws.close();
  }
});

Deno.test("strace backend: crash after lockfile.write in pull leaves files and entry, no rows", async () => {
  const ws = await openReferenceWorkspace();
  try {
    const run = await runUnderStrace(
      ws,
      [testRule({ at: "lockfile.write", when: "after", action: { kind: "crash" } })],
      "extension",
      "pull",
      ALPHA,
    );
    assert.equal(run.code, 137);
    assert.deepEqual(Object.keys(await lockfileEntries(ws.repo)), [ALPHA]);
    assert.deepEqual(extensionRows(ws.repo), []);
    assert.equal(await readIfExists(`${ws.repo}/${REPO_PATHS.lock}`), "");
    assert.deepEqual(
      run.events.filter((e) => e.action !== "none").map((e) => [e.point, e.phase, e.action]),
      [["lockfile.write", "after", "crash"]],
    );
  } finally {
    await ws.close();
  }
});

Deno.test("strace backend: contend on every lock attempt fails the op", async () => {
  const ws = await openReferenceWorkspace();
  try {
    const run = await runUnderStrace(
      ws,
      [testRule({
        at: "lock.acquire",
        when: "before",
        action: { kind: "contend", attempts: 10 },
        hit: { every: true },
      })],
      "extension",
      "pull",
      ALPHA,
    );
    assert.equal(run.code, 1);
    assert.match(run.stderr, /Could not acquire lock on upstream_extensions\.json/);
    assert.deepEqual(await lockfileEntries(ws.repo), {});
    const attempts = run.events.filter((e) => e.point === "lock.acquire");
    assert.equal(attempts.length, 10);
    assert.ok(attempts.every((e) => e.action === "contend" && e.error === "EEXIST"));
  } finally {
    await ws.close();
  }
});

for (
  const { attemptsHeld, code } of [{ attemptsHeld: 10, code: 1 }, { attemptsHeld: 9, code: 0 }]
) {
  Deno.test(`strace backend: contend for ${attemptsHeld} lock attempts ${code === 0 ? "is absorbed by the retry budget" : "fails the op with the lock error"}`, async () => {
    const ws = await openReferenceWorkspace();
    try {
      const run = await runUnderStrace(
        ws,
        [testRule({
          at: "lock.acquire",
          when: "before",
          action: { kind: "contend", attempts: attemptsHeld },
        })],
        "extension",
        "pull",
        ALPHA,
      );
      assert.equal(run.code, code, run.stderr);
      const attempts = run.events.filter((e) => e.point === "lock.acquire" && e.phase === "before");
      if (code === 0) {
        assert.deepEqual(Object.keys(await lockfileEntries(ws.repo)), [ALPHA]);
        assert.equal(extensionRows(ws.repo).length, 1);
        assert.equal(attempts.length, attemptsHeld + 1);
        assert.equal(attempts.at(-1)?.action, "none");
      } else {
        assert.match(run.stderr, /Could not acquire lock on upstream_extensions\.json/);
        assert.deepEqual(await lockfileEntries(ws.repo), {});
        assert.equal(attempts.length, 10);
      }
      assert.deepEqual(
        attempts.slice(0, attemptsHeld).map((e) => [e.hit, e.action, e.error]),
        Array.from({ length: attemptsHeld }, (_, i) => [i + 1, "contend", "EEXIST"]),
      );
      assert.equal(await readIfExists(`${ws.repo}/${REPO_PATHS.lock}`), undefined, "lock released");
    } finally {
      await ws.close();
    }
  });
}

Deno.test("strace backend: a bounded contend meets a stale lock as it is, and leaves it", async () => {
  const ws = await openReferenceWorkspace();
  try {
    const lock = `${ws.repo}/${REPO_PATHS.lock}`;
    await Deno.mkdir(lock.slice(0, lock.lastIndexOf("/")), { recursive: true });
    await Deno.writeTextFile(lock, "");
    const run = await runUnderStrace(
      ws,
      [testRule({ at: "lock.acquire", when: "before", action: { kind: "contend", attempts: 2 } })],
      "extension",
      "pull",
      ALPHA,
    );
    assert.equal(run.code, 1);
    assert.match(run.stderr, /Could not acquire lock on upstream_extensions\.json/);
    assert.equal(
      run.events.filter((e) => e.point === "lock.acquire" && e.phase === "before").length,
      10,
    );
    assert.equal(await readIfExists(lock), "", "the stale lock is still there");
  } finally {
    await ws.close();
  }
});

Deno.test("strace backend: contend from a later attempt is refused before anything runs", async () => {
  const ws = await openReferenceWorkspace();
  try {
    assert.throws(
      () =>
        buildStraceCommand(ws.argv("extension", "pull", ALPHA), [
          testRule({
            at: "lock.acquire",
            when: "before",
            action: { kind: "contend", attempts: 3 },
            hit: { nth: 2 },
          }),
        ], { repoDir: ws.repo, patterns: DEFAULT_PATTERNS, tracePath: `${ws.dir}/never.txt` }),
      (error) =>
        error instanceof UnsupportedRuleError && /before the process starts/.test(error.reason),
    );
    assert.equal(await readIfExists(`${ws.dir}/never.txt`), undefined, "nothing ran");
  } finally {
    await ws.close();
  }
});

Deno.test("strace backend with no rules logs the lock and commit points and changes nothing", async () => {
  const ws = await openReferenceWorkspace();
  try {
    assert.equal((await ws.run("extension", "pull", ALPHA)).code, 0);
    const run = await runUnderStrace(ws, [], "extension", "pull", "@fix/beta");
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(Object.keys(await lockfileEntries(ws.repo)).sort(), [ALPHA, "@fix/beta"]);
    assert.equal(extensionRows(ws.repo).length, 2);
    assert.deepEqual(
      run.events.filter((e) => e.phase === "before").map((e) => e.point),
      ["lock.acquire", "lock.release", "catalog.commit"],
    );
    assert.ok(run.events.every((e) => e.action === "none"));
  } finally {
    await ws.close();
  }
});
