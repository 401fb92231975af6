import assert from "node:assert/strict";
import fc from "fast-check";
import { xoroshiro128plus } from "pure-rand/generator/xoroshiro128plus";
import type { ShimRule } from "../../faults/rule.ts";
import type { Phase, Point } from "../../faults/vocabulary.ts";
import {
  changePointCandidates,
  conflicts,
  drawSchedule,
  type ExploreConfig,
  opKey,
  playSchedule,
  resourceOf,
  scheduleRules,
  scheduleText,
  type Segment,
  segmentsOf,
  type Step,
  stepOf,
  type StepRef,
} from "./explore.ts";

const PATTERNS = { extractDir: "/.swamp/pulled-extensions/" };

function step(point: Point, phase: Phase, hit = 1, resource?: string): Step {
  return { point, phase, hit, ...(resource === undefined ? {} : { resource }) };
}

/** Both phases of one call. */
function call(point: Point, hit = 1, resource?: string): Step[] {
  return [step(point, "before", hit, resource), step(point, "after", hit, resource)];
}

/** A pull's steps: start, fetch, one file, lock, lockfile, release, catalog, exit. */
function pullSteps(file = "@fix/alpha/manifest.yaml"): Step[] {
  return [
    step("process.start", "before"),
    ...call("registry.fetch"),
    ...call("fs.extract", 1, `files:${file}`),
    ...call("lock.acquire", 1, "lock"),
    ...call("lockfile.write", 1, "lock"),
    ...call("lock.release", 1, "lock"),
    ...call("catalog.begin", 1, "catalog"),
    ...call("catalog.commit", 1, "catalog"),
    step("process.exit", "before"),
  ];
}

const text = (s: StepRef) => `${s.point} ${s.phase} #${s.hit}`;
const indexOf = (steps: readonly Step[], point: Point, phase: Phase) =>
  steps.findIndex((s) => s.point === point && s.phase === phase);

Deno.test("resourceOf() names the lock, the catalog and file paths under the pulled tree", () => {
  assert.equal(resourceOf("lockfile.write", "/w/repo/x.json", PATTERNS), "lock");
  assert.equal(resourceOf("lock.release", undefined, PATTERNS), "lock");
  assert.equal(resourceOf("catalog.commit", "/w/repo/.swamp/c.db", PATTERNS), "catalog");
  assert.equal(
    resourceOf("fs.extract", "/tmp/ws-1/repo/.swamp/pulled-extensions/@fix/a/m.yaml", PATTERNS),
    "files:@fix/a/m.yaml",
  );
  assert.equal(
    resourceOf("fs.remove", "/tmp/ws-2/repo/.swamp/pulled-extensions/@fix/a/models/", PATTERNS),
    "files:@fix/a/models",
  );
  assert.equal(resourceOf("registry.fetch", "http://r/x", PATTERNS), undefined);
  assert.deepEqual(
    stepOf({ point: "process.start", phase: "before", hit: 1 }, PATTERNS),
    { point: "process.start", phase: "before", hit: 1 },
  );
});

Deno.test("conflicts() matches one resource, and a directory with the paths under it", () => {
  assert.equal(conflicts("lock", "lock"), true);
  assert.equal(conflicts("lock", "catalog"), false);
  assert.equal(conflicts("files:@f/a/m.yaml", "files:@f/a/m.yaml"), true);
  assert.equal(conflicts("files:@f/a", "files:@f/a/models/x.ts"), true);
  assert.equal(conflicts("files:@f/a/models/x.ts", "files:@f/a"), true);
  assert.equal(conflicts("files:@f/a", "files:@f/ab/x.ts"), false);
  assert.equal(conflicts(undefined, "lock"), false);
});

Deno.test("opKey() does not depend on the order of an op's fields", () => {
  assert.equal(
    opKey({ op: "pull", ref: "@f/a", force: true }),
    opKey({ force: true, ref: "@f/a", op: "pull" }),
  );
  assert.notEqual(opKey({ op: "pull", ref: "@f/a" }), opKey({ op: "pull", ref: "@f/b" }));
});

Deno.test("changePointCandidates() keeps only steps next to a conflicting step", () => {
  // Two pulls of different extensions: their files never conflict, their lock and catalog do.
  const steps = [pullSteps("@fix/alpha/m.yaml"), pullSteps("@fix/beta/m.yaml")];
  const candidates = changePointCandidates(steps).filter((c) => c.process === 0).map((c) =>
    text(steps[0][c.step])
  );
  assert.deepEqual(candidates, [
    // fs.extract after #1 parks at lock.acquire before, a conflicting step.
    "fs.extract after #1",
    "lock.acquire before #1",
    "lock.acquire after #1",
    "lockfile.write before #1",
    "lockfile.write after #1",
    "lock.release before #1",
    "lock.release after #1",
    "catalog.begin before #1",
    "catalog.begin after #1",
    "catalog.commit before #1",
    "catalog.commit after #1",
  ]);
  // Same extension: the file steps conflict too.
  const same = changePointCandidates([pullSteps(), pullSteps()]);
  assert.ok(
    same.some((c) => c.process === 0 && text(pullSteps()[c.step]) === "registry.fetch after #1"),
  );
});

Deno.test("playSchedule() at depth 1 runs the processes one after the other by priority", () => {
  const steps = [pullSteps("@fix/alpha/m.yaml"), pullSteps("@fix/beta/m.yaml")];
  const played = playSchedule(steps, [1, 0], [], undefined, 1);
  const segments = segmentsOf(played.trace);
  assert.deepEqual(
    segments,
    [
      {
        process: 1,
        from: { point: "process.start", phase: "before", hit: 1 },
        until: { parkedAt: { point: "process.start", phase: "before", hit: 1 } },
      },
      {
        process: 0,
        from: { point: "process.start", phase: "before", hit: 1 },
        until: { exit: "done" },
      },
    ].map((s, i) => i === 0 ? { ...s, until: { exit: "done" } } : s) as Segment[],
  );
  const rules = scheduleRules(segments, 2, 1000);
  assert.deepEqual(rules[1], []);
  assert.deepEqual(rules[0], [{
    id: "explore[1]",
    at: "process.start",
    when: "before",
    action: { kind: "pause", timeoutMs: 1000, untilExitOf: [1], release: "any" },
    hit: { nth: 1 },
  }]);
});

Deno.test("playSchedule() preempts at a change point and resumes the process where it parked", () => {
  const steps = [pullSteps("@fix/alpha/m.yaml"), pullSteps("@fix/beta/m.yaml")];
  // p0 first; it drops below p1 once it took `lock.release after`: it parks before its catalog.
  const cp = indexOf(steps[0], "lock.release", "after");
  const played = playSchedule(steps, [0, 1], [{ process: 0, step: cp, label: 1 }], undefined, 2);
  assert.equal(played.effective, 1);
  const segments = segmentsOf(played.trace);
  assert.equal(
    scheduleText({ segments }),
    "p0 process.start before #1 .. parked at catalog.begin before #1 | " +
      "p1 process.start before #1 .. exit | p0 catalog.begin before #1 .. exit",
  );
  const rules = scheduleRules(segments, 2, 1000);
  // p1 starts once p0 parked before its catalog (or exited); p0 resumes once p1 exited.
  assert.deepEqual(rules[1][0].action, {
    kind: "pause",
    timeoutMs: 1000,
    untilExitOf: [0],
    untilEvents: [{ process: 0, point: "catalog.begin", phase: "before", hit: 1 }],
    release: "any",
  });
  assert.deepEqual([rules[0][0].at, rules[0][0].when, rules[0][0].hit], [
    "catalog.begin",
    "before",
    { nth: 1 },
  ]);
  assert.deepEqual(rules[0][0].action, {
    kind: "pause",
    timeoutMs: 1000,
    untilExitOf: [1],
    release: "any",
  });
});

Deno.test("playSchedule() makes a process that meets the held lock fail once, then wait for the release", () => {
  const steps = [pullSteps("@fix/alpha/m.yaml"), pullSteps("@fix/beta/m.yaml")];
  // p0 drops while it holds the lock (parked at lockfile.write before).
  const cp = indexOf(steps[0], "lock.acquire", "after");
  const played = playSchedule(steps, [0, 1], [{ process: 0, step: cp, label: 1 }], undefined, 2);
  const p1 = played.trace.filter((e) => e.process === 1).map((e) => text(e.step));
  assert.deepEqual(p1.slice(5, 10), [
    "lock.acquire before #1",
    "lock.acquire after #1",
    "lock.acquire before #2",
    "lock.acquire after #2",
    "lockfile.write before #1",
  ]);
  assert.equal(
    scheduleText({ segments: segmentsOf(played.trace) }),
    "p0 process.start before #1 .. parked at lockfile.write before #1 | " +
      "p1 process.start before #1 .. parked at lock.acquire before #2 | " +
      // p0's release lets p1, now the higher priority, take the lock.
      "p0 lockfile.write before #1 .. parked at lock.release after #1 | " +
      "p1 lock.acquire before #2 .. exit | p0 lock.release after #1 .. exit",
  );
});

Deno.test("playSchedule() lets a transaction that meets the catalog's holder wait for its commit", () => {
  const steps = [pullSteps("@fix/alpha/m.yaml"), pullSteps("@fix/beta/m.yaml")];
  // p0 drops after its writes, before its COMMIT: it holds the catalog's write lock.
  const cp = indexOf(steps[0], "catalog.begin", "after");
  const played = playSchedule(steps, [0, 1], [{ process: 0, step: cp, label: 1 }], undefined, 2);
  const segments = segmentsOf(played.trace);
  assert.equal(
    scheduleText({ segments }),
    "p0 process.start before #1 .. parked at catalog.commit before #1 | " +
      "p1 process.start before #1 .. busy after catalog.begin after #1 | " +
      // p0's COMMIT hands the write lock to p1, whose priority is now the higher.
      "p0 catalog.commit before #1 .. parked at catalog.commit after #1 | " +
      "p1 catalog.commit before #1 .. exit | p0 catalog.commit after #1 .. exit",
  );
  const rules = scheduleRules(segments, 2, 1000);
  // p0 resumes once p1 reached its BEGIN's after (it then waits in SQLite), or its commit, or exit.
  assert.deepEqual(rules[0][0].action, {
    kind: "pause",
    timeoutMs: 1000,
    untilExitOf: [1],
    untilEvents: [
      { process: 1, point: "catalog.begin", phase: "after", hit: 1 },
      { process: 1, point: "catalog.commit", phase: "before", hit: 1 },
    ],
    release: "any",
  });
});

Deno.test("playSchedule() lets the waiters of a crashed lock holder give up, unpinned", () => {
  const steps = [pullSteps("@fix/alpha/m.yaml"), pullSteps("@fix/beta/m.yaml")];
  const crash = { process: 0, step: indexOf(steps[0], "lockfile.write", "before") };
  const played = playSchedule(steps, [0, 1], [], crash, 1);
  assert.equal(
    scheduleText({ segments: segmentsOf(played.trace) }),
    "p0 process.start before #1 .. crash | p1 process.start before #1 .. gave-up",
  );
});

Deno.test("drawSchedule() is a pure function of the steps, the config and the stream", () => {
  const steps = [pullSteps(), pullSteps(), pullSteps("@fix/beta/m.yaml")];
  const config: ExploreConfig = { depth: 3, crash: true, pauseTimeoutMs: 500 };
  const a = drawSchedule(steps, config, xoroshiro128plus(7));
  const b = drawSchedule(steps, config, xoroshiro128plus(7));
  assert.deepEqual(a, b);
  assert.equal(a.plan.changePoints.length, 2);
  assert.ok(a.plan.crash !== undefined);
  // The crash rule comes first in its process's rules, so it wins at its step.
  assert.deepEqual(a.rules[a.plan.crash.process][0].action, { kind: "crash" });
  const differs = [1, 2, 3, 4, 5].some((seed) =>
    JSON.stringify(drawSchedule(steps, config, xoroshiro128plus(seed)).plan) !==
      JSON.stringify(a.plan)
  );
  assert.ok(differs, "other seeds draw other schedules");
});

Deno.test("drawSchedule() redraws until its change points take effect", () => {
  // Two processes, depth 2: a change point in whichever runs second changes nothing.
  const steps = [pullSteps("@fix/alpha/m.yaml"), pullSteps("@fix/beta/m.yaml")];
  for (let seed = 0; seed < 20; seed++) {
    const { plan } = drawSchedule(
      steps,
      { depth: 2, crash: false, pauseTimeoutMs: 500 },
      xoroshiro128plus(seed),
    );
    assert.equal(plan.effective, 1, `seed ${seed}`);
    assert.equal(plan.changePoints[0].process, plan.priorities[0], `seed ${seed}`);
  }
});

// ---- The realisation: the rules, run by processes that follow their steps, serialise them. ----

const POINT_SHAPES: Step[][] = [
  call("registry.fetch"),
  call("fs.extract", 1, "files:@f/a/x.ts"),
  call("fs.extract", 1, "files:@f/a/m.yaml"),
  call("fs.remove", 1, "files:@f/a/m.yaml"),
  [
    ...call("lock.acquire", 1, "lock"),
    ...call("lockfile.write", 1, "lock"),
    ...call("lock.release", 1, "lock"),
  ],
  [...call("catalog.begin", 1, "catalog"), ...call("catalog.commit", 1, "catalog")],
];

/** A process's steps from a list of call shapes, numbered by hit per point. */
export function stepsOf(shapes: number[]): Step[] {
  const hits = new Map<Point, number>();
  const out: Step[] = [step("process.start", "before")];
  for (const shape of shapes) {
    const seen = new Set<Point>();
    for (const s of POINT_SHAPES[shape]) {
      if (!seen.has(s.point)) {
        hits.set(s.point, (hits.get(s.point) ?? 0) + 1);
        seen.add(s.point);
      }
      out.push({ ...s, hit: hits.get(s.point)! });
    }
  }
  out.push(step("process.exit", "before"));
  return out;
}

/**
 * Runs the rules the way the shims would, with each process following the
 * model's trace of it: a process arriving at a step announces it, then
 * parks there while a pause of its own there is not released. Fails when
 * two processes could run at once or none can.
 */
export function realise(
  traceOf: StepRef[][],
  crashes: boolean[],
  busyAfter: Array<Set<string>>,
  rules: ShimRule[][],
): Array<{ process: number; step: string }> {
  const key = (p: number, s: StepRef) => `${p} ${text(s)}`;
  const announced = new Set<string>();
  const exited = new Set<number>();
  const at = traceOf.map(() => 0);
  const released = traceOf.map(() => new Set<string>());
  let writeLock: number | undefined;
  // Processes in SQLite's busy handler, in the order they started waiting.
  const busyWait: number[] = [];
  traceOf.forEach((t, p) => announced.add(key(p, t[0])));
  // A step after which the process waits in the busy handler is announced as it starts waiting
  // (really a moment before: what it does in between, up to its first write, touches nothing).
  const order: Array<{ process: number; step: string }> = [];
  for (let guard = 0; guard < 10_000; guard++) {
    // Leaving the busy wait is no step: the waiter takes the write lock and goes on to its next step.
    if (writeLock === undefined && busyWait.length > 0) {
      const p = busyWait.shift()!;
      writeLock = p;
      announced.add(key(p, traceOf[p][at[p]]));
    }
    const live = traceOf.map((_, p) => p).filter((p) => !exited.has(p));
    if (live.length === 0) return order;
    const runnable = live.filter((p) => {
      if (busyWait.includes(p)) return false;
      const s = traceOf[p][at[p]];
      const pause = rules[p].find((r) =>
        r.action.kind === "pause" && r.at === s.point && r.when === s.phase &&
        "nth" in r.hit && r.hit.nth === s.hit
      );
      if (pause === undefined || released[p].has(text(s)) || pause.action.kind !== "pause") {
        return true;
      }
      const free = pause.action.untilExitOf.some((q) => exited.has(q)) ||
        (pause.action.untilEvents ?? []).some((e) => announced.has(key(e.process, e)));
      if (free) released[p].add(text(s));
      return free;
    });
    assert.equal(
      runnable.length,
      1,
      `exactly one process may run, got [${runnable}] at ${order.length}`,
    );
    const p = runnable[0];
    const s = traceOf[p][at[p]];
    order.push({ process: p, step: text(s) });
    if (crashes[p] && at[p] === traceOf[p].length - 1) {
      exited.add(p);
      if (writeLock === p) writeLock = undefined;
      const waiting = busyWait.indexOf(p);
      if (waiting !== -1) busyWait.splice(waiting, 1);
      continue;
    }
    let waits = false;
    if (s.point === "catalog.begin" && s.phase === "after") {
      if (busyAfter[p].has(text(s))) waits = true;
      else writeLock = p;
    }
    if ((s.point === "catalog.commit" || s.point === "catalog.rollback") && s.phase === "before") {
      if (writeLock === p) writeLock = undefined;
    }
    at[p]++;
    if (at[p] >= traceOf[p].length) {
      exited.add(p);
      if (writeLock === p) writeLock = undefined;
      continue;
    }
    if (waits) {
      // The marker of the step it waits after: touched as it got there, a moment before it waits.
      announced.add(key(p, s));
      busyWait.push(p);
    } else if (!busyAfter[p].has(text(traceOf[p][at[p]]))) {
      announced.add(key(p, traceOf[p][at[p]]));
    }
  }
  throw new Error("the realised schedule did not end");
}

Deno.test("drawSchedule() rules run processes that follow their steps one at a time, in the model's order", () => {
  fc.assert(
    fc.property(
      fc.array(fc.array(fc.integer({ min: 0, max: POINT_SHAPES.length - 1 }), { maxLength: 5 }), {
        minLength: 2,
        maxLength: 4,
      }),
      fc.integer({ min: 1, max: 4 }),
      fc.boolean(),
      fc.integer({ min: 0, max: 0xffff_ffff }),
      (shapes, depth, crash, seed) => {
        const steps = shapes.map(stepsOf);
        const drawn = drawSchedule(
          steps,
          { depth, crash, pauseTimeoutMs: 100 },
          xoroshiro128plus(seed),
        );
        const played = playSchedule(
          steps,
          drawn.plan.priorities,
          drawn.plan.changePoints,
          drawn.plan.crash,
          depth,
        );
        // Waiters of a crashed lock holder run unpinned: only schedules without one are serial.
        fc.pre(!played.trace.some((e) => e.gaveUp === true));
        const traceOf = steps.map((_, p) =>
          played.trace.filter((e) => e.process === p).map((e) => e.step)
        );
        const crashes = steps.map((_, p) =>
          played.trace.some((e) => e.process === p && e.crash === true)
        );
        const busy = steps.map((_, p) =>
          new Set(
            played.trace.filter((e) => e.process === p && e.busy === true).map((e) => text(e.step)),
          )
        );
        // Every process that did not crash takes each of its steps once, in order.
        steps.forEach((own, p) => {
          if (crashes[p]) return;
          const learned = traceOf[p].filter((s, i, all) =>
            !(s.point === "lock.acquire" && all[i + 2]?.point === "lock.acquire" &&
              all[i + 2]?.phase === s.phase && all[i + 2]?.hit === s.hit + 1)
          );
          assert.equal(learned.length, own.length);
        });
        const order = realise(traceOf, crashes, busy, drawn.rules);
        assert.deepEqual(
          order,
          played.trace.map((e) => ({ process: e.process, step: text(e.step) })),
        );
      },
    ),
    { numRuns: 300 },
  );
});
