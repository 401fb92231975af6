import assert from "node:assert/strict";
import { parseDeterminismArgs } from "./determinism_main.ts";

Deno.test("parseDeterminismArgs() reads --repeat and --json and refuses anything else", () => {
  assert.deepEqual(parseDeterminismArgs([]), { json: false, repeat: 3 });
  assert.deepEqual(parseDeterminismArgs(["--repeat", "5", "--json"]), { json: true, repeat: 5 });
  assert.deepEqual(parseDeterminismArgs(["--repeat"]), {
    problem: '--repeat needs an integer from 2 to 20, got ""',
  });
  assert.deepEqual(parseDeterminismArgs(["--repeat", "1"]), {
    problem: '--repeat needs an integer from 2 to 20, got "1"',
  });
  assert.match(
    (parseDeterminismArgs(["--repat", "3"]) as { problem: string }).problem,
    /unknown argument "--repat"/,
  );
});
