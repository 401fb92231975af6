import assert from "node:assert/strict";
import { testRule } from "../testing.ts";
import { DEFAULT_PATTERNS } from "../rule.ts";
import { planStrace } from "./command.ts";
import { parseStraceTrace, parseSyscalls } from "./parse.ts";

const CONTEXT = { repoDir: "/r", patterns: DEFAULT_PATTERNS, tracePath: "/t" };
const LOCK = "/r/extensions/models/upstream_extensions.json.lock";
const WAL = "/r/.swamp/_extension_catalog.db-wal";
const OPEN = `openat(AT_FDCWD</w>, "${LOCK}", O_WRONLY|O_CREAT|O_EXCL|O_CLOEXEC, 0666)`;

Deno.test("parseSyscalls() joins unfinished and resumed calls and marks killed ones", () => {
  const records = parseSyscalls([
    `11 100.000100 ${OPEN.slice(0, -1)} <unfinished ...>`,
    `10 100.000200 fsync(25<${WAL}>) = 0 <0.000400>`,
    `11 100.000300 <... openat resumed>) = 21<${LOCK}> <0.000050>`,
    `12 100.000500 unlink("${LOCK}") = ?`,
    `12 100.000600 +++ killed by SIGKILL +++`,
  ].join("\n"));
  assert.deepEqual(
    records.map((r) => [r.tid, r.name, r.killed, r.returned, r.durationMs]),
    [
      [11, "openat", false, 21, 0.05],
      [10, "fsync", false, 0, 0.4],
      [12, "unlink", true, undefined, undefined],
    ],
  );
});

Deno.test("parseStraceTrace() logs lock attempts, a held lock and a crash after the lockfile write", () => {
  const plan = planStrace([
    testRule({ at: "lockfile.write", when: "after", action: { kind: "crash" } }),
  ], CONTEXT);
  const events = parseStraceTrace(
    [
      `21 10.000000 ${OPEN} = -1 EEXIST (File exists) <0.000020>`,
      `22 10.100000 ${OPEN} = 21<${LOCK}> <0.000030>`,
      `20 10.100500 close(21<${LOCK}>) = 0 <0.000010>`,
      `23 10.101000 unlink("${LOCK}") = ?`,
      `20 10.102000 +++ killed by SIGKILL +++`,
    ].join("\n"),
    plan,
    7,
  );
  assert.deepEqual(
    events.map((e) => [e.seq, e.point, e.phase, e.hit, e.action, e.threw, e.rule]),
    [
      [1, "lock.acquire", "before", 1, "none", undefined, undefined],
      [2, "lock.acquire", "after", 1, "none", true, undefined],
      [3, "lock.acquire", "before", 2, "none", undefined, undefined],
      [4, "lock.acquire", "after", 2, "none", false, undefined],
      [5, "lockfile.write", "after", 1, "crash", undefined, "faults[0]"],
    ],
  );
  assert.ok(events.every((e) => e.process === 7 && e.pid === 20));
  assert.equal(events[1].atMs, 10_000.02);
  assert.equal(events[4].target, "/r/extensions/models/upstream_extensions.json");
});

Deno.test("parseStraceTrace() tells a WAL header sync from a commit sync", () => {
  const plan = planStrace([
    testRule({ at: "catalog.commit", when: "after", action: { kind: "crash" } }),
  ], CONTEXT);
  const header = [
    `20 5.000000 pwrite64(25<${WAL}>, "7\\177\\6\\202"..., 32, 0) = 32 <0.000010>`,
    `20 5.000100 fsync(25<${WAL}>) = ?`,
  ].join("\n");
  const killedAtHeader = parseStraceTrace(header, plan, 0);
  assert.deepEqual(
    killedAtHeader.map((e) => [e.point, e.phase, e.action]),
    [["catalog.commit", "before", "crash"]],
    "the kill landed before the commit's frames",
  );
  const commit = [
    `20 5.000000 pwrite64(25<${WAL}>, "7\\177\\6\\202"..., 32, 0) = 32 <0.000010>`,
    `20 5.000100 fsync(25<${WAL}>) = 0 <0.000300>`,
    `20 5.000500 pwrite64(25<${WAL}>, "\\0\\0\\0\\2"..., 24, 32) = 24 <0.000010>`,
    `20 5.000600 pwrite64(25<${WAL}>, "\\r\\0\\0"..., 4096, 56) = 4096 <0.000010>`,
    `20 5.000700 fsync(25<${WAL}>) = ?`,
  ].join("\n");
  assert.deepEqual(
    parseStraceTrace(commit, plan, 0).map((e) => [e.point, e.phase, e.hit, e.action]),
    [["catalog.commit", "before", 1, "none"], ["catalog.commit", "after", 1, "crash"]],
  );
});

Deno.test("parseStraceTrace() records a delay with its rule and value", () => {
  const plan = planStrace([
    testRule({
      at: "lock.acquire",
      when: "before",
      action: { kind: "delay", delayMs: 200 },
      hit: { every: true },
    }),
  ], CONTEXT);
  const events = parseStraceTrace(
    `21 1.000000 ${OPEN} = 21<${LOCK}> (DELAYED) <0.200798>`,
    plan,
    0,
  );
  assert.deepEqual(
    events.map((e) => [e.phase, e.action, e.delayMs]),
    [["before", "delay", 200], ["after", "none", undefined]],
  );
  assert.ok(events[1].atMs - events[0].atMs >= 200);
});
