/**
 * The test command (`deno task test`): every step runs even when an earlier
 * one failed, each step's output streams as it comes, and a summary at the
 * end says what ran, what failed, what was skipped and why (for example the
 * real-swamp tests without `SWAMP_CHECKOUT`). Exit 0 only when every step
 * passed.
 *
 * Usage: `deno task test [--only step,...] [--json]`
 *
 * @module
 */

import { ensureTools } from "./ensure_tools.ts";

/** One step of the test command. */
export interface Step {
  name: string;
  /** What it checks, for the summary. */
  what: string;
  /** The command, or a function for steps run in this process. */
  argv?: string[];
  run?: () => Promise<{ ok: boolean; detail: string }>;
}

/** What a step did. */
export interface StepResult {
  name: string;
  what: string;
  status: "pass" | "fail";
  durationMs: number;
  /** Counts and the like, one line. */
  detail: string;
  /** Tests the step ignored, with the reason their names give. */
  ignored: string[];
}

/** Counts from a `deno test` run's output, if it printed its final line. */
export interface TestCounts {
  passed: number;
  failed: number;
  ignored: number;
}

/** Reads the counts of `deno test`'s final `ok | N passed | M failed | K ignored` line. */
export function testCounts(output: string): TestCounts | undefined {
  const lines = output.split("\n").filter((l) => /^(ok|FAILED) \| \d+ passed/.test(l.trim()));
  const last = lines.at(-1);
  if (last === undefined) return undefined;
  const count = (word: string) => Number(last.match(new RegExp(`(\\d+) ${word}`))?.[1] ?? 0);
  return { passed: count("passed"), failed: count("failed"), ignored: count("ignored") };
}

/** The names of the tests `deno test` reported as ignored. */
export function ignoredTests(output: string): string[] {
  return output.split("\n")
    .map((l) => l.match(/^(?:\S+ => )?(.+?) \.\.\. ignored/)?.[1])
    .filter((n): n is string => n !== undefined);
}

const deno = Deno.execPath();

/** The steps, in order. */
export const STEPS: readonly Step[] = [
  {
    name: "tools",
    what: "strace and chromium installed (Debian packages)",
    run: async () => {
      const r = await ensureTools();
      if (!r.ok) say(r.output);
      r.lines.forEach((l) => say(`tools: ${l}`));
      return { ok: r.ok, detail: r.lines.map((l) => l.split(" (")[0]).join("; ") };
    },
  },
  { name: "fmt", what: "deno fmt --check", argv: [deno, "fmt", "--check"] },
  { name: "lint", what: "deno lint", argv: [deno, "lint"] },
  { name: "types", what: "deno check .", argv: [deno, "check", "."] },
  {
    name: "unit",
    what: "unit tests beside the code (sim/ faults/ reference/ bench/ .ci/)",
    argv: [
      deno,
      "test",
      "--allow-all",
      "--parallel",
      "sim/",
      "faults/",
      "reference/",
      "bench/",
      ".ci/",
    ],
  },
  {
    name: "integration",
    what: "end-to-end tests (integration/)",
    argv: [deno, "test", "--allow-all", "integration/"],
  },
];

async function pump(
  stream: ReadableStream<Uint8Array>,
  sink: { writeSync(p: Uint8Array): number },
  chunks: string[],
): Promise<void> {
  const decoder = new TextDecoder();
  for await (const chunk of stream) {
    let written = 0;
    while (written < chunk.length) written += sink.writeSync(chunk.subarray(written));
    chunks.push(decoder.decode(chunk, { stream: true }));
  }
}

/** Where human output goes: stdout, or stderr when `--json` owns stdout. */
let human: { writeSync(p: Uint8Array): number } = Deno.stdout;

function say(line: string): void {
  const bytes = new TextEncoder().encode(`${line}\n`);
  let written = 0;
  while (written < bytes.length) written += human.writeSync(bytes.subarray(written));
}

async function runCommand(argv: string[]): Promise<{ ok: boolean; output: string }> {
  const child = new Deno.Command(argv[0], {
    args: argv.slice(1),
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  const chunks: string[] = [];
  await Promise.all([
    pump(child.stdout, human, chunks),
    pump(child.stderr, Deno.stderr, chunks),
  ]);
  const status = await child.status;
  return { ok: status.success, output: chunks.join("") };
}

async function runStep(step: Step): Promise<StepResult> {
  say(`\n=== ${step.name}: ${step.what}`);
  const start = performance.now();
  let ok: boolean;
  let detail = "";
  let ignored: string[] = [];
  if (step.run !== undefined) {
    ({ ok, detail } = await step.run());
  } else {
    const r = await runCommand(step.argv!);
    ok = r.ok;
    const counts = testCounts(r.output);
    if (counts !== undefined) {
      detail = `${counts.passed} passed, ${counts.failed} failed, ${counts.ignored} ignored`;
      ignored = ignoredTests(r.output);
    }
  }
  return {
    name: step.name,
    what: step.what,
    status: ok ? "pass" : "fail",
    durationMs: performance.now() - start,
    detail,
    ignored,
  };
}

/** The summary table printed last. */
export function formatSummary(results: readonly StepResult[], skipped: readonly string[]): string {
  const rows = results.map((r) =>
    `  ${r.name.padEnd(12)} ${r.status.toUpperCase().padEnd(5)} ${
      `${(r.durationMs / 1000).toFixed(0)} s`.padStart(6)
    }  ${r.detail}`.trimEnd()
  );
  const notes = results.flatMap((r) => r.ignored.map((n) => `  not run (${r.name}): ${n}`));
  const failed = results.filter((r) => r.status === "fail").map((r) => r.name);
  return [
    "summary (every step runs even after a failure):",
    ...rows,
    ...skipped.map((s) => `  ${s.padEnd(12)} not run (--only)`),
    ...notes,
    failed.length === 0
      ? `result: PASS (${results.length} step(s))`
      : `result: FAIL (${failed.join(", ")} failed; ${results.length} step(s) ran)`,
  ].join("\n");
}

if (import.meta.main) {
  const args = [...Deno.args];
  const json = args.includes("--json");
  if (json) human = Deno.stderr;
  const onlyAt = args.indexOf("--only");
  const only = onlyAt >= 0 ? (args[onlyAt + 1] ?? "").split(",").filter((s) => s !== "") : [];
  const unknown = only.filter((s) => !STEPS.some((step) => step.name === s));
  if (onlyAt >= 0 && (only.length === 0 || unknown.length > 0)) {
    console.error(
      `test: --only: unknown step(s) "${unknown.join(",")}" (steps: ${
        STEPS.map((s) => s.name).join(", ")
      })`,
    );
    Deno.exit(2);
  }
  const chosen = STEPS.filter((s) => only.length === 0 || only.includes(s.name));
  const skipped = STEPS.filter((s) => !chosen.includes(s)).map((s) => s.name);
  const results: StepResult[] = [];
  for (const step of chosen) results.push(await runStep(step));
  say(`\n${formatSummary(results, skipped)}`);
  if (json) console.log(JSON.stringify({ steps: results, skipped }, null, 2));
  Deno.exit(results.every((r) => r.status === "pass") ? 0 : 1);
}
