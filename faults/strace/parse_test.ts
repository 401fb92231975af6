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

const LOCKFILE = "/r/extensions/models/upstream_extensions.json";
const READ_OPEN =
  `openat(AT_FDCWD</w>, "${LOCKFILE}", O_RDONLY|O_CLOEXEC) = 24<${LOCKFILE}> <0.000040>`;
const WRITE_OPEN =
  `openat(AT_FDCWD</w>, "${LOCKFILE}", O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC, 0666) = 28<${LOCKFILE}> <0.000060>`;
const WRITE = `write(28<${LOCKFILE}>, "{\\n  \\"@fix/alpha\\": {\\n    \\"version"..., 906)`;

Deno.test("parseStraceTrace() logs an injected error on the lockfile's own data write", () => {
  const plan = planStrace([
    testRule({
      at: "lockfile.write",
      when: "before",
      action: { kind: "error", error: "ENOSPC" },
      hit: { every: true },
    }),
  ], CONTEXT);
  const events = parseStraceTrace(
    [
      `31 3.000000 ${READ_OPEN}`,
      `32 3.100000 ${OPEN} = 27<${LOCK}> <0.000100>`,
      `31 3.100500 ${READ_OPEN}`,
      `33 3.101000 ${WRITE_OPEN}`,
      `33 3.101100 ${WRITE} = -1 ENOSPC (No space left on device) (INJECTED) <0.000012>`,
      `32 3.102000 unlink("${LOCK}") = 0 <0.000040>`,
      `33 3.200000 ${WRITE_OPEN}`,
      `34 3.200100 ${WRITE} = -1 EIO (Input/output error) <0.000012>`,
      `35 3.300000 ${WRITE_OPEN}`,
      `35 3.300100 ${WRITE} = -1 ENOSPC (No space left on device) (INJECTED) <0.000012>`,
    ].join("\n"),
    plan,
    2,
  );
  assert.deepEqual(
    events.map((e) => [e.point, e.phase, e.hit, e.action, e.error, e.rule]),
    [
      ["lock.acquire", "before", 1, "none", undefined, undefined],
      ["lock.acquire", "after", 1, "none", undefined, undefined],
      ["lockfile.write", "before", 1, "error", "ENOSPC", "faults[0]"],
      ["lock.release", "before", 1, "none", undefined, undefined],
      ["lock.release", "after", 1, "none", undefined, undefined],
      ["lockfile.write", "before", 3, "error", "ENOSPC", "faults[0]"],
    ],
    "a write error the rule did not inject is no event; the hit counts write opens",
  );
  const writes = events.filter((e) => e.point === "lockfile.write");
  assert.deepEqual(writes.map((e) => [e.target, Math.round(e.atMs * 10)]), [
    [LOCKFILE, 31011],
    [LOCKFILE, 33001],
  ], "entry time of the write, in ms");
});

Deno.test("parseStraceTrace() logs a kill at the lockfile's own data write, unfinished or not", () => {
  const plan = planStrace([
    testRule({ at: "lockfile.write", when: "before", action: { kind: "crash" } }),
  ], CONTEXT);
  const straight = [
    `30 3.900000 ${READ_OPEN}`,
    `33 4.000000 ${WRITE_OPEN}`,
    `33 4.000100 ${WRITE} = ?`,
    `30 4.000200 +++ killed by SIGKILL +++`,
  ];
  const interleaved = [
    `30 3.900000 ${READ_OPEN}`,
    `33 4.000000 ${WRITE_OPEN}`,
    `33 4.000100 ${WRITE.slice(0, -1)} <unfinished ...>`,
    `31 4.000150 ${READ_OPEN}`,
    `30 4.000200 +++ killed by SIGKILL +++`,
  ];
  for (const lines of [straight, interleaved]) {
    const events = parseStraceTrace(lines.join("\n"), plan, 0);
    assert.deepEqual(
      events.map((e) => [e.point, e.phase, e.hit, e.action, e.error, e.target, e.pid]),
      [["lockfile.write", "before", 1, "crash", undefined, LOCKFILE, 30]],
    );
  }
});

Deno.test("parseStraceTrace() logs nothing at lockfile.write when the lockfile was only read", () => {
  const plan = planStrace([
    testRule({ at: "lockfile.write", when: "before", action: { kind: "crash" } }),
  ], CONTEXT);
  const events = parseStraceTrace(
    [
      `31 3.000000 ${READ_OPEN}`,
      `31 3.000100 read(24<${LOCKFILE}>, "{}\\n", 456) = 3 <0.000010>`,
      `32 3.100000 ${OPEN} = 27<${LOCK}> <0.000100>`,
      `32 3.102000 unlink("${LOCK}") = 0 <0.000040>`,
    ].join("\n"),
    plan,
    0,
  );
  assert.deepEqual(
    events.map((e) => [e.point, e.phase, e.action]),
    [
      ["lock.acquire", "before", "none"],
      ["lock.acquire", "after", "none"],
      ["lock.release", "before", "none"],
      ["lock.release", "after", "none"],
    ],
  );
});

Deno.test("parseStraceTrace() logs the attempts a bounded contend held as contend, later ones as they ran", () => {
  const plan = planStrace([
    testRule({ at: "lock.acquire", when: "before", action: { kind: "contend", attempts: 2 } }),
  ], CONTEXT);
  assert.equal(plan.heldLockAttempts, 2);
  const stop = (tid: number, at: string) => [
    `${tid} ${at} --- SIGSTOP {si_signo=SIGSTOP, si_code=SI_KERNEL} ---`,
    `${tid} ${at} --- stopped by SIGSTOP ---`,
  ];
  const events = parseStraceTrace(
    [
      `21 10.000000 ${OPEN} = -1 EEXIST (File exists) <0.000020>`,
      ...stop(21, "10.000100"),
      `22 10.100000 ${OPEN} = -1 EEXIST (File exists) <0.000020>`,
      ...stop(22, "10.100100"),
      // Held by another process after the contend released it: real contention.
      `21 10.200000 ${OPEN} = -1 EEXIST (File exists) <0.000020>`,
      ...stop(21, "10.200100"),
      `23 10.300000 ${OPEN} = 24<${LOCK}> <0.000030>`,
      ...stop(23, "10.300100"),
      `23 10.400000 unlink("${LOCK}") = 0 <0.000010>`,
    ].join("\n"),
    plan,
    3,
  );
  assert.deepEqual(
    events.filter((e) => e.phase === "before").map((e) => [e.point, e.hit, e.action, e.error]),
    [
      ["lock.acquire", 1, "contend", "EEXIST"],
      ["lock.acquire", 2, "contend", "EEXIST"],
      ["lock.acquire", 3, "none", undefined],
      ["lock.acquire", 4, "none", undefined],
      ["lock.release", 1, "none", undefined],
    ],
  );
  assert.deepEqual(events.filter((e) => e.action === "contend").map((e) => e.rule), [
    "faults[0]",
    "faults[0]",
  ]);
});
