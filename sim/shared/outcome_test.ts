import { strict as assert } from "node:assert";
import {
  classifyOutcome,
  errorMessage,
  type Outcome,
  OUTCOME_CLASSES,
  type OutcomeClass,
  type ProcessExit,
  SHIM_CONFIG_EXIT_CODE,
} from "./outcome.ts";

/** A process that exited on its own with `exitCode` and `stderr`. */
function exited(exitCode: number, stderr = ""): ProcessExit {
  return { exitCode, signal: null, stderr, crashedByFault: false, timedOut: false };
}

/** stderr as swamp prints an error in JSON mode. */
function jsonError(error: string, extra: Record<string, unknown> = {}): string {
  return `${JSON.stringify({ error, ...extra }, null, 2)}\n`;
}

const LOCK =
  "Could not acquire lock on upstream_extensions.json. Another operation may be in progress. Please retry.";
const PARTIAL =
  "Install partially applied for @fix/alpha — files extracted but the catalog write failed (database is locked). Run `swamp doctor extensions` to inspect, or retry `swamp extension pull @fix/alpha` to reconcile.";
const DUPLICATE =
  'Type "@fix/alpha/main" (kind=model) is already claimed by @fix/alpha@2026.02.01.1 at /r/.swamp/pulled-extensions/@fix/alpha/models/main.ts. Cannot install @fix/clash@2026.01.01.1 at /r/.swamp/pulled-extensions/@fix/clash/models/main.ts — filesystem changes rolled back.';

/** Every case: what the process did, and the outcome swamp's contract implies. */
const CASES: ReadonlyArray<[string, ProcessExit, Outcome]> = [
  ["exit 0", exited(0, "a warning on stderr\n"), { type: "ok", class: "ok" }],
  [
    "rm of an extension that is not installed",
    exited(1, jsonError("Extension @fix/beta is not installed.")),
    {
      type: "fail",
      class: "not-installed",
      message: "Extension @fix/beta is not installed.",
    },
  ],
  [
    "update of an extension that is not installed",
    exited(
      1,
      jsonError(
        "Extension @fix/beta is not installed. Use 'swamp extension pull @fix/beta' to install it.",
      ),
    ),
    {
      type: "fail",
      class: "not-installed",
      message:
        "Extension @fix/beta is not installed. Use 'swamp extension pull @fix/beta' to install it.",
    },
  ],
  [
    "pull of an unknown extension",
    exited(1, jsonError("Extension @fix/nope not found in the registry.")),
    {
      type: "fail",
      class: "not-found",
      message: "Extension @fix/nope not found in the registry.",
    },
  ],
  [
    "pull over existing files",
    exited(1, jsonError("Files already exist. Use --force to overwrite.")),
    {
      type: "fail",
      class: "conflict",
      message: "Files already exist. Use --force to overwrite.",
    },
  ],
  [
    "pull that collided on a type",
    exited(
      1,
      jsonError(DUPLICATE, {
        duplicateType: { kind: "model", type: "@fix/alpha/main", isGhostRow: false },
      }),
    ),
    { type: "fail", class: "duplicate-type", message: DUPLICATE },
  ],
  [
    "raw DuplicateTypeError from the catalog",
    exited(1, 'Duplicate type "@fix/alpha/main" (kind=model): /a and /b\n'),
    {
      type: "fail",
      class: "duplicate-type",
      message: 'Duplicate type "@fix/alpha/main" (kind=model): /a and /b',
    },
  ],
  ["lock retry budget exhausted (exit 1, no code)", exited(1, jsonError(LOCK)), {
    type: "info",
    class: "lock-exhausted",
    message: LOCK,
  }],
  ["catalog failure after the lockfile write", exited(1, jsonError(PARTIAL)), {
    type: "info",
    class: "partial",
    message: PARTIAL,
  }],
  [
    "SQLITE_BUSY from a lifecycle service (exit 1)",
    exited(1, jsonError("database is locked", { stack: "at x" })),
    {
      type: "info",
      class: "busy-exhausted",
      message: "database is locked",
    },
  ],
  [
    "lock_timeout from a loader (exit 75)",
    exited(75, jsonError("database is busy", { code: "lock_timeout" })),
    {
      type: "info",
      class: "busy-exhausted",
      message: "database is busy",
    },
  ],
  ["exit 75 with nothing on stderr", exited(75), {
    type: "info",
    class: "busy-exhausted",
    message: undefined,
  }],
  ["any other error", exited(1, jsonError("Could not connect to http://127.0.0.1:9: refused")), {
    type: "info",
    class: "failed",
    message: "Could not connect to http://127.0.0.1:9: refused",
  }],
  [
    "usage error (exit 2), whatever it says",
    exited(2, 'Error: Unknown command "pul". Extension x is not installed\n'),
    {
      type: "fail",
      class: "usage",
      message: 'Error: Unknown command "pul". Extension x is not installed',
    },
  ],
  [
    "invalid shim config",
    exited(SHIM_CONFIG_EXIT_CODE, "swamp-sim shim: invalid config: rules[0].at\n"),
    {
      type: "fail",
      class: "shim-error",
      message: "swamp-sim shim: invalid config: rules[0].at",
    },
  ],
  ["exit 86 without the shim's words", exited(SHIM_CONFIG_EXIT_CODE, "something else\n"), {
    type: "info",
    class: "failed",
    message: "something else",
  }],
  ["killed by a foreign signal", { ...exited(0), exitCode: null, signal: "SIGTERM" }, {
    type: "info",
    class: "killed",
    message: "signal SIGTERM",
  }],
  ["killed by the shim's crash action", {
    exitCode: null,
    signal: "SIGKILL",
    stderr: "",
    crashedByFault: true,
    timedOut: false,
  }, { type: "info", class: "crashed" }],
  ["killed at its time limit, even while a crash was due", {
    exitCode: null,
    signal: "SIGKILL",
    stderr: LOCK,
    crashedByFault: true,
    timedOut: true,
  }, { type: "info", class: "timeout" }],
];

Deno.test("classifyOutcome() classifies each of swamp's endings", () => {
  for (const [what, exit, expected] of CASES) {
    assert.deepEqual(classifyOutcome(exit), expected, what);
  }
});

Deno.test("classifyOutcome() cases cover every outcome class", () => {
  const seen = new Set<OutcomeClass>(CASES.map(([, exit]) => classifyOutcome(exit).class));
  assert.deepEqual([...OUTCOME_CLASSES].filter((c) => !seen.has(c)), []);
});

Deno.test("classifyOutcome() marks exactly the classes that cannot have had an effect as fail", () => {
  const noEffect = new Set([
    "not-installed",
    "not-found",
    "conflict",
    "duplicate-type",
    "usage",
    "shim-error",
  ]);
  for (const [what, exit] of CASES) {
    const outcome = classifyOutcome(exit);
    if (outcome.type === "ok") continue;
    assert.equal(outcome.type === "fail", noEffect.has(outcome.class), `${what}: ${outcome.class}`);
  }
});

Deno.test("errorMessage() reads the error of a JSON object, else the first line", () => {
  assert.equal(errorMessage(""), undefined);
  assert.equal(errorMessage("  \n"), undefined);
  assert.equal(errorMessage(jsonError("boom", { stack: "at a\nat b" })), "boom");
  assert.equal(errorMessage(`deprecation warning\n${jsonError("boom")}`), "boom");
  assert.equal(
    errorMessage("\nError: Extension @fix/a is not installed.\nmore"),
    "Error: Extension @fix/a is not installed.",
  );
  assert.equal(errorMessage("{ not json at all\nsecond"), "{ not json at all");
  assert.equal(errorMessage('{"error": 42}'), '{"error": 42}');
});
