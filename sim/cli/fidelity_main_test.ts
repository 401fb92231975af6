import assert from "node:assert/strict";
import { parseFidelityArgs } from "./fidelity_main.ts";

Deno.test("parseFidelityArgs() reads --swamp, --only, --update and --json", () => {
  assert.deepEqual(parseFidelityArgs(["--swamp", "../swamp"]), { swamp: "../swamp", json: false });
  assert.deepEqual(parseFidelityArgs(["--swamp=/s", "--json", "--only", "a.yaml, b"]), {
    swamp: "/s",
    json: true,
    only: ["a", "b"],
  });
  assert.deepEqual(parseFidelityArgs(["--swamp", "/s", "--only", "a", "--update", "f.json"]), {
    swamp: "/s",
    json: false,
    only: ["a"],
    update: "f.json",
  });
});

Deno.test("parseFidelityArgs() says what is wrong with a bad command line", () => {
  const problem = (argv: string[]) => {
    const parsed = parseFidelityArgs(argv);
    return "problem" in parsed ? parsed.problem : undefined;
  };
  assert.equal(problem([]), "--swamp <checkout> is required");
  assert.equal(problem(["--swamp"]), "--swamp needs a checkout dir");
  assert.equal(problem(["--swamp", "--json"]), "--swamp needs a checkout dir");
  assert.equal(problem(["--swamp", "s", "--only", ","]), "--only needs scenario names");
  assert.equal(problem(["--swamp", "s", "--update"]), "--update needs a record file");
  assert.equal(problem(["--swamp", "s", "--mutant", "m"]), 'unknown argument "--mutant"');
  assert.equal(problem(["--swamp", "s", "--json=1"]), 'unknown argument "--json=1"');
});
