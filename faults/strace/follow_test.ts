import assert from "node:assert/strict";
import { DEFAULT_PATTERNS } from "../rule.ts";
import { testRule, waitForPath } from "../testing.ts";
import { planStrace } from "./command.ts";
import { followTrace, type LockPauseRecord, TraceFollower, TraceFollowError } from "./follow.ts";

const LOCK = "/r/extensions/models/upstream_extensions.json.lock";
const OPEN = `openat(AT_FDCWD</w>, "${LOCK}", O_WRONLY|O_CREAT|O_EXCL|O_CLOEXEC, 0666)`;
const STOPPED = "--- stopped by SIGSTOP ---";

Deno.test("TraceFollower counts lock attempts and reports the stop after every open of the lock", () => {
  const follower = new TraceFollower(LOCK);
  const trace = [
    `21 10.000000 ${OPEN} = -1 EEXIST (File exists) <0.000020>`,
    `21 10.000100 --- SIGSTOP {si_signo=SIGSTOP, si_code=SI_KERNEL} ---`,
    `20 10.000150 ${STOPPED}`, // another thread of the group stops first
    `21 10.000200 ${STOPPED}`,
    `22 10.100000 openat(AT_FDCWD</w>, "/r/other", O_RDONLY|O_CLOEXEC) = 5 <0.000010>`,
    `22 10.100050 ${STOPPED}`, // not after an open of the lock
    `24 10.150000 openat(AT_FDCWD</w>, "${LOCK}", O_RDONLY|O_CLOEXEC) = 6 <0.000010>`,
    `24 10.150050 ${STOPPED}`, // an open of the lock that is no attempt: resumed, not counted
    `23 10.200000 ${OPEN.slice(0, -1)} <unfinished ...>`,
    `20 10.200010 futex(0x1, FUTEX_WAKE_PRIVATE, 1) = 0 <0.000001>`,
    `23 10.200100 <... openat resumed>) = 24<${LOCK}> <0.000030>`,
    `23 10.200200 ${STOPPED}`,
    "",
  ].join("\n");
  // Fed in pieces that split lines, as a growing file is read.
  const cut = [0, 37, 140, 141, trace.indexOf("<unfinished"), trace.length - 5, trace.length];
  const stops = [];
  let attempts = 0;
  for (let i = 1; i < cut.length; i++) {
    const progress = follower.feed(trace.slice(cut[i - 1], cut[i]));
    stops.push(...progress.stops);
    attempts = progress.attempts;
  }
  assert.equal(attempts, 2);
  assert.deepEqual(stops, [{ tid: 21, attempt: 1 }, { tid: 24 }, { tid: 23, attempt: 2 }]);
});

async function tempPlan(attempts: number | undefined) {
  const dir = await Deno.makeTempDir();
  const rules = attempts === undefined
    ? []
    : [testRule({ at: "lock.acquire", when: "before", action: { kind: "contend", attempts } })];
  const plan = planStrace(rules, {
    repoDir: dir,
    patterns: DEFAULT_PATTERNS,
    tracePath: `${dir}/trace.txt`,
  });
  return { dir, plan };
}

Deno.test("followTrace() without a bounded contend runs as is and leaves the lock alone", async () => {
  const { dir, plan } = await tempPlan(undefined);
  try {
    const seen = await followTrace(plan, async () => {
      return await Deno.stat(plan.lockPath).then(() => "held", () => "free");
    });
    assert.equal(seen, "free");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("followTrace() holds the lock while the process runs and removes it when it fails", async () => {
  const { dir, plan } = await tempPlan(3);
  try {
    let seen = "";
    await assert.rejects(
      followTrace(plan, async () => {
        seen = await Deno.stat(plan.lockPath).then(() => "held", () => "free");
        throw new Error("target could not start");
      }),
      /target could not start/,
    );
    assert.equal(seen, "held");
    await assert.rejects(Deno.stat(plan.lockPath), Deno.errors.NotFound);
    // A run that throws before returning a promise releases it too.
    await assert.rejects(
      followTrace(plan, (): Promise<never> => {
        throw new Error("sync");
      }),
      /sync/,
    );
    await assert.rejects(Deno.stat(plan.lockPath), Deno.errors.NotFound);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("followTrace() runs at once against another holder's lock and leaves it alone", async () => {
  const { dir, plan } = await tempPlan(3);
  try {
    await Deno.mkdir(plan.lockPath.slice(0, plan.lockPath.lastIndexOf("/")), { recursive: true });
    await Deno.writeTextFile(plan.lockPath, "held by p0");
    const result = await followTrace(plan, () => Promise.resolve("ran"));
    assert.equal(result, "ran");
    assert.equal(await Deno.readTextFile(plan.lockPath), "held by p0");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("followTrace() throws once the run ended when the trace cannot be followed", async () => {
  const { dir, plan } = await tempPlan(3);
  try {
    await Deno.mkdir(plan.tracePath); // a dir: reading it fails
    let ended = false;
    await assert.rejects(
      followTrace(plan, async () => {
        await new Promise((resolve) => setTimeout(resolve, 50));
        ended = true;
      }),
      (error) =>
        error instanceof TraceFollowError &&
        /Cannot follow the trace ".*trace\.txt"/.test(error.message),
    );
    assert.ok(ended, "the run was awaited before the error");
    await assert.rejects(Deno.stat(plan.lockPath), Deno.errors.NotFound);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("followTrace() announces an event while the process runs, and what the trace shows last", async () => {
  const { dir, plan } = await tempPlan(undefined);
  try {
    const markerOf = (hit: number) => `${dir}/event-0-lock.acquire-after-${hit}`;
    const open = OPEN.replaceAll(LOCK, plan.lockPath);
    const line = (tid: number, at: string, result: string) =>
      `${tid} ${at} ${open} = ${result} <0.000020>\n`;
    const exists = (path: string) => Deno.stat(path).then(() => true, () => false);
    await followTrace(plan, async () => {
      await Deno.writeTextFile(plan.tracePath, line(21, "10.000000", "-1 EEXIST (File exists)"));
      // The "process" waits for its first attempt to be announced, as a paused peer would.
      const deadline = performance.now() + 60_000;
      while (!await exists(markerOf(1)) && performance.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      assert.ok(await exists(markerOf(1)), "announced while running");
      await Deno.writeTextFile(plan.tracePath, line(22, "10.100000", `7<${plan.lockPath}>`), {
        append: true,
      });
    }, {
      process: 0,
      publish: [
        { point: "lock.acquire", phase: "after", hit: 1 },
        { point: "lock.acquire", phase: "after", hit: 2 },
        { point: "lock.acquire", phase: "after", hit: 3 },
      ],
      markerPath: (e) => `${dir}/event-0-${e.point}-${e.phase}-${e.hit}`,
    });
    assert.ok(await exists(markerOf(2)), "the last line is announced after the run");
    assert.ok(!await exists(markerOf(3)), "an event that never happened is not");
    await assert.rejects(
      followTrace(plan, () => Promise.resolve(), {
        process: 0,
        publish: [{ point: "lock.acquire", phase: "before", hit: 1 }],
        markerPath: () => `${dir}/never`,
      }),
      /cannot announce "before lock.acquire"/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("followTrace() announces from whole lines only, and refuses a later commit", async () => {
  const { dir, plan } = await tempPlan(undefined);
  try {
    const marker = `${dir}/event-0-lock.acquire-after-1`;
    const exists = (path: string) => Deno.stat(path).then(() => true, () => false);
    const open = OPEN.replaceAll(LOCK, plan.lockPath);
    await followTrace(plan, async () => {
      // The line is cut before its end: the open has not returned yet as far as the trace says.
      await Deno.writeTextFile(plan.tracePath, `21 10.000000 ${open} = 7<${plan.lockPath}`);
      await new Promise((resolve) => setTimeout(resolve, 60));
      assert.equal(await exists(marker), false, "a cut line announces nothing");
      await Deno.writeTextFile(plan.tracePath, `> <0.000020>\n`, { append: true });
      const deadline = performance.now() + 60_000;
      while (!await exists(marker) && performance.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      assert.ok(await exists(marker), "announced once the line is whole");
    }, {
      process: 0,
      publish: [{ point: "lock.acquire", phase: "after", hit: 1 }],
      markerPath: (e) => `${dir}/event-0-${e.point}-${e.phase}-${e.hit}`,
    });
    await assert.rejects(
      followTrace(plan, () => Promise.resolve(), {
        process: 0,
        publish: [{ point: "catalog.commit", phase: "after", hit: 2 }],
        markerPath: () => `${dir}/never`,
      }),
      /announces only its first catalog commit, not hit 2/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("followTrace() holds a stopped lock attempt until the pause's conditions hold, announcing it first", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const rule = testRule({
      at: "lock.acquire",
      when: "after",
      hit: { nth: 2 },
      action: { kind: "pause", timeoutMs: 60_000, untilExitOf: [4] },
    });
    const plan = planStrace([rule], {
      repoDir: dir,
      patterns: DEFAULT_PATTERNS,
      tracePath: `${dir}/trace.txt`,
    });
    assert.equal(plan.lockPause?.id, rule.id);
    const open = OPEN.replaceAll(LOCK, plan.lockPath);
    const marker = `${dir}/event-0-lock.acquire-after-2`;
    const records: LockPauseRecord[] = [];
    await followTrace(plan, async () => {
      await Deno.writeTextFile(
        plan.tracePath,
        `21 10.000000 ${open} = -1 EEXIST (File exists) <0.000020>\n21 10.000100 ${STOPPED}\n` +
          `22 10.100000 ${open} = 7<${plan.lockPath}> <0.000020>\n22 10.100100 ${STOPPED}\n`,
      );
      // The 2nd attempt is announced before the process is held there.
      await waitForPath(marker);
      assert.deepEqual(records, [], "still held: its condition does not hold yet");
      await Deno.writeTextFile(`${dir}/exited-4`, "");
      while (records.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    }, {
      process: 0,
      publish: [{ point: "lock.acquire", phase: "after", hit: 2 }],
      markerPath: (e) => `${dir}/event-0-${e.point}-${e.phase}-${e.hit}`,
    }, {
      controlDir: dir,
      limitMs: () => 60_000,
      stop: () => false,
      onPause: (record) => records.push(record),
    });
    assert.deepEqual(records.map((r) => [r.hit, r.released]), [[2, true]]);
    // Without its conditions it lets go at the process's limit.
    const late: LockPauseRecord[] = [];
    await Deno.remove(`${dir}/exited-4`);
    await Deno.writeTextFile(plan.tracePath, "");
    await followTrace(
      plan,
      async () => {
        await Deno.writeTextFile(
          plan.tracePath,
          `21 10.000000 ${open} = -1 EEXIST (File exists) <0.000020>\n21 10.000100 ${STOPPED}\n` +
            `22 10.100000 ${open} = 7<${plan.lockPath}> <0.000020>\n22 10.100100 ${STOPPED}\n`,
        );
        while (late.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
      },
      undefined,
      {
        controlDir: dir,
        limitMs: () => 50,
        stop: () => false,
        onPause: (record) => late.push(record),
      },
    );
    assert.deepEqual(late.map((r) => [r.hit, r.released]), [[2, false]]);
    await assert.rejects(
      followTrace(plan, () => Promise.resolve()),
      /needs pause options for a plan with a lock pause/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
