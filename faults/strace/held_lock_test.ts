import assert from "node:assert/strict";
import { DEFAULT_PATTERNS } from "../rule.ts";
import { testRule } from "../testing.ts";
import { planStrace } from "./command.ts";
import { HeldLockError, runWithHeldLock, TraceFollower } from "./held_lock.ts";

const LOCK = "/r/extensions/models/upstream_extensions.json.lock";
const OPEN = `openat(AT_FDCWD</w>, "${LOCK}", O_WRONLY|O_CREAT|O_EXCL|O_CLOEXEC, 0666)`;
const STOPPED = "--- stopped by SIGSTOP ---";

Deno.test("TraceFollower counts lock attempts and reports the attempting thread's stop", () => {
  const follower = new TraceFollower(LOCK);
  const trace = [
    `21 10.000000 ${OPEN} = -1 EEXIST (File exists) <0.000020>`,
    `21 10.000100 --- SIGSTOP {si_signo=SIGSTOP, si_code=SI_KERNEL} ---`,
    `20 10.000150 ${STOPPED}`, // another thread of the group stops first
    `21 10.000200 ${STOPPED}`,
    `22 10.100000 openat(AT_FDCWD</w>, "/r/other", O_RDONLY|O_CLOEXEC) = 5 <0.000010>`,
    `22 10.100050 ${STOPPED}`, // not after a lock attempt
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
  assert.deepEqual(stops, [{ attempt: 1, tid: 21 }, { attempt: 2, tid: 23 }]);
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

Deno.test("runWithHeldLock() without a bounded contend runs as is and leaves the lock alone", async () => {
  const { dir, plan } = await tempPlan(undefined);
  try {
    const seen = await runWithHeldLock(plan, async () => {
      return await Deno.stat(plan.lockPath).then(() => "held", () => "free");
    }, { acquireTimeoutMs: 100 });
    assert.equal(seen, "free");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("runWithHeldLock() holds the lock while the process runs and removes it when it fails", async () => {
  const { dir, plan } = await tempPlan(3);
  try {
    let seen = "";
    await assert.rejects(
      runWithHeldLock(plan, async () => {
        seen = await Deno.stat(plan.lockPath).then(() => "held", () => "free");
        throw new Error("target could not start");
      }, { acquireTimeoutMs: 100 }),
      /target could not start/,
    );
    assert.equal(seen, "held");
    await assert.rejects(Deno.stat(plan.lockPath), Deno.errors.NotFound);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("runWithHeldLock() waits for another holder, then gives up without running", async () => {
  const { dir, plan } = await tempPlan(3);
  try {
    await Deno.mkdir(plan.lockPath.slice(0, plan.lockPath.lastIndexOf("/")), { recursive: true });
    await Deno.writeTextFile(plan.lockPath, "");
    let ran = false;
    const startMs = performance.now();
    await assert.rejects(
      runWithHeldLock(plan, () => {
        ran = true;
        return Promise.resolve();
      }, { acquireTimeoutMs: 60 }),
      (error) =>
        error instanceof HeldLockError && /another process held it for 60 ms/.test(error.message),
    );
    assert.ok(performance.now() - startMs >= 60, "it waited");
    assert.equal(ran, false);
    assert.equal(
      await Deno.readTextFile(plan.lockPath),
      "",
      "the other holder's lock is untouched",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
