import assert from "node:assert/strict";
import { Cleanup } from "./cleanup.ts";
import { denoDir } from "./deno_dir.ts";
import type { ProcessResult } from "./process.ts";
import type { RunContext } from "./target.ts";
import { probeTarget, probeVerdict } from "./target_probe.ts";
import { withSwampTarget } from "../scenario/swamp_target.ts";
import type { ResolvedTarget } from "../scenario/load.ts";
import { DEFAULT_PATTERNS } from "../../faults/rule.ts";

function swampAt(checkout: string): ResolvedTarget {
  return withSwampTarget(
    { kind: "reference", denoFlags: [], env: {}, backend: "preload", patterns: DEFAULT_PATTERNS },
    checkout,
  );
}

function finished(result: Partial<ProcessResult>): ProcessResult {
  return {
    pid: 1,
    invokeMs: 1000,
    completeMs: 3500,
    exitCode: 0,
    signal: null,
    stdout: "",
    stderr: "",
    timedOut: false,
    ...result,
  };
}

Deno.test("probeVerdict() passes an exit 0 with its first output line", () => {
  assert.deepEqual(
    probeVerdict(swampAt("/s"), finished({ stdout: "\n\x1b[1mswamp\x1b[22m 2026.1\nmore\n" }), 10),
    { ok: true, version: "swamp 2026.1", durationMs: 2500 },
  );
});

Deno.test("probeVerdict() refuses in one line naming the checkout, how it ended and what it said", () => {
  const target = swampAt("/s");
  assert.deepEqual(
    probeVerdict(
      target,
      finished({ exitCode: 1, stderr: "error: Module not found\n  at x\n" }),
      10,
    ),
    {
      ok: false,
      problem:
        "swamp checkout /s cannot start: `main.ts --version` exited with code 1: error: Module not found",
    },
  );
  const timedOut = probeVerdict(
    target,
    finished({ exitCode: null, signal: "SIGKILL", timedOut: true }),
    120_000,
  );
  assert.equal(
    !timedOut.ok && timedOut.problem,
    "swamp checkout /s cannot start: `main.ts --version` did not finish within 120 s and printed nothing",
  );
  const long = probeVerdict(target, finished({ exitCode: 2, stdout: "x".repeat(1000) }), 10);
  assert.ok(!long.ok && long.problem.endsWith(`${"x".repeat(300)}...`));
  assert.ok(!long.ok && !long.problem.includes("\n"));
});

/** A stand-in checkout whose main.ts is `source`. */
async function fakeCheckout(source: string): Promise<string> {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "swamp-probe-test-" }));
  await Deno.writeTextFile(`${dir}/main.ts`, source);
  await Deno.writeTextFile(`${dir}/deno.json`, "{}");
  return dir;
}

async function probe(source: string, timeoutMs?: number) {
  const dir = await fakeCheckout(source);
  const cleanup = new Cleanup();
  const context: RunContext = {
    denoPath: Deno.execPath(),
    denoDir: await denoDir(),
    registryUrl: "http://127.0.0.1:0",
    registryPort: 0,
  };
  try {
    return await probeTarget(swampAt(dir), context, cleanup, timeoutMs);
  } finally {
    await cleanup.dispose();
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("probeTarget() starts a checkout with the derived flags and reads its version", async () => {
  // The derived permissions: read of the checkout and the workspace, run, env.
  const result = await probe(
    `Deno.readTextFileSync(new URL("./deno.json", import.meta.url));
     new Deno.Command("true").outputSync();
     if (Deno.env.get("HOME") === undefined) throw new Error("no HOME");
     console.log("swamp " + Deno.args.join(" "));`,
  );
  assert.equal(result.ok && result.version, "swamp --version");
});

Deno.test("probeTarget() refuses a checkout that throws, and one that hangs", async () => {
  const broken = await probe('throw new Error("broken checkout");');
  assert.ok(!broken.ok);
  assert.match(
    broken.problem,
    /cannot start: `main\.ts --version` exited with code 1: .*broken checkout/,
  );
  const hung = await probe("await new Promise(() => setInterval(() => {}, 1000));", 1_500);
  assert.ok(!hung.ok);
  assert.match(hung.problem, /did not finish within 1\.5 s/);
});
