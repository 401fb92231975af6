import assert from "node:assert/strict";
import { commitText, identifyTarget, targetLabel } from "./target_identity.ts";
import { DEFAULT_PATTERNS } from "../../faults/rule.ts";

const SHA = "06b6147274f251d022cddb3778ea88ee2936f8fb";

Deno.test("targetLabel() names the kind, a mutant, a checkout with its commit and a replaced kind", () => {
  assert.equal(targetLabel({ kind: "reference" }), "reference");
  assert.equal(
    targetLabel({ kind: "reference", mutant: "lock-no-retry" }),
    "reference with mutant lock-no-retry",
  );
  assert.equal(targetLabel({ kind: "command" }), "command");
  assert.equal(
    targetLabel({
      kind: "swamp",
      checkout: "/s",
      commit: { commit: SHA, source: "git", dirty: true },
      replacedKind: "reference",
    }),
    `swamp checkout /s at ${SHA} (git, uncommitted changes) (--swamp replaces the scenario's reference target)`,
  );
  assert.equal(
    targetLabel({
      kind: "swamp",
      checkout: "/s",
      commit: { commit: "unknown", source: "unknown" },
    }),
    "swamp checkout /s at unknown commit",
  );
  assert.equal(commitText({ commit: SHA, source: "build-info.txt" }), `${SHA} (build-info.txt)`);
});

Deno.test("identifyTarget() reads a swamp checkout's commit and keeps the probe's version", async () => {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "swamp-identity-test-" }));
  try {
    await Deno.mkdir(`${dir}/swamp`);
    await Deno.writeTextFile(`${dir}/build-info.txt`, `swamp swamp-club/swamp ${SHA}\n`);
    const identity = await identifyTarget({
      kind: "swamp",
      checkout: `${dir}/swamp`,
      denoFlags: [],
      env: {},
      backend: "preload",
      patterns: DEFAULT_PATTERNS,
    }, { version: "swamp 1.0", replacedKind: "reference", mutant: "ignored-for-swamp" });
    assert.deepEqual(identity, {
      kind: "swamp",
      checkout: `${dir}/swamp`,
      commit: { commit: SHA, source: "build-info.txt" },
      version: "swamp 1.0",
      replacedKind: "reference",
      label:
        `swamp checkout ${dir}/swamp at ${SHA} (build-info.txt) (--swamp replaces the scenario's reference target)`,
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
