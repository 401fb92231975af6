import assert from "node:assert/strict";
import { testRule } from "../testing.ts";
import { DEFAULT_PATTERNS, type ShimRule } from "../rule.ts";
import { buildStraceCommand, type StraceContext } from "./command.ts";
import { renderStraceTable, STRACE_SUPPORT, UnsupportedRuleError } from "./support.ts";

const CONTEXT: StraceContext = {
  repoDir: "/ws/repo",
  patterns: DEFAULT_PATTERNS,
  tracePath: "/ws/control/p0.strace",
};
const TARGET = ["deno", "run", "-A", "main.ts", "extension", "rm", "@a/b"];
const LOCK = "/ws/repo/extensions/models/upstream_extensions.json.lock";
const WAL = "/ws/repo/.swamp/_extension_catalog.db-wal";
const LOCKFILE = "/ws/repo/extensions/models/upstream_extensions.json";

function unsupported(rules: ShimRule[]): UnsupportedRuleError {
  try {
    buildStraceCommand(TARGET, rules, CONTEXT);
  } catch (error) {
    if (error instanceof UnsupportedRuleError) return error;
    throw error;
  }
  assert.fail(`expected rules ${JSON.stringify(rules)} to be refused`);
}

Deno.test("buildStraceCommand() with no rules traces the lock and the WAL and runs the target", () => {
  const { argv, plan } = buildStraceCommand(TARGET, [], CONTEXT);
  assert.deepEqual(argv, [
    "/usr/bin/strace",
    "-f",
    "--seccomp-bpf",
    "-qq",
    "-o",
    "/ws/control/p0.strace",
    "-ttt",
    "-T",
    "-y",
    "-P",
    LOCK,
    "-P",
    WAL,
    "-e",
    "trace=openat,open,unlink,unlinkat,pwrite64,fsync,fdatasync",
    "--",
    ...TARGET,
  ]);
  assert.equal(plan.walTraced, true);
});

Deno.test("buildStraceCommand() turns each supported rule into one inject expression", () => {
  const cases: Array<[ShimRule, string]> = [
    [
      testRule({ at: "catalog.commit", when: "after", action: { kind: "crash" } }),
      "inject=fsync,fdatasync:signal=SIGKILL:when=1",
    ],
    [
      testRule({
        at: "lock.acquire",
        when: "before",
        action: { kind: "contend", attempts: 3 },
        hit: { every: true },
      }),
      "inject=openat,open:error=EEXIST:when=1+",
    ],
    [
      testRule({ at: "lock.acquire", when: "before", action: { kind: "contend", attempts: 4 } }),
      "inject=openat,open:signal=SIGSTOP:when=1+",
    ],
    [
      testRule({ at: "lockfile.write", when: "after", action: { kind: "crash" } }),
      "inject=unlink,unlinkat:signal=SIGKILL:when=1",
    ],
    [
      testRule({
        at: "lock.release",
        when: "after",
        action: { kind: "delay", delayMs: 250 },
        hit: { every: true },
      }),
      "inject=unlink,unlinkat:delay_exit=250ms:when=1+",
    ],
    [
      testRule({ at: "catalog.commit", when: "before", action: { kind: "error", error: "EIO" } }),
      "inject=pwrite64:error=EIO:when=1",
    ],
    [
      testRule({
        at: "lockfile.write",
        when: "before",
        action: { kind: "error", error: "ENOSPC" },
        hit: { every: true },
      }),
      "inject=write,writev:error=ENOSPC:when=1+",
    ],
    [
      testRule({
        at: "lockfile.write",
        when: "before",
        action: { kind: "error", error: "EIO" },
        hit: { every: true },
      }),
      "inject=write,writev:error=EIO:when=1+",
    ],
    [
      testRule({ at: "lockfile.write", when: "before", action: { kind: "crash" } }),
      "inject=write,writev:signal=SIGKILL:when=1",
    ],
  ];
  for (const [r, expected] of cases) {
    const { argv, plan } = buildStraceCommand(TARGET, [r], CONTEXT);
    const signals = r.action.kind === "crash" || expected.includes("SIGSTOP");
    assert.equal(argv.includes("--seccomp-bpf"), !signals, "no seccomp-bpf to send a signal");
    assert.equal(
      plan.heldLockAttempts,
      expected.includes("SIGSTOP") ? 4 : undefined,
      "only a bounded contend holds the lock",
    );
    const injects = argv.filter((a) => a.startsWith("inject="));
    assert.deepEqual(injects, [expected], `${r.action.kind} ${r.when} ${r.at}`);
    assert.deepEqual(argv.slice(argv.indexOf("--") + 1), TARGET);
  }
});

Deno.test("buildStraceCommand() traces the lockfile's own path and data writes only for a rule on them", () => {
  for (
    const r of [
      testRule({
        at: "lockfile.write",
        when: "before",
        action: { kind: "error", error: "ENOSPC" },
        hit: { every: true },
      }),
      testRule({ at: "lockfile.write", when: "before", action: { kind: "crash" } }),
    ]
  ) {
    const { argv, plan } = buildStraceCommand(TARGET, [r], CONTEXT);
    assert.equal(plan.lockfileTraced, true);
    assert.equal(plan.lockfilePath, LOCKFILE);
    const filters = argv.flatMap((a, i) => argv[i - 1] === "-P" ? [a] : []);
    assert.deepEqual(filters, [LOCK, LOCKFILE, WAL]);
    assert.ok(
      argv.includes("trace=openat,open,unlink,unlinkat,write,writev,pwrite64,fsync,fdatasync"),
      argv.join(" "),
    );
  }
  for (
    const r of [
      testRule({ at: "lockfile.write", when: "after", action: { kind: "crash" } }),
      testRule({ at: "catalog.commit", when: "after", action: { kind: "crash" } }),
    ]
  ) {
    const { argv, plan } = buildStraceCommand(TARGET, [r], CONTEXT);
    assert.equal(plan.lockfileTraced, false);
    assert.ok(!argv.includes(LOCKFILE), `${r.when} ${r.at}`);
    assert.ok(!argv.some((a) => a.includes("write,")), argv.join(" "));
  }
});

Deno.test("buildStraceCommand() stops tracing the WAL when a lock rule tampers with openat", () => {
  const { argv, plan } = buildStraceCommand(TARGET, [
    testRule({ at: "lock.acquire", when: "before", action: { kind: "crash" } }),
  ], CONTEXT);
  assert.equal(plan.walTraced, false);
  assert.ok(!argv.includes(WAL));
});

Deno.test("buildStraceCommand() refuses inexpressible rules naming rule, point, phase, action and why", () => {
  const cases: Array<[ShimRule, RegExp]> = [
    [
      testRule({
        at: "lock.acquire",
        when: "before",
        action: { kind: "contend", attempts: 9 },
        hit: { nth: 2 },
      }),
      /only every or nth: 1 hits are exact for contend: the held lock is taken before the process starts/,
    ],
    [
      testRule({
        at: "lock.acquire",
        when: "before",
        action: { kind: "contend", attempts: 2 },
        hit: { probability: 0.5, seed: 1 },
      }),
      /no per-hit probability/,
    ],
    [
      testRule({ at: "registry.fetch", when: "before", action: { kind: "delay", delayMs: 5 } }),
      /sockets/,
    ],
    [
      testRule({ at: "lockfile.write", when: "before", action: { kind: "delay", delayMs: 5 } }),
      /no syscall marks this phase for this action \(supported at "lockfile\.write": crash before, error before, crash after\)/,
    ],
    [
      testRule({ at: "lockfile.write", when: "before", action: { kind: "error", error: "EIO" } }),
      /only every hits are exact here: strace counts per thread and Deno runs async file calls/,
    ],
    [
      testRule({
        at: "lockfile.write",
        when: "before",
        action: { kind: "error", error: "EACCES" },
        hit: { every: true },
      }),
      /a data write does not fail with "EACCES".*takes EIO or ENOSPC/,
    ],
    [
      testRule({
        at: "lockfile.write",
        when: "before",
        action: { kind: "crash" },
        hit: { nth: 2 },
      }),
      /only nth: 1 or every hits/,
    ],
    [
      testRule({
        at: "catalog.commit",
        when: "before",
        action: { kind: "error", error: "SQLITE_BUSY" },
      }),
      /lock state of SQLite/,
    ],
    [
      testRule({ at: "lock.release", when: "before", action: { kind: "crash" }, hit: { nth: 2 } }),
      /only nth: 1 or every hits/,
    ],
    [
      testRule({ at: "lock.acquire", when: "before", action: { kind: "error", error: "EIO" } }),
      /only every hits/,
    ],
    [
      testRule({
        at: "lock.acquire",
        when: "before",
        action: { kind: "delay", delayMsMin: 1, delayMsMax: 9, seed: 3 },
        hit: { every: true },
      }),
      /delay range/,
    ],
    [
      testRule({
        at: "lock.acquire",
        when: "before",
        action: { kind: "pause", timeoutMs: 10, untilExitOf: [1] },
        hit: { every: true },
      }),
      /no syscall marks/,
    ],
    [
      testRule({
        at: "process.start",
        when: "before",
        action: { kind: "pause", timeoutMs: 10, untilExitOf: [1], release: "any" },
        hit: { nth: 1 },
      }),
      /release "any" is not supported/,
    ],
    [
      testRule({
        at: "catalog.commit",
        when: "after",
        action: { kind: "crash" },
        hit: { probability: 0.5, seed: 1 },
      }),
      /probability/,
    ],
  ];
  for (const [r, reason] of cases) {
    const error = unsupported([{ ...r, id: "faults[4]" }]);
    assert.match(error.reason, reason, error.message);
    assert.deepEqual(
      [error.ruleId, error.point, error.phase, error.action],
      ["faults[4]", r.at, r.when, r.action.kind],
    );
    assert.ok(
      error.message.startsWith(
        `Cannot express rule "faults[4]" (${r.action.kind} ${r.when} ${r.at}) with strace: `,
      ),
      error.message,
    );
  }
});

Deno.test("buildStraceCommand() refuses two rules on one syscall, and lock with catalog rules", () => {
  const both = unsupported([
    testRule({ at: "lock.release", when: "before", action: { kind: "crash" } }),
    {
      ...testRule({ at: "lockfile.write", when: "after", action: { kind: "crash" } }),
      id: "faults[1]",
    },
  ]);
  assert.equal(both.ruleId, "faults[1]");
  assert.match(both.reason, /"faults\[0\]" already tampers with unlink/);
  const mixed = unsupported([
    testRule({ at: "lock.acquire", when: "before", action: { kind: "crash" } }),
    {
      ...testRule({ at: "catalog.commit", when: "after", action: { kind: "crash" } }),
      id: "faults[1]",
    },
  ]);
  assert.match(mixed.reason, /separate processes/);
  const lockfileWrite = {
    ...testRule({
      at: "lockfile.write",
      when: "before",
      action: { kind: "error", error: "ENOSPC" },
      hit: { every: true },
    }),
    id: "faults[1]",
  };
  for (
    const other of [
      testRule({ at: "lock.acquire", when: "before", action: { kind: "crash" } }),
      testRule({ at: "lockfile.write", when: "after", action: { kind: "crash" } }),
      testRule({ at: "catalog.commit", when: "before", action: { kind: "error", error: "EIO" } }),
    ]
  ) {
    for (const rules of [[other, lockfileWrite], [lockfileWrite, other]]) {
      const refused = unsupported(rules);
      assert.equal(refused.ruleId, "faults[1]", "the lockfile-write rule is named");
      assert.match(refused.reason, /on the lockfile's data write need separate processes/);
    }
  }
  const twice = unsupported([
    testRule({ at: "lockfile.write", when: "before", action: { kind: "crash" } }),
    lockfileWrite,
  ]);
  assert.match(twice.reason, /"faults\[0\]" already tampers with write on the lockfile file/);
});

Deno.test("STRACE_SUPPORT lists each (point, phase, action, hits) once, and each is accepted", () => {
  const keys = STRACE_SUPPORT.flatMap((m) =>
    m.hits.map((h) => `${m.point} ${m.phase} ${m.action} ${h}`)
  );
  assert.equal(new Set(keys).size, keys.length);
  for (const m of STRACE_SUPPORT) {
    const action = m.action === "error"
      ? { kind: "error" as const, error: "EIO" as const }
      : m.action === "delay"
      ? { kind: "delay" as const, delayMs: 5 }
      : m.action === "contend"
      ? { kind: "contend" as const, attempts: 1 }
      : m.action === "pause"
      ? { kind: "pause" as const, timeoutMs: 100, untilExitOf: [1] }
      : { kind: "crash" as const };
    const hit = m.hits.includes("every") ? { every: true as const } : { nth: 1 };
    const r = testRule({ at: m.point, when: m.phase, action, hit });
    const { plan } = buildStraceCommand(TARGET, [r], CONTEXT);
    assert.equal(plan.rules[0].mapping, m, `${m.point} ${m.phase} ${m.action}`);
  }
});

/** Table rows with cells trimmed (the formatter pads them). */
function tableRows(markdown: string): string[] {
  return markdown.split("\n").filter((l) => l.startsWith("|")).map((l) =>
    l.split("|").map((c) => c.trim().replace(/^-+$/, "---")).join("|")
  );
}

Deno.test("renderStraceTable() is the table in README.md", async () => {
  const readme = await Deno.readTextFile(new URL("./README.md", import.meta.url));
  assert.deepEqual(tableRows(readme), tableRows(renderStraceTable()));
});

Deno.test("buildStraceCommand() leaves a pause at process.start to the simulator: no inject, a start pause", () => {
  const pause = testRule({
    at: "process.start",
    when: "before",
    action: { kind: "pause", timeoutMs: 100, untilExitOf: [1] },
  });
  const { argv, plan } = buildStraceCommand(TARGET, [pause], CONTEXT);
  assert.deepEqual(plan.startPause, pause);
  assert.ok(!argv.some((a) => a.startsWith("inject=")), argv.join(" "));
  assert.ok(argv.includes("--seccomp-bpf"));
  const other = testRule({
    at: "process.start",
    when: "before",
    action: { kind: "delay", delayMs: 5 },
  });
  assert.throws(
    () => buildStraceCommand(TARGET, [other], CONTEXT),
    (error) =>
      error instanceof UnsupportedRuleError &&
      /no syscall of the target's own start/.test(error.reason),
  );
});
