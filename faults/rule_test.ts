import assert from "node:assert/strict";
import {
  actionProblem,
  DEFAULT_PATTERNS,
  eventMarkerPath,
  parseShimConfig,
  pauseReleased,
  RuleError,
  SHIM_CONFIG_FORMAT,
  type ShimConfig,
} from "./rule.ts";

function config(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const base: ShimConfig = {
    format: SHIM_CONFIG_FORMAT,
    process: 1,
    op: "pull",
    eventsPath: "/ctl/run-1.events.jsonl",
    controlDir: "/ctl",
    patterns: { ...DEFAULT_PATTERNS },
    rules: [{
      id: "faults[0]",
      at: "catalog.commit",
      when: "after",
      action: { kind: "crash" },
      hit: { nth: 1 },
    }],
  };
  return { ...base, ...overrides };
}

Deno.test("parseShimConfig() accepts a full config with pauses on events and a publish list", () => {
  const value = config({
    rules: [{
      id: "faults[1]",
      at: "fs.remove",
      when: "before",
      action: {
        kind: "pause",
        timeoutMs: 100,
        untilExitOf: [0],
        untilEvents: [{ process: 0, point: "fs.extract", phase: "after", hit: 2 }],
        release: "any",
      },
      hit: { probability: 0.5, seed: 3 },
    }],
    publish: [{ point: "lock.acquire", phase: "after", hit: 1 }],
  });
  const parsed = parseShimConfig(value);
  assert.deepEqual(parsed, value);
});

Deno.test("parseShimConfig() names the first bad field", () => {
  const cases: Array<[Record<string, unknown>, RegExp]> = [
    [config({ format: "x" }), /^\$\.format: must be "swamp-sim\.shim\/1"/],
    [config({ extra: 1 }), /^\$\.extra: unknown field/],
    [config({ op: "explode" }), /^\$\.op: unknown op "explode"/],
    [
      config({
        rules: [{
          id: "r",
          at: "lock.aquire",
          when: "before",
          action: { kind: "crash" },
          hit: { nth: 1 },
        }],
      }),
      /^\$\.rules\[0\]\.at: unknown point "lock\.aquire"/,
    ],
    [
      config({
        rules: [{
          id: "r",
          at: "fs.extract",
          when: "before",
          action: { kind: "delay", delayMs: -1 },
          hit: { nth: 1 },
        }],
      }),
      /^\$\.rules\[0\]\.action\.delayMs: must be between 0 and/,
    ],
    [
      config({
        rules: [{
          id: "r",
          at: "fs.extract",
          when: "before",
          action: { kind: "crash" },
          hit: { probability: 1.5, seed: 1 },
        }],
      }),
      /^\$\.rules\[0\]\.hit\.probability: must be a number in \[0, 1\]/,
    ],
    [
      config({
        rules: [{
          id: "r",
          at: "fs.extract",
          when: "before",
          action: { kind: "contend", attempts: 2 },
          hit: { nth: 1 },
        }],
      }),
      /^\$\.rules\[0\]\.action: contend only applies at lock\.acquire/,
    ],
    [
      config({ publish: [{ point: "nope", phase: "after", hit: 1 }] }),
      /^\$\.publish\[0\]\.point: unknown point "nope"/,
    ],
    [
      config({
        rules: [{
          id: "r",
          at: "fs.remove",
          when: "before",
          action: {
            kind: "pause",
            timeoutMs: 5,
            untilExitOf: [],
            untilEvents: [{ process: -1, point: "fs.extract", phase: "after", hit: 1 }],
          },
          hit: { nth: 1 },
        }],
      }),
      /^\$\.rules\[0\]\.action\.untilEvents\[0\]\.process: must be between 0/,
    ],
    [
      config({
        rules: [{
          id: "r",
          at: "fs.remove",
          when: "before",
          action: { kind: "pause", timeoutMs: 5, untilExitOf: [1], release: "first" },
          hit: { nth: 1 },
        }],
      }),
      /^\$\.rules\[0\]\.action\.release: must be "all", "any" or "timeout"/,
    ],
    [
      config({
        rules: [{
          id: "r",
          at: "fs.remove",
          when: "before",
          action: { kind: "pause", timeoutMs: 5, untilExitOf: [], release: "any" },
          hit: { nth: 1 },
        }],
      }),
      /^\$\.rules\[0\]\.action: release "any" needs at least one condition/,
    ],
  ];
  for (const [value, message] of cases) {
    assert.throws(() => parseShimConfig(value), (error: unknown) => {
      assert.ok(error instanceof RuleError);
      assert.match(error.message, message);
      return true;
    });
  }
});

Deno.test("actionProblem() allows errors only where the runtime can raise them", () => {
  assert.equal(
    actionProblem("catalog.commit", "before", { kind: "error", error: "SQLITE_BUSY" }),
    undefined,
  );
  assert.match(
    actionProblem("fs.extract", "before", { kind: "error", error: "SQLITE_BUSY" }) ?? "",
    /cannot be raised at "fs\.extract"/,
  );
  assert.match(
    actionProblem("lock.acquire", "after", { kind: "contend", attempts: 1 }) ?? "",
    /only applies before/,
  );
  assert.match(
    actionProblem("fs.extract", "before", { kind: "delay", delayMsMin: 5, delayMsMax: 1 }) ?? "",
    /must not exceed/,
  );
});

Deno.test("pauseReleased() needs every condition by default and one with release any", () => {
  const markers = new Set(["/ctl/exited-1"]);
  const exists = (path: string) => markers.has(path);
  const event = { process: 2, point: "lock.release" as const, phase: "after" as const, hit: 1 };
  const pause = { untilExitOf: [1], untilEvents: [event] };
  assert.equal(pauseReleased("/ctl", pause, exists), false);
  assert.equal(pauseReleased("/ctl", { ...pause, release: "all" }, exists), false);
  assert.equal(pauseReleased("/ctl", { ...pause, release: "any" }, exists), true);
  assert.equal(
    pauseReleased("/ctl", { untilExitOf: [3], untilEvents: [event], release: "any" }, exists),
    false,
  );
  markers.add("/ctl/event-2-lock.release-after-1");
  assert.equal(pauseReleased("/ctl", pause, exists), true);
  assert.equal(
    pauseReleased("/ctl", { untilExitOf: [3], untilEvents: [event], release: "any" }, exists),
    true,
  );
});

Deno.test("eventMarkerPath() names one marker per process, point, phase and hit", () => {
  assert.equal(
    eventMarkerPath("/ctl", 2, { point: "lock.acquire", phase: "after", hit: 3 }),
    "/ctl/event-2-lock.acquire-after-3",
  );
});
