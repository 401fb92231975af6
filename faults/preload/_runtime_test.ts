import assert from "node:assert/strict";
import type { FaultEvent } from "../event.ts";
import { DEFAULT_PATTERNS, SHIM_CONFIG_FORMAT, type ShimConfig, type ShimRule } from "../rule.ts";
import { LIMITS } from "../vocabulary.ts";
import { type ShimIo, ShimRuntime } from "./_runtime.ts";

/** An in-memory {@link ShimIo} with a manual clock; sleeping advances it. */
function fakeIo(existing: Set<string> = new Set()) {
  const lines: string[] = [];
  const state = { nowMs: 1000, killed: 0, slept: [] as number[], touched: [] as string[] };
  const io: ShimIo = {
    appendLine: (line) => void lines.push(line),
    nowMs: () => state.nowMs,
    pid: 42,
    kill: () => {
      state.killed++;
      throw new Error("killed");
    },
    sleepSync: (ms) => {
      state.slept.push(ms);
      state.nowMs += ms;
    },
    sleep: (ms) => {
      state.slept.push(ms);
      state.nowMs += ms;
      return Promise.resolve();
    },
    exists: (path) => existing.has(path),
    touch: (path) => {
      existing.add(path);
      state.touched.push(path);
    },
  };
  const events = () => lines.map((l) => JSON.parse(l) as FaultEvent);
  return { io, state, lines, events };
}

function config(rules: ShimRule[]): ShimConfig {
  return {
    format: SHIM_CONFIG_FORMAT,
    process: 3,
    op: "pull",
    eventsPath: "/unused",
    controlDir: "/ctl",
    patterns: { ...DEFAULT_PATTERNS },
    rules,
  };
}

const boom = (code: string) => new Error(`injected ${code}`);

Deno.test("ShimRuntime.runSync() logs both phases with one hit number and returns the step's value", () => {
  const { io, events } = fakeIo();
  const rt = new ShimRuntime(config([]), io);
  assert.equal(rt.runSync("lockfile.write", "/r/l.json", () => 7, boom), 7);
  assert.equal(rt.runSync("lockfile.write", "/r/l.json", () => 8, boom), 8);
  const got = events().map((e) => [e.seq, e.process, e.pid, e.phase, e.hit, e.action, e.threw]);
  assert.deepEqual(got, [
    [1, 3, 42, "before", 1, "none", undefined],
    [2, 3, 42, "after", 1, "none", false],
    [3, 3, 42, "before", 2, "none", undefined],
    [4, 3, 42, "after", 2, "none", false],
  ]);
});

Deno.test("ShimRuntime.runSync() rethrows the step's own error and records that it threw", () => {
  const { io, events } = fakeIo();
  const rt = new ShimRuntime(config([]), io);
  const own = new Error("own");
  assert.throws(() =>
    rt.runSync("fs.extract", "/x", () => {
      throw own;
    }, boom), (e) => e === own);
  assert.equal(events()[1].threw, true);
});

Deno.test("ShimRuntime an error before the step skips the step and its after phase", () => {
  const { io, events } = fakeIo();
  const rule: ShimRule = {
    id: "faults[0]",
    at: "fs.extract",
    when: "before",
    action: { kind: "error", error: "EIO" },
    hit: { nth: 2 },
  };
  const rt = new ShimRuntime(config([rule]), io);
  let ran = 0;
  rt.runSync("fs.extract", "/x", () => ran++, boom);
  assert.throws(() => rt.runSync("fs.extract", "/y", () => ran++, boom), /injected EIO/);
  assert.equal(ran, 1);
  const last = events().at(-1);
  assert.deepEqual(
    [last?.hit, last?.phase, last?.action, last?.rule, last?.error, last?.target],
    [2, "before", "error", "faults[0]", "EIO", "/y"],
  );
});

Deno.test("ShimRuntime contend makes attempts nth..nth+attempts-1 look held", () => {
  const { io, events } = fakeIo();
  const rule: ShimRule = {
    id: "faults[1]",
    at: "lock.acquire",
    when: "before",
    action: { kind: "contend", attempts: 3 },
    hit: { nth: 2 },
  };
  const rt = new ShimRuntime(config([rule]), io);
  const outcomes: string[] = [];
  for (let i = 0; i < 6; i++) {
    try {
      rt.runSync("lock.acquire", "/l.lock", () => "got", boom);
      outcomes.push("got");
    } catch (error) {
      outcomes.push((error as Error).message);
    }
  }
  assert.deepEqual(outcomes, [
    "got",
    "injected EEXIST",
    "injected EEXIST",
    "injected EEXIST",
    "got",
    "got",
  ]);
  const contended = events().filter((e) => e.action === "contend").map((e) => [e.hit, e.error]);
  assert.deepEqual(contended, [[2, "EEXIST"], [3, "EEXIST"], [4, "EEXIST"]]);
});

Deno.test("ShimRuntime crash after the step logs, then kills once the step returned", () => {
  const { io, state, events } = fakeIo();
  const rule: ShimRule = {
    id: "c",
    at: "catalog.commit",
    when: "after",
    action: { kind: "crash" },
    hit: { nth: 1 },
  };
  const rt = new ShimRuntime(config([rule]), io);
  let ran = false;
  assert.throws(() => rt.runSync("catalog.commit", "/c.db", () => (ran = true), boom), /killed/);
  assert.equal(ran, true);
  assert.equal(state.killed, 1);
  assert.deepEqual(events().map((e) => [e.phase, e.action]), [["before", "none"], [
    "after",
    "crash",
  ]]);
});

Deno.test("ShimRuntime.runAsync() delays by the rule's delay and the first firing rule wins", async () => {
  const { io, state, events } = fakeIo();
  const rules: ShimRule[] = [
    {
      id: "d1",
      at: "registry.fetch",
      when: "before",
      action: { kind: "delay", delayMs: 30 },
      hit: {
        nth: 2,
      },
    },
    {
      id: "d2",
      at: "registry.fetch",
      when: "before",
      action: { kind: "delay", delayMs: 5 },
      hit: {
        every: true,
      },
    },
  ];
  const rt = new ShimRuntime(config(rules), io);
  await rt.runAsync("registry.fetch", "http://r/1", () => Promise.resolve(1), boom);
  await rt.runAsync("registry.fetch", "http://r/2", () => Promise.resolve(2), boom);
  assert.deepEqual(state.slept, [5, 30]);
  const before = events().filter((e) => e.phase === "before").map((e) => [e.rule, e.delayMs]);
  assert.deepEqual(before, [["d2", 5], ["d1", 30]]);
});

Deno.test("ShimRuntime pause parks until every awaited process exited, or times out", () => {
  const existing = new Set<string>();
  const { io, events, state } = fakeIo(existing);
  const rule: ShimRule = {
    id: "p",
    at: "lock.acquire",
    when: "before",
    action: { kind: "pause", timeoutMs: 200, untilExitOf: [1, 2] },
    hit: { every: true },
  };
  const rt = new ShimRuntime(config([rule]), io);
  rt.runSync("lock.acquire", "/l", () => 0, boom);
  const timedOut = events()[0];
  assert.equal(timedOut.released, false);
  assert.equal(timedOut.pausedMs, 200);
  existing.add("/ctl/exited-1");
  existing.add("/ctl/exited-2");
  const before = state.nowMs;
  rt.runSync("lock.acquire", "/l", () => 0, boom);
  const released = events()[2];
  assert.equal(released.released, true);
  assert.equal(released.pausedMs, 0);
  assert.equal(state.nowMs, before);
});

Deno.test("ShimRuntime pause waits for another process's published event", () => {
  const existing = new Set<string>();
  const { io, events } = fakeIo(existing);
  const rule: ShimRule = {
    id: "p",
    at: "fs.remove",
    when: "before",
    action: {
      kind: "pause",
      timeoutMs: 100,
      untilExitOf: [],
      untilEvents: [{ process: 0, point: "fs.extract", phase: "after", hit: 2 }],
    },
    hit: { nth: 1 },
  };
  const rt = new ShimRuntime(config([rule]), io);
  rt.runSync("fs.remove", "/x", () => 0, boom);
  assert.equal(events()[0].released, false);
  assert.equal(events()[0].pausedMs, 100);
  // The awaited marker is process 0's, not this process's (3).
  existing.add("/ctl/event-0-fs.extract-after-2");
  const second = fakeIo(existing);
  const rt3 = new ShimRuntime(config([rule]), second.io);
  rt3.runSync("fs.remove", "/x", () => 0, boom);
  assert.equal(second.events()[0].released, true);
  assert.equal(second.events()[0].pausedMs, 0);
});

Deno.test("ShimRuntime pause with release any ends on the first condition that holds", () => {
  const existing = new Set<string>();
  const { io, events, state } = fakeIo(existing);
  const rule: ShimRule = {
    id: "p",
    at: "lock.acquire",
    when: "before",
    action: {
      kind: "pause",
      timeoutMs: 1000,
      untilExitOf: [1],
      untilEvents: [{ process: 1, point: "catalog.commit", phase: "after", hit: 1 }],
      release: "any",
    },
    hit: { every: true },
  };
  // Process 1 exits after 30 ms without ever announcing its commit.
  io.sleepSync = (ms) => {
    state.nowMs += ms;
    if (state.nowMs >= 1030) existing.add("/ctl/exited-1");
  };
  const rt = new ShimRuntime(config([rule]), io);
  rt.runSync("lock.acquire", "/l", () => 0, boom);
  assert.equal(events()[0].released, true);
  assert.equal(events()[0].pausedMs, 30);
  // The same pause needing both conditions would have waited out its timeout.
  const all = fakeIo(new Set(["/ctl/exited-1"]));
  const { release: _release, ...allAction } = rule.action as Extract<
    ShimRule["action"],
    { kind: "pause" }
  >;
  new ShimRuntime(config([{ ...rule, action: allAction }]), all.io)
    .runSync("lock.acquire", "/l", () => 0, boom);
  assert.equal(all.events()[0].released, false);
  assert.equal(all.events()[0].pausedMs, 1000);
});

Deno.test("ShimRuntime announces exactly the events it is asked to publish, before acting", () => {
  const { io, state } = fakeIo();
  const published = {
    ...config([{
      id: "c",
      at: "fs.extract",
      when: "after",
      action: { kind: "crash" },
      hit: { nth: 2 },
    }]),
    publish: [{ point: "fs.extract" as const, phase: "after" as const, hit: 2 }],
  };
  const rt = new ShimRuntime(published, io);
  rt.runSync("fs.extract", "/a", () => 0, boom);
  assert.deepEqual(state.touched, []);
  assert.throws(() => rt.runSync("fs.extract", "/b", () => 0, boom), /killed/);
  assert.deepEqual(state.touched, ["/ctl/event-3-fs.extract-after-2"]);
  assert.equal(state.killed, 1);
});

Deno.test("ShimRuntime stops logging at the events limit and says so once", () => {
  const { io, lines } = fakeIo();
  const rt = new ShimRuntime(config([]), io);
  for (let i = 0; i < LIMITS.eventsPerProcessMax + 5; i++) rt.processPointSync("process.exit");
  assert.equal(lines.length, LIMITS.eventsPerProcessMax + 1);
  const cap = JSON.parse(lines.at(-1) ?? "");
  assert.equal(cap.capped, true);
  assert.equal(cap.limit, LIMITS.eventsPerProcessMax);
});

Deno.test("ShimRuntime.decide() takes a seeded delay range per hit and honours probabilities", () => {
  const { io } = fakeIo();
  const rules: ShimRule[] = [
    {
      id: "never",
      at: "fs.extract",
      when: "before",
      action: { kind: "crash" },
      hit: { probability: 0, seed: 9 },
    },
    {
      id: "range",
      at: "fs.extract",
      when: "before",
      action: { kind: "delay", delayMsMin: 10, delayMsMax: 20, seed: 7 },
      hit: { probability: 1, seed: 3 },
    },
  ];
  const rt = new ShimRuntime(config(rules), io);
  const delays = Array.from({ length: 50 }, (_, i) => rt.decide("fs.extract", "before", i + 1));
  assert.ok(delays.every((d) => d.kind === "delay" && d.rule === "range"));
  const values = delays.map((d) => d.kind === "delay" ? d.delayMs : -1);
  assert.ok(values.every((v) => v >= 10 && v <= 20), values.join(","));
  assert.ok(new Set(values).size > 3, "the delay varies by hit");
  assert.deepEqual(
    values,
    Array.from({ length: 50 }, (_, i) => {
      const d = new ShimRuntime(config(rules), io).decide("fs.extract", "before", i + 1);
      return d.kind === "delay" ? d.delayMs : -1;
    }),
    "the same plan gives the same delays",
  );
});

Deno.test("ShimRuntime.runAsync() starts the step within the call unless a delay holds it", async () => {
  const { io, events } = fakeIo();
  const rule: ShimRule = {
    id: "d",
    at: "fs.extract",
    when: "before",
    action: { kind: "delay", delayMs: 5 },
    hit: { nth: 2 },
  };
  const rt = new ShimRuntime(config([rule]), io);
  let started = 0;
  const step = () => {
    started++;
    return Promise.resolve(started);
  };
  const first = rt.runAsync("fs.extract", "/a", step, boom);
  assert.equal(started, 1, "no rule: the call went out synchronously");
  const second = rt.runAsync("fs.extract", "/b", step, boom);
  assert.equal(started, 1, "a delayed call waits");
  assert.deepEqual([await first, await second], [1, 2]);
  assert.throws(() =>
    rt.runAsync("fs.extract", "/c", () => {
      throw new TypeError("bad argument");
    }, boom), TypeError);
  assert.equal(events().at(-1)?.threw, true);
});
