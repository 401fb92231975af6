/**
 * The preload shim against the reference target (`reference/main.ts`) and the
 * loopback registry: every fault's effect is checked in the repo's three
 * layers, not only in the event log.
 */

import assert from "node:assert/strict";
import {
  eventsAt,
  extensionRows,
  listFiles,
  lockfileEntries,
  openReferenceWorkspace,
  readIfExists,
  REPO_PATHS,
  repoState,
  runCommand,
  runUnderShim,
  testRule,
  testShimConfig,
  waitForPath,
} from "../testing.ts";
import { eventMarkerPath } from "../rule.ts";

const ALPHA = "@fix/alpha";
const BETA = "@fix/beta";
const ALPHA_FILES = [
  ".swamp/bundles/a97c15bf/main.js",
  ".swamp/pulled-extensions/@fix/alpha/manifest.yaml",
  ".swamp/pulled-extensions/@fix/alpha/models/main.ts",
];

Deno.test("preload shim: crash after catalog.commit in rm leaves entry and files, no rows", async () => {
  const ws = await openReferenceWorkspace();
  try {
    assert.equal((await ws.run("extension", "pull", ALPHA)).code, 0);
    assert.equal(extensionRows(ws.repo).length, 1);
    const run = await runUnderShim(
      ws.argv("extension", "rm", ALPHA),
      testShimConfig(ws.dir, [
        testRule({ at: "catalog.commit", when: "after", action: { kind: "crash" } }),
      ], {
        op: "rm",
      }),
      { env: ws.env },
    );
    assert.equal(run.code, 137);
    assert.deepEqual(extensionRows(ws.repo), []);
    assert.deepEqual(Object.keys(await lockfileEntries(ws.repo)), [ALPHA]);
    const files = await listFiles(ws.repo);
    for (const f of ALPHA_FILES) assert.ok(files.includes(f), f);
    assert.deepEqual(run.events.at(-1)?.point, "catalog.commit");
  } finally {
    await ws.close();
  }
});

Deno.test("preload shim: crash after lockfile.write in pull leaves files and entry, no rows", async () => {
  const ws = await openReferenceWorkspace();
  try {
    const run = await runUnderShim(
      ws.argv("extension", "pull", ALPHA),
      testShimConfig(ws.dir, [
        testRule({ at: "lockfile.write", when: "after", action: { kind: "crash" } }),
      ]),
      { env: ws.env },
    );
    assert.equal(run.code, 137);
    const entry = (await lockfileEntries(ws.repo))[ALPHA] as { files: string[] };
    assert.deepEqual(entry.files, ALPHA_FILES);
    const files = await listFiles(ws.repo);
    for (const f of ALPHA_FILES) assert.ok(files.includes(f), f);
    assert.deepEqual(extensionRows(ws.repo), []);
    assert.ok(files.includes(REPO_PATHS.lock), "the killed holder leaves its lock behind");
  } finally {
    await ws.close();
  }
});

Deno.test("preload shim: crash before lockfile.write keeps the old lockfile byte-equal", async () => {
  const ws = await openReferenceWorkspace();
  try {
    assert.equal((await ws.run("extension", "pull", ALPHA)).code, 0);
    const before = await readIfExists(`${ws.repo}/${REPO_PATHS.lockfile}`);
    const run = await runUnderShim(
      ws.argv("extension", "pull", BETA),
      testShimConfig(ws.dir, [
        testRule({ at: "lockfile.write", when: "before", action: { kind: "crash" } }),
      ]),
      { env: ws.env },
    );
    assert.equal(run.code, 137);
    assert.equal(await readIfExists(`${ws.repo}/${REPO_PATHS.lockfile}`), before);
    const modelsDir = await listFiles(`${ws.repo}/extensions/models`);
    assert.deepEqual(
      modelsDir.filter((f) =>
        f !== "upstream_extensions.json" && f !== "upstream_extensions.json.lock"
      )
        .map((f) => /^\..+\.tmp$/.test(f)),
      [true],
      "only the complete tmp file the rename never moved",
    );
    assert.deepEqual(
      extensionRows(ws.repo).map((r) => (r as { extension_name: string }).extension_name),
      [
        ALPHA,
      ],
    );
  } finally {
    await ws.close();
  }
});

Deno.test("preload shim: contend on lock.acquire for 10 attempts fails the op, for 9 it succeeds", async () => {
  const ws = await openReferenceWorkspace();
  try {
    const contend = (attempts: number) =>
      testShimConfig(ws.dir, [
        testRule({ at: "lock.acquire", when: "before", action: { kind: "contend", attempts } }),
      ], { process: attempts });
    const failed = await runUnderShim(ws.argv("extension", "pull", ALPHA), contend(10), {
      env: ws.env,
    });
    assert.equal(failed.code, 1);
    assert.match(failed.stderr, /Could not acquire lock on upstream_extensions\.json/);
    assert.deepEqual(await lockfileEntries(ws.repo), {});
    assert.equal(eventsAt(failed.events, "lock.acquire", "before").length, 10);
    assert.equal(await readIfExists(`${ws.repo}/${REPO_PATHS.lock}`), undefined);

    const passed = await runUnderShim(ws.argv("extension", "pull", ALPHA, "--force"), contend(9), {
      env: ws.env,
    });
    assert.equal(passed.code, 0, passed.stderr);
    assert.deepEqual(Object.keys(await lockfileEntries(ws.repo)), [ALPHA]);
    assert.equal(extensionRows(ws.repo).length, 1);
    const acquire = eventsAt(passed.events, "lock.acquire", "before");
    assert.deepEqual(acquire.map((e) => e.action), [...Array(9).fill("contend"), "none"]);
  } finally {
    await ws.close();
  }
});

Deno.test("preload shim: delay stretches exactly the targeted step", async () => {
  const ws = await openReferenceWorkspace();
  try {
    assert.equal((await ws.run("extension", "pull", ALPHA)).code, 0);
    const delayMs = 400;
    const run = await runUnderShim(
      ws.argv("extension", "pull", BETA),
      testShimConfig(ws.dir, [
        testRule({ at: "lockfile.write", when: "before", action: { kind: "delay", delayMs } }),
      ]),
      { env: ws.env },
    );
    assert.equal(run.code, 0, run.stderr);
    const gaps = new Map<string, number>();
    for (const before of run.events.filter((e) => e.phase === "before")) {
      const after = run.events.find((e) =>
        e.phase === "after" && e.point === before.point && e.hit === before.hit
      );
      if (after !== undefined) gaps.set(`${before.point}#${before.hit}`, after.atMs - before.atMs);
    }
    assert.ok(
      (gaps.get("lockfile.write#1") ?? 0) >= delayMs,
      `gap ${gaps.get("lockfile.write#1")}`,
    );
    // Exactly that step was delayed: no other event took an action (load may slow any step,
    // so their durations say nothing).
    const acted = run.events.filter((e) => e.action !== "none");
    assert.deepEqual(acted.map((e) => [e.point, e.phase, e.hit, e.action, e.delayMs]), [
      ["lockfile.write", "before", 1, "delay", delayMs],
    ]);
    assert.ok(gaps.size >= 5, "the other steps were seen too");
  } finally {
    await ws.close();
  }
});

Deno.test("preload shim: error EIO at fs.extract surfaces as the target's error", async () => {
  const ws = await openReferenceWorkspace();
  try {
    const run = await runUnderShim(
      ws.argv("extension", "pull", ALPHA),
      testShimConfig(ws.dir, [
        testRule({ at: "fs.extract", when: "before", action: { kind: "error", error: "EIO" } }),
      ]),
      { env: ws.env },
    );
    assert.equal(run.code, 1);
    assert.match(run.stderr, /Input\/output error \(os error 5\)/);
    assert.deepEqual(await lockfileEntries(ws.repo), {});
    assert.deepEqual(extensionRows(ws.repo), []);
    const [failed] = eventsAt(run.events, "fs.extract", "before");
    assert.equal(failed.error, "EIO");
    assert.equal(await readIfExists(failed.target ?? ""), undefined, "the file was not written");
  } finally {
    await ws.close();
  }
});

Deno.test("preload shim: SQLITE_BUSY at catalog.commit surfaces as the target's catalog error", async () => {
  const ws = await openReferenceWorkspace();
  try {
    assert.equal((await ws.run("extension", "pull", ALPHA)).code, 0);
    const run = await runUnderShim(
      ws.argv("extension", "pull", BETA),
      testShimConfig(ws.dir, [
        testRule({
          at: "catalog.commit",
          when: "before",
          action: { kind: "error", error: "SQLITE_BUSY" },
          hit: { every: true },
        }),
      ]),
      { env: ws.env },
    );
    assert.equal(run.code, 1);
    assert.match(run.stderr, /Install partially applied for @fix\/beta/);
    assert.match(run.stderr, /database is locked/);
    assert.deepEqual(
      extensionRows(ws.repo).map((r) => (r as { extension_name: string }).extension_name),
      [ALPHA],
    );
    assert.deepEqual(Object.keys(await lockfileEntries(ws.repo)).sort(), [ALPHA, BETA]);
    assert.equal(eventsAt(run.events, "catalog.commit", "before").length, 6, "1 + 5 retries");
  } finally {
    await ws.close();
  }
});

Deno.test("preload shim: pause parks a process until the control file appears", async () => {
  const ws = await openReferenceWorkspace();
  try {
    const reached = { point: "lock.acquire" as const, phase: "before" as const, hit: 1 };
    const parked = runUnderShim(
      ws.argv("extension", "pull", ALPHA),
      {
        ...testShimConfig(ws.dir, [
          testRule({
            at: "lock.acquire",
            when: "before",
            action: { kind: "pause", timeoutMs: 60_000, untilExitOf: [5] },
          }),
        ], { process: 0 }),
        publish: [reached],
      },
      { env: ws.env },
    );
    // Process 0 announces its first lock attempt, then parks there.
    await waitForPath(eventMarkerPath(ws.dir, 0, reached));
    assert.deepEqual(await lockfileEntries(ws.repo), {}, "still parked");
    // Parked before the lock, process 0 holds nothing: another pull goes through.
    const other = await ws.run("extension", "pull", BETA);
    assert.equal(other.code, 0, other.stderr);
    assert.deepEqual(Object.keys(await lockfileEntries(ws.repo)), [BETA]);
    await Deno.writeTextFile(`${ws.dir}/exited-5`, "");
    const run = await parked;
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(Object.keys(await lockfileEntries(ws.repo)).sort(), [ALPHA, BETA]);
    // Released by the marker written after the other pull ended, so it was parked throughout.
    const [pause] = eventsAt(run.events, "lock.acquire", "before");
    assert.deepEqual([pause.action, pause.released], ["pause", true]);
  } finally {
    await ws.close();
  }
});

function normalisedOutput(text: string, repo: string): string {
  return text.replaceAll(repo, "<repo>").replace(/"pulledAt": "[^"]*"/g, `"pulledAt": "<t>"`);
}

Deno.test("preload shim with no rules changes nothing the reference does", async () => {
  const ws = await openReferenceWorkspace();
  try {
    const bareRepo = `${ws.dir}/bare`;
    const shimRepo = `${ws.dir}/shim`;
    await ws.init(bareRepo);
    await ws.init(shimRepo);
    const steps = [
      ["extension", "pull", ALPHA],
      ["extension", "pull", BETA],
      ["extension", "pull", `${ALPHA}@2026.01.01.1`],
      ["extension", "rm", BETA],
      ["extension", "list"],
      ["extension", "rm", BETA],
      ["doctor", "extensions"],
    ];
    for (const [i, step] of steps.entries()) {
      const bare = await runCommand(ws.argvAt(bareRepo, ...step), { env: ws.env });
      const shim = await runUnderShim(
        ws.argvAt(shimRepo, ...step),
        testShimConfig(ws.dir, [], { process: i }),
        { env: ws.env },
      );
      const label = step.join(" ");
      assert.equal(shim.code, bare.code, label);
      assert.equal(
        normalisedOutput(shim.stdout, shimRepo),
        normalisedOutput(bare.stdout, bareRepo),
        label,
      );
      assert.equal(
        normalisedOutput(shim.stderr, shimRepo),
        normalisedOutput(bare.stderr, bareRepo),
        label,
      );
      assert.ok(shim.events.length > 0, `${label}: the shim was active`);
    }
    assert.deepEqual(await repoState(shimRepo), await repoState(bareRepo));
  } finally {
    await ws.close();
  }
});
