import assert from "node:assert/strict";
import { Cleanup } from "./cleanup.ts";
import { runProcess } from "./process.ts";
import { descendantsOf, killProcessTree, parentOf } from "./process_tree.ts";

/** Whether `pid` is still a process that runs (a zombie has ended). */
function alive(pid: number): boolean {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}

/** A safety net for waits on the OS: long, so only a real failure reaches it. */
const WAIT_MS = 30_000;

async function gone(pid: number, waitMs: number): Promise<boolean> {
  const deadline = performance.now() + waitMs;
  while (alive(pid) && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return !alive(pid);
}

Deno.test("parentOf() reads the parent pid past a command name with spaces and parentheses", () => {
  assert.equal(parentOf("4242 (deno (x) y) S 17 4242 4242 0 -1 4194560"), 17);
  assert.equal(parentOf("garbage"), undefined);
});

Deno.test("descendantsOf() finds children and grandchildren", async () => {
  const child = new Deno.Command("sh", {
    args: ["-c", "sh -c 'sleep 30' & sleep 30"],
    stdout: "null",
    stderr: "null",
  }).spawn();
  try {
    let tree: number[] = [];
    const deadline = performance.now() + WAIT_MS;
    while (tree.length < 3 && performance.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      tree = descendantsOf(child.pid);
    }
    assert.equal(tree.length, 3, `sh, its sleep and the inner sleep: ${tree}`);
    assert.ok(!tree.includes(child.pid));
  } finally {
    killProcessTree(child.pid);
    await child.status;
  }
});

Deno.test("runProcess() kills the whole tree at its time limit, not only the child", async () => {
  const cleanup = new Cleanup();
  try {
    // The shell must start its grandchild before the limit kills it: on a loaded machine
    // it may not, so the limit grows until the shell got that far.
    let grandchild = 0;
    for (const limitMs of [300, 1_000, 3_000, 10_000, 30_000]) {
      const result = await runProcess(cleanup, {
        command: "sh",
        // The grandchild does not hold the output pipes: only a tree kill ends it.
        args: ["-c", "sleep 60 >/dev/null 2>&1 & echo $!; wait"],
        env: { PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin" },
        cwd: "/",
      }, limitMs);
      assert.equal(result.timedOut, true);
      grandchild = Number(result.stdout.trim());
      if (grandchild > 0) break;
    }
    assert.ok(grandchild > 0, "the shell never started its grandchild");
    assert.ok(await gone(grandchild, WAIT_MS), `sleep ${grandchild} outlived its parent's timeout`);
  } finally {
    await cleanup.dispose();
  }
});
