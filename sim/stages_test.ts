import assert from "node:assert/strict";

/**
 * The stages of sim/, in flow order. A module may import its own stage, an
 * earlier one, `faults/` and `reference/mutants.ts`; tests may import anything.
 */
const STAGES = ["shared", "scenario", "record", "run", "check", "report", "drive", "cli"] as const;

type Stage = typeof STAGES[number];

/**
 * Earlier stages a stage still may not import: checking is pure, it reads
 * what the run recorded (`record/`), never the runner.
 */
const BARRED: Partial<Record<Stage, readonly Stage[]>> = { check: ["run"] };

/** Folders under sim/ that hold no modules of a stage. */
const NOT_STAGES = ["testdata"];

const ROOT = new URL("../", import.meta.url);

/** `import ... from "x"`, `export ... from "x"` and `import "x"`, each at a line start. */
const STATIC_IMPORT =
  /^[ \t]*(?:(?:import|export)\b[\w\s{},*$]*?\bfrom|import)\s*["']([^"']+)["']/gm;
/** `import("x")` with a literal specifier. */
const DYNAMIC_IMPORT = /\bimport\(\s*["']([^"']+)["']\s*\)/g;

/** The specifiers a module imports. */
function importsOf(source: string): string[] {
  return [...source.matchAll(STATIC_IMPORT), ...source.matchAll(DYNAMIC_IMPORT)].map((m) => m[1]);
}

function isTest(path: string): boolean {
  return path.endsWith("_test.ts");
}

/** Test support (`_fixtures.ts`): imported by tests only, so it may import anything. */
function isTestSupport(path: string): boolean {
  return path.slice(path.lastIndexOf("/") + 1).startsWith("_");
}

function stageOf(path: string): Stage | undefined {
  const [top, folder] = path.split("/");
  return top === "sim" && (STAGES as readonly string[]).includes(folder)
    ? folder as Stage
    : undefined;
}

/**
 * What is wrong with the imports of `path` (repo-relative), one sentence
 * each; empty when every import keeps to the stage order and {@link BARRED}.
 */
function stageProblems(path: string, source: string): string[] {
  if (isTest(path)) return [];
  const stage = stageOf(path);
  if (stage === undefined) return [`${path} is not in a stage folder (${STAGES.join(", ")})`];
  const problems: string[] = [];
  for (const specifier of importsOf(source)) {
    if (!specifier.startsWith(".")) continue;
    const target = new URL(specifier, `file:///${path}`).pathname.slice(1);
    if (isTestSupport(target) && !isTestSupport(path)) {
      problems.push(`${path} imports ${target}, which is test support`);
      continue;
    }
    if (isTestSupport(path)) continue;
    if (target.startsWith("faults/") || target === "reference/mutants.ts") continue;
    const targetStage = stageOf(target);
    if (targetStage === undefined) {
      problems.push(`${path} imports ${target}, outside sim/'s stages, faults/ and mutants`);
    } else if (STAGES.indexOf(targetStage) > STAGES.indexOf(stage)) {
      problems.push(`${path} (stage ${stage}) imports ${target} of the later stage ${targetStage}`);
    } else if (BARRED[stage]?.includes(targetStage)) {
      problems.push(
        `${path} (stage ${stage}) imports ${target} of the barred stage ${targetStage}`,
      );
    }
  }
  return problems;
}

async function modulesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const entry of Deno.readDir(new URL(dir, ROOT))) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory && !(dir === "sim" && NOT_STAGES.includes(entry.name))) {
      out.push(...await modulesUnder(path));
    } else if (entry.isFile && path.endsWith(".ts")) {
      out.push(path);
    }
  }
  return out.sort();
}

Deno.test("sim/ modules import only their own or an earlier stage (check not run/), faults/ or reference/mutants.ts", async () => {
  const modules = await modulesUnder("sim");
  assert.ok(modules.length > 50, `found only ${modules.length} modules under sim/`);
  const problems: string[] = [];
  for (const path of modules) {
    problems.push(...stageProblems(path, await Deno.readTextFile(new URL(path, ROOT))));
  }
  assert.deepEqual(problems, []);
});

Deno.test("sim/ holds exactly the stage folders and testdata", async () => {
  const folders: string[] = [];
  for await (const entry of Deno.readDir(new URL("sim", ROOT))) {
    if (entry.isDirectory) folders.push(entry.name);
  }
  assert.deepEqual(folders.sort(), [...STAGES, ...NOT_STAGES].sort());
});

Deno.test("stageProblems() names an import of a later or barred stage, and passes earlier ones", () => {
  assert.deepEqual(
    stageProblems("sim/report/x.ts", 'import type { Snapshot } from "../record/snapshot.ts";\n'),
    [],
  );
  assert.deepEqual(
    stageProblems("sim/check/x.ts", 'import { runIteration } from "../run/runner.ts";\n'),
    ["sim/check/x.ts (stage check) imports sim/run/runner.ts of the barred stage run"],
  );
  assert.deepEqual(
    stageProblems("sim/run/x.ts", 'import {\n  checkIteration,\n} from "../check/iteration.ts";\n'),
    ["sim/run/x.ts (stage run) imports sim/check/iteration.ts of the later stage check"],
  );
  assert.deepEqual(
    stageProblems("sim/record/x.ts", 'export type { Plan } from "../scenario/plan.ts";\n'),
    [],
  );
  assert.deepEqual(stageProblems("sim/shared/x.ts", 'import "../cli/main.ts";\n'), [
    "sim/shared/x.ts (stage shared) imports sim/cli/main.ts of the later stage cli",
  ]);
  assert.deepEqual(
    stageProblems("sim/drive/x.ts", 'const m = await import("../cli/cli_args.ts");\n'),
    ["sim/drive/x.ts (stage drive) imports sim/cli/cli_args.ts of the later stage cli"],
  );
});

Deno.test("stageProblems() allows faults/ and mutants, refuses the rest of reference/ and test support", () => {
  const source = [
    'import { POINTS } from "../../faults/vocabulary.ts";',
    'import { MUTANT_NAMES } from "../../reference/mutants.ts";',
    'import { REFERENCE } from "../../reference/main.ts";',
    'import { ALPHA } from "../check/invariants/_fixtures.ts";',
    'import { z } from "zod";',
  ].join("\n");
  assert.deepEqual(stageProblems("sim/scenario/x.ts", source), [
    "sim/scenario/x.ts imports reference/main.ts, outside sim/'s stages, faults/ and mutants",
    "sim/scenario/x.ts imports sim/check/invariants/_fixtures.ts, which is test support",
  ]);
  assert.deepEqual(
    stageProblems("sim/check/invariants/_fixtures.ts", 'import "../../drive/simulate.ts";'),
    [],
  );
  assert.deepEqual(stageProblems("sim/check/x_test.ts", 'import "../cli/main.ts";'), []);
  assert.deepEqual(stageProblems("sim/helpers.ts", ""), [
    "sim/helpers.ts is not in a stage folder (shared, scenario, record, run, check, report, drive, cli)",
  ]);
});

Deno.test("importsOf() reads static, multi-line, re-export and dynamic imports, not comments", () => {
  const source = [
    "/**",
    ' * import { x } from "./in_a_comment.ts";',
    " */",
    'import type { A } from "./a.ts";',
    "import {",
    "  b,",
    "  type C,",
    '} from "./b.ts";',
    'export * from "./c.ts";',
    'export { d } from "./d.ts";',
    'import "./e.ts";',
    'const f = await import("./f.ts");',
    'const text = "not from here";',
  ].join("\n");
  assert.deepEqual(importsOf(source), [
    "./a.ts",
    "./b.ts",
    "./c.ts",
    "./d.ts",
    "./e.ts",
    "./f.ts",
  ]);
});
