/**
 * The preload shim against `faults/testdata/probe.ts`, a program that makes
 * swamp's lifecycle calls. Each test checks the effect in the workspace, not
 * only the event log.
 */

import assert from "node:assert/strict";
import type { ShimRule } from "../rule.ts";
import { eventMarkerPath, SHIM_CONFIG_EXIT_CODE } from "../rule.ts";
import {
  eventsAt,
  extensionRows,
  listFiles,
  lockfileEntries,
  readIfExists,
  REPO_PATHS,
  runCommand,
  runUnderShim,
  testRule,
  testShimConfig,
  waitForPath,
} from "../testing.ts";
import { SHIM_MODULE_PATH } from "./command.ts";

const PROBE = new URL("../testdata/probe.ts", import.meta.url).pathname;
const DENO = Deno.execPath();
const V1 = "2026.01.01.1";

async function withDir(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "shim_test_" });
  try {
    await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function probe(repo: string, ...args: string[]): string[] {
  return [DENO, "run", "-A", PROBE, repo, ...args];
}

function layers(repo: string) {
  return {
    lockfile: `${repo}/${REPO_PATHS.lockfile}`,
    lock: `${repo}/${REPO_PATHS.lock}`,
    pulled: `${repo}/${REPO_PATHS.pulled}`,
  };
}

Deno.test("shim.ts does nothing when its environment variable is unset", async () => {
  await withDir(async (dir) => {
    const bare = await runCommand(probe(`${dir}/a`, "pull", "@s/x", V1));
    const preloaded = await runCommand([
      DENO,
      "run",
      "--preload",
      SHIM_MODULE_PATH,
      ...probe(`${dir}/b`, "pull", "@s/x", V1).slice(2),
    ]);
    assert.equal(preloaded.code, 0, preloaded.stderr);
    assert.equal(preloaded.stdout, bare.stdout);
    assert.deepEqual(await listFiles(`${dir}/b`), await listFiles(`${dir}/a`));
    assert.deepEqual(await listFiles(dir), [
      ...(await listFiles(`${dir}/a`)).map((f) => `a/${f}`),
      ...(await listFiles(`${dir}/b`)).map((f) => `b/${f}`),
    ]);
  });
});

Deno.test("shim.ts with no rules logs every point of a pull and changes nothing", async () => {
  await withDir(async (dir) => {
    const bare = await runCommand(probe(`${dir}/bare`, "pull", "@s/x", V1));
    const shim = await runUnderShim(
      probe(`${dir}/shim`, "pull", "@s/x", V1),
      testShimConfig(dir, []),
    );
    assert.equal(shim.code, bare.code);
    assert.equal(shim.stdout, bare.stdout);
    assert.equal(shim.stderr, bare.stderr);
    assert.deepEqual(await listFiles(`${dir}/shim`), await listFiles(`${dir}/bare`));
    assert.deepEqual(extensionRows(`${dir}/shim`), extensionRows(`${dir}/bare`));
    const points = shim.events.filter((e) => e.phase === "before").map((e) => e.point);
    assert.deepEqual(points, [
      "process.start",
      "fs.extract",
      "fs.extract",
      "lock.acquire",
      "lockfile.write",
      "lock.release",
      "catalog.begin",
      "catalog.commit",
      "process.exit",
    ]);
    assert.deepEqual(shim.events.map((e) => e.seq), shim.events.map((_, i) => i + 1));
    assert.ok(shim.events.every((e) => e.action === "none"));
  });
});

Deno.test("shim.ts crash after catalog.commit in rm leaves lockfile entry and files, no rows", async () => {
  await withDir(async (dir) => {
    const repo = `${dir}/repo`;
    assert.equal((await runCommand(probe(repo, "pull", "@s/x", V1))).code, 0);
    const filesBefore = await listFiles(repo);
    const config = testShimConfig(dir, [
      testRule({ at: "catalog.commit", when: "after", action: { kind: "crash" } }),
    ], { op: "rm" });
    const run = await runUnderShim(probe(repo, "rm", "@s/x"), config);
    assert.equal(run.signal, "SIGKILL");
    assert.deepEqual(extensionRows(repo), []);
    assert.deepEqual(Object.keys(await lockfileEntries(repo)), ["@s/x"]);
    const filesAfter = await listFiles(repo);
    for (const f of filesBefore.filter((f) => f.startsWith(".swamp/pulled-extensions/"))) {
      assert.ok(filesAfter.includes(f), f);
    }
    assert.equal(run.events.at(-1)?.action, "crash");
  });
});

Deno.test("shim.ts crash after lockfile.write in pull leaves files and entry, no rows", async () => {
  await withDir(async (dir) => {
    const repo = `${dir}/repo`;
    const config = testShimConfig(dir, [
      testRule({ at: "lockfile.write", when: "after", action: { kind: "crash" } }),
    ]);
    const run = await runUnderShim(probe(repo, "pull", "@s/x", V1), config);
    assert.equal(run.code, 137);
    assert.equal(run.stdout, "");
    assert.deepEqual(await lockfileEntries(repo), {
      "@s/x": {
        version: V1,
        files: [
          ".swamp/pulled-extensions/@s/x/manifest.yaml",
          ".swamp/pulled-extensions/@s/x/models/main.ts",
        ],
      },
    });
    assert.deepEqual(extensionRows(repo), []);
    assert.equal(await readIfExists(layers(repo).lock), "", "the killed holder leaves its lock");
  });
});

Deno.test("shim.ts crash before lockfile.write keeps the old lockfile byte-equal", async () => {
  await withDir(async (dir) => {
    const repo = `${dir}/repo`;
    assert.equal((await runCommand(probe(repo, "pull", "@s/x", V1))).code, 0);
    const before = await readIfExists(layers(repo).lockfile);
    const config = testShimConfig(dir, [
      testRule({ at: "lockfile.write", when: "before", action: { kind: "crash" } }),
    ]);
    const run = await runUnderShim(probe(repo, "pull", "@s/y", V1), config);
    assert.equal(run.code, 137);
    assert.equal(await readIfExists(layers(repo).lockfile), before);
    const dirFiles = await listFiles(`${repo}/extensions/models`);
    assert.equal(dirFiles.filter((f) => f.endsWith(".tmp")).length, 1, "a stray tmp file");
    assert.deepEqual(extensionRows(repo), [{ extension_name: "@s/x", extension_version: V1 }]);
  });
});

Deno.test("shim.ts contend on lock.acquire: 10 held attempts fail the op, 9 do not", async () => {
  await withDir(async (dir) => {
    const contend = (attempts: number) =>
      testShimConfig(dir, [
        testRule({ at: "lock.acquire", when: "before", action: { kind: "contend", attempts } }),
      ], { process: attempts });
    const failed = await runUnderShim(probe(`${dir}/a`, "pull", "@s/x", V1), contend(10));
    assert.equal(failed.code, 1);
    assert.match(failed.stderr, /Could not acquire lock on upstream_extensions\.json/);
    assert.equal(await readIfExists(layers(`${dir}/a`).lockfile), undefined);
    assert.equal(await readIfExists(layers(`${dir}/a`).lock), undefined, "no lock file created");
    assert.deepEqual(
      eventsAt(failed.events, "lock.acquire").map((e) => [e.hit, e.action, e.error]),
      Array.from({ length: 10 }, (_, i) => [i + 1, "contend", "EEXIST"]),
    );
    const passed = await runUnderShim(probe(`${dir}/b`, "pull", "@s/x", V1), contend(9));
    assert.equal(passed.code, 0, passed.stderr);
    assert.deepEqual(Object.keys(await lockfileEntries(`${dir}/b`)), ["@s/x"]);
    const acquired = eventsAt(passed.events, "lock.acquire", "after");
    assert.deepEqual(acquired.map((e) => [e.hit, e.threw]), [[10, false]]);
  });
});

Deno.test("shim.ts delay stretches exactly the targeted step", async () => {
  await withDir(async (dir) => {
    const delayMs = 300;
    const config = testShimConfig(dir, [
      testRule({ at: "catalog.commit", when: "before", action: { kind: "delay", delayMs } }),
    ]);
    const run = await runUnderShim(probe(`${dir}/repo`, "pull", "@s/x", V1), config);
    assert.equal(run.code, 0, run.stderr);
    const gap = (point: ShimRule["at"], hit = 1) => {
      const [before, after] = eventsAt(run.events, point).filter((e) => e.hit === hit);
      return after.atMs - before.atMs;
    };
    assert.ok(gap("catalog.commit") >= delayMs, `commit gap ${gap("catalog.commit")}`);
    for (const other of ["catalog.begin", "lockfile.write", "lock.acquire"] as const) {
      assert.ok(gap(other) < delayMs / 2, `${other} gap ${gap(other)}`);
    }
    assert.equal(eventsAt(run.events, "catalog.commit", "before")[0].delayMs, delayMs);
  });
});

Deno.test("shim.ts error EIO at fs.extract surfaces as the target's error", async () => {
  await withDir(async (dir) => {
    const repo = `${dir}/repo`;
    const config = testShimConfig(dir, [
      testRule({
        at: "fs.extract",
        when: "before",
        action: { kind: "error", error: "EIO" },
        hit: { nth: 2 },
      }),
    ]);
    const run = await runUnderShim(probe(repo, "pull", "@s/x", V1), config);
    assert.equal(run.code, 1);
    const target = `${layers(repo).pulled}/@s/x/models/main.ts`;
    assert.equal(run.stderr, `Error: Input/output error (os error 5): writefile '${target}'\n`);
    assert.deepEqual(await listFiles(layers(repo).pulled), ["@s/x/manifest.yaml"]);
    assert.equal(await readIfExists(layers(repo).lockfile), undefined);
  });
});

Deno.test("shim.ts SQLITE_BUSY at catalog.commit surfaces as the target's catalog error", async () => {
  await withDir(async (dir) => {
    const repo = `${dir}/repo`;
    const config = testShimConfig(dir, [
      testRule({
        at: "catalog.commit",
        when: "before",
        action: { kind: "error", error: "SQLITE_BUSY" },
      }),
    ]);
    const run = await runUnderShim(probe(repo, "pull", "@s/x", V1), config);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /Install partially applied for @s\/x .*\(database is locked\)/);
    assert.deepEqual(extensionRows(repo), [], "the target rolled back");
    assert.deepEqual(Object.keys(await lockfileEntries(repo)), ["@s/x"]);
    assert.equal(eventsAt(run.events, "catalog.rollback", "after")[0].threw, false);
  });
});

Deno.test("shim.ts pause parks until the control file appears", async () => {
  await withDir(async (dir) => {
    const repo = `${dir}/repo`;
    const reached = { point: "lockfile.write" as const, phase: "before" as const, hit: 1 };
    const config = {
      ...testShimConfig(dir, [
        testRule({
          at: "lockfile.write",
          when: "before",
          action: { kind: "pause", timeoutMs: 60_000, untilExitOf: [7] },
        }),
      ]),
      publish: [reached],
    };
    const running = runUnderShim(probe(repo, "pull", "@s/x", V1), config);
    // The process announces the point, then parks there.
    await waitForPath(eventMarkerPath(dir, 0, reached));
    assert.equal(await readIfExists(layers(repo).lockfile), undefined, "still parked");
    await Deno.writeTextFile(`${dir}/exited-7`, "");
    const run = await running;
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(Object.keys(await lockfileEntries(repo)), ["@s/x"]);
    const [paused] = eventsAt(run.events, "lockfile.write", "before");
    assert.equal(paused.action, "pause");
    assert.equal(paused.released, true, "released by the marker, not by its timeout");
  });
});

Deno.test("shim.ts pause resumes on its own after its timeout", async () => {
  await withDir(async (dir) => {
    const config = testShimConfig(dir, [
      testRule({
        at: "catalog.begin",
        when: "before",
        action: { kind: "pause", timeoutMs: 150, untilExitOf: [9] },
      }),
    ]);
    const run = await runUnderShim(probe(`${dir}/repo`, "pull", "@s/x", V1), config);
    assert.equal(run.code, 0, run.stderr);
    const [paused] = eventsAt(run.events, "catalog.begin", "before");
    assert.equal(paused.released, false);
    assert.ok((paused.pausedMs ?? 0) >= 150);
    assert.equal(extensionRows(`${dir}/repo`).length, 1);
  });
});

Deno.test("shim.ts applies faults to the *Sync calls and prepared statements", async () => {
  await withDir(async (dir) => {
    const crash = await runUnderShim(
      probe(`${dir}/a`, "pull-sync", "@s/x", V1),
      testShimConfig(dir, [
        testRule({ at: "lockfile.write", when: "after", action: { kind: "crash" } }),
      ]),
    );
    assert.equal(crash.code, 137);
    assert.deepEqual(Object.keys(await lockfileEntries(`${dir}/a`)), ["@s/x"]);
    assert.deepEqual(extensionRows(`${dir}/a`), []);

    const busy = await runUnderShim(
      probe(`${dir}/b`, "pull-sync", "@s/x", V1),
      testShimConfig(dir, [
        testRule({ at: "catalog.commit", when: "after", action: { kind: "error", error: "EIO" } }),
      ], { process: 1 }),
    );
    assert.equal(busy.code, 1);
    assert.equal(busy.stderr, "Error: disk I/O error\n");
    assert.equal(extensionRows(`${dir}/b`).length, 1, "after: the commit happened, then the error");

    const slow = await runUnderShim(
      probe(`${dir}/c`, "pull-sync", "@s/x", V1),
      testShimConfig(dir, [
        testRule({ at: "fs.extract", when: "after", action: { kind: "delay", delayMs: 200 } }),
      ], { process: 2 }),
    );
    assert.equal(slow.code, 0, slow.stderr);
    const [after] = eventsAt(slow.events, "fs.extract", "after");
    const [nextBefore] = eventsAt(slow.events, "fs.extract", "before").slice(1);
    assert.ok(nextBefore.atMs - after.atMs >= 200);
  });
});

Deno.test("shim.ts refuses a registry connection with fetch's own error", async () => {
  await withDir(async (dir) => {
    let requests = 0;
    await using server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, () => {
      requests++;
      return new Response("hello");
    });
    const env = { SWAMP_CLUB_URL: `http://127.0.0.1:${server.addr.port}` };
    const refused = (when: "before" | "after", process: number) =>
      runUnderShim(
        probe(`${dir}/repo`, "fetch", "/api/v1/extensions/x"),
        testShimConfig(dir, [
          testRule({
            at: "registry.fetch",
            when,
            action: { kind: "error", error: "ECONNREFUSED" },
          }),
        ], { process }),
        { env },
      );
    const before = await refused("before", 0);
    assert.equal(before.stderr, "Error: fetch failed\n");
    assert.equal(requests, 0);
    const after = await refused("after", 1);
    assert.equal(after.stderr, "Error: fetch failed\n");
    assert.equal(requests, 1);
    const ok = await runUnderShim(
      probe(`${dir}/repo`, "fetch", "/x"),
      testShimConfig(dir, [], { process: 2 }),
      { env },
    );
    assert.equal(JSON.parse(ok.stdout).body, "hello");
    assert.equal(
      eventsAt(ok.events, "registry.fetch", "before")[0].target,
      `${env.SWAMP_CLUB_URL}/x`,
    );
  });
});

Deno.test("shim.ts process points: delay at start, crash at exit", async () => {
  await withDir(async (dir) => {
    const config = testShimConfig(dir, [
      testRule({ at: "process.start", when: "before", action: { kind: "delay", delayMs: 250 } }),
      {
        ...testRule({ at: "process.exit", when: "before", action: { kind: "crash" } }),
        id: "faults[1]",
      },
    ]);
    const run = await runUnderShim(probe(`${dir}/repo`, "noop"), config);
    assert.equal(run.stdout, "{}\n", "the main module ran to its end");
    assert.equal(run.code, 137);
    const [start, exit] = run.events;
    assert.deepEqual([start.point, start.action, exit.point, exit.action], [
      "process.start",
      "delay",
      "process.exit",
      "crash",
    ]);
    assert.ok(exit.atMs - start.atMs >= 250);
  });
});

Deno.test("shim.ts exits 86 naming the field of a bad config", async () => {
  await withDir(async (dir) => {
    const base = testShimConfig(dir, []);
    const cases: Array<[string, unknown, string]> = [
      ["unknown point", { at: "lock.aquire" }, "$.rules[0].at: unknown point"],
      ["negative delay", { action: { kind: "delay", delayMs: -5 } }, "$.rules[0].action.delayMs"],
      [
        "probability out of range",
        { hit: { probability: 1.5, seed: 1 } },
        "$.rules[0].hit.probability: must be a number in [0, 1]",
      ],
      [
        "contend at a wrong point",
        { at: "lockfile.write", action: { kind: "contend", attempts: 3 } },
        "$.rules[0].action: contend only applies at lock.acquire",
      ],
      [
        "after at a process point",
        { at: "process.exit", when: "after" },
        `$.rules[0].action: "process.exit" has only the before phase`,
      ],
    ];
    for (const [label, patch, expected] of cases) {
      const bad = {
        ...base,
        rules: [{
          id: "faults[0]",
          at: "lock.acquire",
          when: "before",
          action: { kind: "crash" },
          hit: { nth: 1 },
          ...patch as object,
        }],
      };
      const path = `${dir}/bad.json`;
      await Deno.writeTextFile(path, JSON.stringify(bad));
      const run = await runCommand(
        [DENO, "run", "--preload", SHIM_MODULE_PATH, ...probe(`${dir}/repo`, "noop").slice(2)],
        { env: { SWAMP_SIM_SHIM_CONFIG: path } },
      );
      assert.equal(run.code, SHIM_CONFIG_EXIT_CODE, label);
      assert.equal(run.stdout, "", `${label}: the main module never ran`);
      assert.ok(run.stderr.startsWith(`swamp-sim shim: ${path}: ${expected}`), run.stderr);
      assert.equal(run.stderr.trim().split("\n").length, 1, `${label}: one line`);
    }
    await Deno.writeTextFile(`${dir}/notjson.json`, "{");
    const notJson = await runCommand(
      [DENO, "run", "--preload", SHIM_MODULE_PATH, ...probe(`${dir}/repo`, "noop").slice(2)],
      { env: { SWAMP_SIM_SHIM_CONFIG: `${dir}/notjson.json` } },
    );
    assert.equal(notJson.code, SHIM_CONFIG_EXIT_CODE);
    assert.match(notJson.stderr, /^swamp-sim shim: .*notjson\.json: \$: not valid JSON/);
  });
});

Deno.test("shim.ts keeps names, lengths, attributes, values and errors of the patched calls", async () => {
  await withDir(async (dir) => {
    const fidelity = new URL("../testdata/fidelity.ts", import.meta.url).pathname;
    await Deno.mkdir(`${dir}/bare`);
    await Deno.mkdir(`${dir}/shim`);
    const bare = await runCommand([DENO, "run", "-A", fidelity, `${dir}/bare`]);
    const shim = await runUnderShim(
      [DENO, "run", "-A", fidelity, `${dir}/shim`],
      testShimConfig(dir, []),
    );
    assert.equal(bare.code, 0, bare.stderr);
    assert.equal(shim.code, 0, shim.stderr);
    assert.equal(
      shim.stdout.replaceAll(`${dir}/shim`, "DIR"),
      bare.stdout.replaceAll(`${dir}/bare`, "DIR"),
    );
    assert.ok(
      eventsAt(shim.events, "catalog.begin").length === 2,
      "the prepared BEGIN was a point",
    );
    assert.ok(
      eventsAt(shim.events, "lock.acquire").length === 6,
      "three lock attempts were points",
    );
  });
});

Deno.test("shim.ts writes the events of a process that dies of an uncaught error", async () => {
  await withDir(async (dir) => {
    const endings: Array<[string, string]> = [
      ["throw", `throw new Error("boom");`],
      ["reject", `await Promise.resolve(); Promise.reject(new Error("boom"));`],
      ["timer", `setTimeout(() => { throw new Error("boom"); }, 1);`],
    ];
    for (const [label, ending] of endings) {
      const script = `${dir}/${label}.ts`;
      await Deno.writeTextFile(
        script,
        `Deno.writeTextFileSync(Deno.args[0] + "/upstream_extensions.json", "{}");\n${ending}\n`,
      );
      await Deno.mkdir(`${dir}/${label}-bare`);
      await Deno.mkdir(`${dir}/${label}-shim`);
      const bare = await runCommand([DENO, "run", "-A", script, `${dir}/${label}-bare`]);
      const shim = await runUnderShim(
        [DENO, "run", "-A", script, `${dir}/${label}-shim`],
        testShimConfig(dir, [], { process: endings.findIndex(([l]) => l === label) }),
      );
      assert.equal(shim.code, bare.code, label);
      assert.notEqual(shim.code, 0, label);
      assert.equal(shim.stderr, bare.stderr, label);
      assert.deepEqual(
        shim.events.map((e) => `${e.point} ${e.phase}`),
        ["process.start before", "lockfile.write before", "lockfile.write after"],
        label,
      );
    }
  });
});
