import assert from "node:assert/strict";
import { formatSummary, ignoredTests, STEPS, testCounts } from "./test.ts";

Deno.test("testCounts() reads deno test's final line, passing or failing", () => {
  assert.deepEqual(testCounts("x ... ok\n\nok | 250 passed (18 steps) | 0 failed (8s)\n"), {
    passed: 250,
    failed: 0,
    ignored: 0,
  });
  assert.deepEqual(
    testCounts("FAILED | 30 passed | 1 failed | 2 ignored (3m1s)\n\nerror: Test failed\n"),
    { passed: 30, failed: 1, ignored: 2 },
  );
  assert.equal(testCounts("error: Module not found"), undefined);
});

Deno.test("ignoredTests() lists the names deno test reported as ignored", () => {
  const out = [
    "./integration/real_swamp_test.ts => real swamp (SWAMP_CHECKOUT not set) ... ignored (0ms)",
    "other test ... ok (3ms)",
    "plain name ... ignored (0ms)",
  ].join("\n");
  assert.deepEqual(ignoredTests(out), ["real swamp (SWAMP_CHECKOUT not set)", "plain name"]);
});

Deno.test("formatSummary() names failed steps, steps left out and tests not run", () => {
  const text = formatSummary([
    { name: "fmt", what: "", status: "pass", durationMs: 1000, detail: "", ignored: [] },
    {
      name: "unit",
      what: "",
      status: "fail",
      durationMs: 61_000,
      detail: "10 passed, 1 failed, 1 ignored",
      ignored: ["needs X (X not set)"],
    },
  ], ["integration"]);
  assert.match(text, /unit +FAIL +61 s +10 passed, 1 failed, 1 ignored/);
  assert.match(text, /integration +not run \(--only\)/);
  assert.match(text, /not run \(unit\): needs X \(X not set\)/);
  assert.match(text, /result: FAIL \(unit failed; 2 step\(s\) ran\)/);
});

Deno.test("STEPS run the checks and both test folders, in that order", () => {
  assert.deepEqual(STEPS.map((s) => s.name), [
    "tools",
    "fmt",
    "lint",
    "types",
    "unit",
    "integration",
  ]);
});
