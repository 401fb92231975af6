/**
 * The simulator leaves no process and no temp dir behind: after success,
 * after a target hang, and after SIGINT or SIGTERM in the middle of a run.
 * Each case runs the real CLI with a private TMPDIR and then inspects that
 * TMPDIR and /proc.
 */

import assert from "node:assert/strict";
import { EXIT } from "../sim/shared/exit_codes.ts";

const ROOT = new URL("..", import.meta.url).pathname;

/** Pids of live processes whose command line mentions `needle`. */
async function processesMentioning(needle: string): Promise<number[]> {
  const pids: number[] = [];
  for await (const entry of Deno.readDir("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    let cmdline = "";
    try {
      cmdline = (await Deno.readTextFile(`/proc/${entry.name}/cmdline`)).replaceAll("\0", " ");
    } catch {
      continue;
    }
    if (cmdline.includes(needle) && Number(entry.name) !== Deno.pid) pids.push(Number(entry.name));
  }
  return pids;
}

async function workspaces(tmp: string): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(tmp)) {
    if (e.name.startsWith("swamp-sim-") && e.name !== "swamp-sim-reports") out.push(e.name);
  }
  return out;
}

async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
}

function simCommand(tmp: string, scenario: string): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${ROOT}sim/cli/main.ts`, `${ROOT}integration/testdata/${scenario}`],
    env: { TMPDIR: tmp },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

const INTERRUPTS = [
  ["SIGINT", "slow.yaml"],
  ["SIGTERM", "slow.yaml"],
  // The last iteration, every process spawned: the run unwinds without an exception.
  ["SIGINT", "slow-one.yaml"],
] as const;

for (const [signal, scenario] of INTERRUPTS) {
  Deno.test(`simulate() leaves no process and no temp dir after ${signal} mid-run (${scenario})`, async () => {
    const tmp = await Deno.makeTempDir({ prefix: "sim-cleanup-" });
    try {
      const child = simCommand(tmp, scenario);
      // Wait until the workload's processes are alive (they sleep 20 s at start).
      await waitFor(
        "target processes",
        async () => (await processesMentioning(`${tmp}/swamp-sim-slow`)).length >= 3,
        30_000,
      );
      assert.equal((await workspaces(tmp)).length, 1);
      child.kill(signal);
      const out = await child.output();
      const stdout = new TextDecoder().decode(out.stdout);
      assert.equal(out.code, signal === "SIGINT" ? EXIT.sigint : EXIT.sigterm, stdout);
      assert.match(stdout, new RegExp(`interrupted by ${signal}`));
      // The simulator killed the processes: the iteration is not judged, nothing blames the target.
      assert.match(stdout, /during iteration \d+, which is not judged/);
      assert.match(stdout, /result: INTERRUPTED \(\d+ of \d+ iteration\(s\) judged/);
      assert.doesNotMatch(stdout, /reproduce with/);
      assert.doesNotMatch(stdout, /misbehaved|ended killed| killed,/);
      assert.deepEqual(
        await processesMentioning(tmp),
        [],
        "target processes survived the simulator",
      );
      assert.deepEqual(await workspaces(tmp), [], "a workspace survived the simulator");
    } finally {
      await Deno.remove(tmp, { recursive: true });
    }
  });
}

Deno.test("simulate() kills a hung target at its time limit, records a time-out and cleans up", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "sim-cleanup-" });
  try {
    const out = await simCommand(tmp, "hang.yaml").output();
    const stdout = new TextDecoder().decode(out.stdout);
    assert.equal(out.code, EXIT.target, stdout);
    assert.match(stdout, /p0 list ended timeout/);
    assert.match(
      stdout,
      /reproduce with: (deno|npx --yes deno@[\d.]+) task sim \S+hang\.yaml --seed 7 --iteration 0/,
    );
    assert.deepEqual(await processesMentioning(tmp), []);
    assert.deepEqual(await workspaces(tmp), []);
    const history = JSON.parse(
      await Deno.readTextFile(`${tmp}/swamp-sim-reports/hang-seed-7/iteration-0/history.json`),
    ) as {
      ops: Array<
        { phase: string; process: number; outcome: { class: string }; signal: string | null }
      >;
    };
    const hung = history.ops.find((o) => o.phase === "run" && o.process === 0);
    assert.equal(hung?.outcome.class, "timeout");
    assert.equal(hung?.signal, "SIGKILL");
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("simulate() removes its workspaces after a passing run", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "sim-cleanup-" });
  try {
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        `${ROOT}sim/cli/main.ts`,
        `${ROOT}scenarios/smoke.yaml`,
        "--iterations",
        "1",
      ],
      env: { TMPDIR: tmp },
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(out.code, EXIT.pass, new TextDecoder().decode(out.stdout));
    assert.deepEqual(await workspaces(tmp), []);
    assert.deepEqual(await processesMentioning(tmp), []);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});
