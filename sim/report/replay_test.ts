import assert from "node:assert/strict";
import type { Scenario } from "../scenario/load.ts";
import { parseScenario } from "../scenario/load.ts";
import { replayCommand, replayLine, shellWord, taskLauncher } from "./replay.ts";

function envOf(vars: Record<string, string>) {
  return { get: (name: string) => vars[name] };
}

Deno.test("taskLauncher() gives the npx form when run through npx, even with deno on its PATH", () => {
  const onPath = () => true;
  assert.equal(
    taskLauncher(envOf({ npm_lifecycle_event: "npx", PATH: "/npx/bin" }), "2.9.6", onPath),
    "npx --yes deno@2.9.6",
  );
  assert.equal(
    taskLauncher(envOf({ npm_command: "exec" }), "2.9.6", onPath),
    "npx --yes deno@2.9.6",
  );
});

Deno.test("taskLauncher() gives plain deno only when deno is on the PATH", () => {
  const seen: string[] = [];
  const onPath = (path: string) => {
    seen.push(path);
    return path.includes("/usr/local/bin");
  };
  assert.equal(taskLauncher(envOf({ PATH: "/usr/local/bin:/bin" }), "2.9.6", onPath), "deno");
  assert.equal(taskLauncher(envOf({ PATH: "/bin" }), "2.9.6", onPath), "npx --yes deno@2.9.6");
  assert.equal(taskLauncher(envOf({}), "2.9.6", onPath), "npx --yes deno@2.9.6");
  assert.deepEqual(seen, ["/usr/local/bin:/bin", "/bin", ""]);
});

Deno.test("replayCommand() pastes as is: launcher, quoted file, seed, iteration and run options", () => {
  const text = `name: my-s
proves: p
seed: 3
fixture: { registry: [{ name: "@fix/a", versions: [{ version: 2026.01.01.1 }] }] }
workload: { processes: [{ op: list }] }
`;
  const scenario = parseScenario(text, "dir with space/my-s.yaml", "/x/dir with space/my-s.yaml");
  assert.equal(
    replayCommand(scenario, {
      seed: 9,
      iteration: 4,
      iterations: 60,
      mutant: "lock-no-retry",
      launcher: "npx --yes deno@2.9.6",
    }),
    "npx --yes deno@2.9.6 task sim 'dir with space/my-s.yaml' --seed 9 --iteration 4 --iterations 60 --mutant lock-no-retry",
  );
  assert.equal(shellWord("it's"), `'it'\\''s'`);
});

Deno.test("replayCommand() carries --swamp, quoting a checkout that is not one plain word", () => {
  const scenario = { file: "scenarios/x.yaml" } as Scenario;
  assert.equal(
    replayCommand(scenario, { seed: 3, iteration: 1, swamp: "/src/swamp", launcher: "deno" }),
    "deno task sim scenarios/x.yaml --seed 3 --iteration 1 --swamp /src/swamp",
  );
  assert.equal(
    replayCommand(scenario, { seed: 3, iteration: 0, swamp: "/it's here", launcher: "deno" }),
    "deno task sim scenarios/x.yaml --seed 3 --iteration 0 --swamp '/it'\\''s here'",
  );
});

Deno.test("replayLine() warns that a sampling scenario may not reproduce, before the command", () => {
  assert.equal(replayLine("deno task sim a.yaml", true), "reproduce with: deno task sim a.yaml");
  const sampled = replayLine("deno task sim a.yaml", false);
  assert.equal(
    sampled,
    "reproduce with (samples schedules: may not reproduce): deno task sim a.yaml",
  );
  assert.ok(sampled.endsWith(": deno task sim a.yaml"), "the command after the colon pastes");
});
