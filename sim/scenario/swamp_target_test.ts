import assert from "node:assert/strict";
import { swampTargetFields, withSwampTarget } from "./swamp_target.ts";
import { parseScenario, type ResolvedTarget } from "./load.ts";
import { DEFAULT_PATTERNS } from "../../faults/rule.ts";

const SCENARIO = `name: t
proves: A swamp target loads.
seed: 1
fixture:
  registry:
    - name: "@fix/alpha"
      versions:
        - version: 2026.01.01.1
workload:
  processes:
    - { op: pull, ref: "@fix/alpha" }
`;

Deno.test("swampTargetFields() derives entry, config and the flags swamp needs", () => {
  assert.deepEqual(swampTargetFields("/src/swamp"), {
    entry: "/src/swamp/main.ts",
    config: "/src/swamp/deno.json",
    denoFlags: ["--unstable-bundle", "--allow-run", "--allow-read=/src/swamp"],
  });
  assert.deepEqual(swampTargetFields("/src/swamp//"), swampTargetFields("/src/swamp"));
  assert.equal(swampTargetFields("/").entry, "/main.ts");
  assert.throws(() => swampTargetFields("swamp"), /absolute checkout dir/);
});

Deno.test("withSwampTarget() drops the kind's own fields and keeps backend, env and patterns", () => {
  const patterns = { ...DEFAULT_PATTERNS, lock: "x.lock" };
  const reference: ResolvedTarget = {
    kind: "reference",
    mutant: "lock-no-retry",
    denoFlags: [],
    env: { A: "1" },
    backend: "strace",
    patterns,
  };
  assert.deepEqual(withSwampTarget(reference, "/src/swamp/"), {
    kind: "swamp",
    checkout: "/src/swamp",
    ...swampTargetFields("/src/swamp"),
    env: { A: "1" },
    backend: "strace",
    patterns,
  });
  const command: ResolvedTarget = {
    kind: "command",
    argv: ["/bin/swamp"],
    denoFlags: ["--quiet"],
    env: {},
    backend: "strace",
    patterns: DEFAULT_PATTERNS,
  };
  const swamp = withSwampTarget(command, "/s");
  assert.equal(swamp.argv, undefined);
  assert.deepEqual(swamp.denoFlags, swampTargetFields("/s").denoFlags);
});

Deno.test("parseScenario() resolves a swamp checkout against the scenario's dir and appends denoFlags", () => {
  const scenario = parseScenario(
    `${SCENARIO}target:\n  kind: swamp\n  checkout: ../swamp\n  denoFlags: [--v8-flags=--max-old-space-size=512]\n  env: { DENO_DIR: /cache }\n`,
    "t.yaml",
    "/work/scenarios/t.yaml",
  );
  assert.deepEqual(scenario.target, {
    kind: "swamp",
    checkout: "/work/swamp",
    entry: "/work/swamp/main.ts",
    config: "/work/swamp/deno.json",
    denoFlags: [
      "--unstable-bundle",
      "--allow-run",
      "--allow-read=/work/swamp",
      "--v8-flags=--max-old-space-size=512",
    ],
    env: { DENO_DIR: "/cache" },
    backend: "preload",
    patterns: DEFAULT_PATTERNS,
  });
});
