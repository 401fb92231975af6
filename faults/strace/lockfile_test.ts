/**
 * The strace backend's rules on the lockfile's own data write, run against
 * the reference target: the clean (atomic) writer is never touched, the
 * `lockfile-in-place-write` mutant is caught with its lockfile truncated.
 */

import assert from "node:assert/strict";
import { DEFAULT_PATTERNS, type ShimRule } from "../rule.ts";
import {
  extensionRows,
  lockfileEntries,
  openReferenceWorkspace,
  readIfExists,
  type ReferenceWorkspace,
  REPO_PATHS,
  runCommand,
  testRule,
} from "../testing.ts";
import { buildStraceCommand } from "./command.ts";
import { readStraceEvents } from "./parse.ts";

const ALPHA = "@fix/alpha";
const BETA = "@fix/beta";
const IN_PLACE = { SWAMP_REF_MUTANT: "lockfile-in-place-write" };

/** Pulls alpha without a shim, then beta under strace with `rules` (and `env` added). */
async function pullBetaUnderStrace(
  ws: ReferenceWorkspace,
  rules: ShimRule[],
  env: Record<string, string>,
) {
  const first = await ws.run("extension", "pull", ALPHA);
  assert.equal(first.code, 0, first.stderr);
  const command = buildStraceCommand(ws.argv("extension", "pull", BETA), rules, {
    repoDir: ws.repo,
    patterns: DEFAULT_PATTERNS,
    tracePath: `${ws.dir}/trace.txt`,
  });
  assert.ok(command.argv.includes(`${ws.repo}/${REPO_PATHS.lockfile}`), "the lockfile is traced");
  const result = await runCommand(command.argv, { env: { ...ws.env, ...env } });
  const events = await readStraceEvents(command.plan, 0);
  const fired = events.filter((e) => e.action !== "none");
  const lockfileText = await readIfExists(`${ws.repo}/${REPO_PATHS.lockfile}`);
  const trace = await Deno.readTextFile(command.plan.tracePath);
  return { ...result, events, fired, lockfileText, trace };
}

/** Whether `text` parses as JSON. */
function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

async function assertCleanPullUntouched(rule: ShimRule): Promise<void> {
  const ws = await openReferenceWorkspace();
  try {
    const run = await pullBetaUnderStrace(ws, [rule], {});
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(run.fired, [], "the atomic writer never writes the lockfile's path");
    assert.deepEqual(
      run.events.filter((e) => e.phase === "before").map((e) => e.point),
      ["lock.acquire", "lock.release", "catalog.commit"],
    );
    const lockfile = `${ws.repo}/${REPO_PATHS.lockfile}`;
    assert.ok(run.trace.includes(`"${lockfile}", O_RDONLY`), "the lockfile's reads are traced");
    assert.doesNotMatch(run.trace, /O_TRUNC|\swritev?\(/, "no in-place write");
    assert.deepEqual(Object.keys(await lockfileEntries(ws.repo)).sort(), [ALPHA, BETA]);
    assert.equal(extensionRows(ws.repo).length, 2);
  } finally {
    await ws.close();
  }
}

const ENOSPC_EVERY = testRule({
  at: "lockfile.write",
  when: "before",
  action: { kind: "error", error: "ENOSPC" },
  hit: { every: true },
});
const CRASH_FIRST = testRule({ at: "lockfile.write", when: "before", action: { kind: "crash" } });

Deno.test("strace backend: error ENOSPC before lockfile.write never fires on the atomic writer", async () => {
  await assertCleanPullUntouched(ENOSPC_EVERY);
});

Deno.test("strace backend: error ENOSPC before lockfile.write fails an in-place writer, lockfile truncated", async () => {
  const ws = await openReferenceWorkspace();
  try {
    const run = await pullBetaUnderStrace(ws, [ENOSPC_EVERY], IN_PLACE);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /No space left on device \(os error 28\): writefile/);
    assert.match(run.stderr, /"code": "ENOSPC"/);
    assert.deepEqual(
      run.fired.map((e) => [e.point, e.phase, e.hit, e.action, e.error, e.rule, e.target]),
      [[
        "lockfile.write",
        "before",
        1,
        "error",
        "ENOSPC",
        "faults[0]",
        `${ws.repo}/${REPO_PATHS.lockfile}`,
      ]],
    );
    assert.ok(run.lockfileText !== undefined, "the lockfile exists");
    assert.ok(
      run.lockfileText === "" || !isJson(run.lockfileText),
      `lockfile left empty or partial: ${JSON.stringify(run.lockfileText)}`,
    );
    assert.equal(await readIfExists(`${ws.repo}/${REPO_PATHS.lock}`), undefined, "lock released");
  } finally {
    await ws.close();
  }
});

Deno.test("strace backend: crash before lockfile.write never fires on the atomic writer", async () => {
  await assertCleanPullUntouched(CRASH_FIRST);
});

Deno.test("strace backend: crash before lockfile.write kills an in-place writer, lockfile truncated", async () => {
  const ws = await openReferenceWorkspace();
  try {
    const run = await pullBetaUnderStrace(ws, [CRASH_FIRST], IN_PLACE);
    assert.equal(run.code, 137);
    assert.deepEqual(
      run.fired.map((e) => [e.point, e.phase, e.hit, e.action, e.rule, e.target]),
      [[
        "lockfile.write",
        "before",
        1,
        "crash",
        "faults[0]",
        `${ws.repo}/${REPO_PATHS.lockfile}`,
      ]],
    );
    assert.ok(run.lockfileText !== undefined, "the lockfile exists");
    assert.ok(
      run.lockfileText === "" || !isJson(run.lockfileText),
      `lockfile left empty or partial: ${JSON.stringify(run.lockfileText)}`,
    );
    assert.equal(await readIfExists(`${ws.repo}/${REPO_PATHS.lock}`), "", "lock left behind");
    assert.equal(extensionRows(ws.repo).length, 1, "beta's rows were never written");
  } finally {
    await ws.close();
  }
});
