import assert from "node:assert/strict";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { loadScenario, parseScenario } from "./load.ts";
import { renderSchema, SCHEMA_PATH, schemaGenMain, schemaIsCurrent } from "../cli/schema_gen.ts";
import {
  faultSchema,
  opSchema,
  SCENARIO_LIMITS,
  scenarioJsonSchema,
  scenarioSchema,
} from "./schema.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const BAD_DIR = `${ROOT}sim/testdata/bad-scenarios/`;

/** The draft-07 keywords the generated schema uses; any other keyword fails the check. */
const KEYWORDS = new Set([
  "$schema",
  "title",
  "description",
  "type",
  "const",
  "enum",
  "anyOf",
  "oneOf",
  "properties",
  "required",
  "additionalProperties",
  "propertyNames",
  "items",
  "minItems",
  "maxItems",
  "minimum",
  "maximum",
  "minLength",
  "maxLength",
  "pattern",
]);

type JsonSchema = boolean | Record<string, unknown>;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function typeMatches(type: string, value: unknown): boolean {
  switch (type) {
    case "object":
      return isRecord(value);
    case "array":
      return Array.isArray(value);
    case "integer":
      return Number.isInteger(value);
    case "number":
      return typeof value === "number" && Number.isFinite(value);
    case "null":
      return value === null;
    case "string":
      return typeof value === "string";
    case "boolean":
      return typeof value === "boolean";
    default:
      throw new Error(`The validator does not know the type "${type}"`);
  }
}

/**
 * Validates `value` against the subset of JSON Schema draft-07 that
 * {@link KEYWORDS} lists; returns one line per violation.
 */
function validateJson(schema: JsonSchema, value: unknown, path = "$"): string[] {
  if (schema === true) return [];
  if (schema === false) return [`${path}: not allowed`];
  for (const keyword of Object.keys(schema)) {
    assert.ok(KEYWORDS.has(keyword), `the validator does not know the keyword "${keyword}"`);
  }
  const errors: string[] = [];
  const s = schema as Record<string, unknown>;
  if (s.type !== undefined) {
    const types = Array.isArray(s.type) ? s.type as string[] : [s.type as string];
    if (!types.some((t) => typeMatches(t, value))) {
      return [`${path}: expected ${types.join(" or ")}, got ${JSON.stringify(value)}`];
    }
  }
  if ("const" in s && JSON.stringify(s.const) !== JSON.stringify(value)) {
    errors.push(`${path}: expected ${JSON.stringify(s.const)}`);
  }
  if (Array.isArray(s.enum) && !s.enum.some((e) => JSON.stringify(e) === JSON.stringify(value))) {
    errors.push(`${path}: ${JSON.stringify(value)} is not one of ${JSON.stringify(s.enum)}`);
  }
  for (const [keyword, exact] of [["anyOf", false], ["oneOf", true]] as const) {
    const branches = s[keyword];
    if (!Array.isArray(branches)) continue;
    const passing = branches.filter((b) => validateJson(b as JsonSchema, value, path).length === 0);
    if (passing.length === 0 || (exact && passing.length > 1)) {
      errors.push(`${path}: ${passing.length} of the ${keyword} branches match`);
    }
  }
  if (isRecord(value)) {
    const properties = isRecord(s.properties) ? s.properties : {};
    for (const name of (s.required as string[] | undefined) ?? []) {
      if (!(name in value)) errors.push(`${path}.${name}: required`);
    }
    for (const [name, item] of Object.entries(value)) {
      if (s.propertyNames !== undefined) {
        errors.push(...validateJson(s.propertyNames as JsonSchema, name, `${path}[key ${name}]`));
      }
      if (name in properties) {
        errors.push(...validateJson(properties[name] as JsonSchema, item, `${path}.${name}`));
      } else if (s.additionalProperties !== undefined) {
        errors.push(
          ...validateJson(s.additionalProperties as JsonSchema, item, `${path}.${name}`),
        );
      }
    }
  }
  if (Array.isArray(value)) {
    if (typeof s.minItems === "number" && value.length < s.minItems) {
      errors.push(`${path}: fewer than ${s.minItems} items`);
    }
    if (typeof s.maxItems === "number" && value.length > s.maxItems) {
      errors.push(`${path}: more than ${s.maxItems} items`);
    }
    if (s.items !== undefined) {
      value.forEach((item, i) => {
        errors.push(...validateJson(s.items as JsonSchema, item, `${path}[${i}]`));
      });
    }
  }
  if (typeof value === "string") {
    if (typeof s.minLength === "number" && [...value].length < s.minLength) {
      errors.push(`${path}: shorter than ${s.minLength}`);
    }
    if (typeof s.maxLength === "number" && [...value].length > s.maxLength) {
      errors.push(`${path}: longer than ${s.maxLength}`);
    }
    if (typeof s.pattern === "string" && !new RegExp(s.pattern, "u").test(value)) {
      errors.push(`${path}: does not match ${s.pattern}`);
    }
  }
  if (typeof value === "number") {
    if (typeof s.minimum === "number" && value < s.minimum) {
      errors.push(`${path}: below ${s.minimum}`);
    }
    if (typeof s.maximum === "number" && value > s.maximum) {
      errors.push(`${path}: above ${s.maximum}`);
    }
  }
  return errors;
}

async function yamlFile(path: string): Promise<unknown> {
  return parseYaml(await Deno.readTextFile(path));
}

/** A scenario using most of the format, valid for both the loader and the JSON schema. */
const RICH = {
  $schema: "./schema.json",
  name: "rich",
  proves: "Everything the format offers validates.",
  exploratory: true,
  seed: 4294967295,
  target: {
    kind: "deno",
    entry: "../swamp/main.ts",
    config: "../swamp/deno.json",
    denoFlags: ["--unstable-bundle"],
    env: { A: "1" },
    backend: "preload",
    registryUrlEnv: "REGISTRY",
    patterns: { lock: "x.lock" },
  },
  fixture: {
    registry: [{
      name: "@fix/alpha",
      description: "Alpha",
      versions: [{
        version: "2026.01.01.1",
        models: { "main.ts": "@fix/alpha/main" },
        vaults: { "v.ts": "@fix/vault" },
        files: { "README.md": "hi" },
        invalidModels: ["main.ts"],
        dependencies: ["@fix/beta@2026.01.01.1"],
        publishChecksum: false,
      }],
    }],
    installed: ["@fix/alpha@2026.01.01.1"],
    populate: false,
  },
  workload: {
    count: 3,
    mix: [{ op: "pull", ref: "@fix/alpha", force: true, weight: 2 }, { op: "update" }],
    startJitterMs: { min: 0, max: 10 },
  },
  faults: [
    { at: "lock.acquire", action: "crash", hit: 2, processes: [0], ops: ["pull"] },
    { at: "lock.acquire", action: { kind: "contend", attempts: 3 }, hit: { nth: 1 } },
    { at: "catalog.commit", when: "after", action: { kind: "error", error: "SQLITE_BUSY" } },
    { at: "fs.extract", action: { kind: "delay", delayMsMin: 1, delayMsMax: 2 }, hit: "every" },
    { at: "process.start", action: { kind: "pause", timeoutMs: 10, untilExitOf: [1] } },
    { at: "registry.fetch", action: { kind: "delay", delayMs: 3 }, hit: { probability: 0.5 } },
  ],
  recovery: ["remove-stale-lock", "retry-info", { op: "doctor", repair: true, dryRun: false }],
  expect: {
    afterRun: {
      outcomes: { pull: ["ok", "crashed"] },
      invariants: { "catalog-integrity": "may-fail" },
      states: { "@fix/alpha": [{ files: "present", lockfile: "2026.01.01.1" }] },
    },
    afterRecovery: { invariants: { "lockfile-well-formed": "must-fail" } },
    typeConflict: false,
  },
  limits: { processTimeoutMs: 1000, runTimeoutMs: 5000 },
};

Deno.test("scenarios/schema.json equals the schema generated from the zod schema", async () => {
  const committed = await Deno.readTextFile(SCHEMA_PATH);
  assert.equal(committed, renderSchema(), "run `deno task schema` and commit the result");
  assert.equal(await schemaIsCurrent(), true);
  assert.ok(committed.endsWith("}\n"));
  assert.deepEqual(JSON.parse(committed), scenarioJsonSchema());
});

Deno.test("schemaGenMain() writes the schema and --check tells a stale file from a current one", async () => {
  const dir = await Deno.makeTempDir({ prefix: "schema-gen-test-" });
  try {
    const path = `${dir}/schema.json`;
    const lines: string[] = [];
    const options = { path, log: (line: string) => lines.push(line) };
    assert.equal(await schemaGenMain(["--check"], options), 1, "a missing file is stale");
    assert.equal(await schemaGenMain([], options), 0);
    assert.equal(await Deno.readTextFile(path), renderSchema());
    assert.equal(await schemaGenMain(["--check"], options), 0);
    await Deno.writeTextFile(path, renderSchema().replace("\n}\n", "}\n"));
    assert.equal(await schemaGenMain(["--check"], options), 1);
    assert.equal(await schemaGenMain(["--chek"], options), 2);
    assert.deepEqual(lines, [
      `error: ${path} is out of date: run \`deno task schema\` and commit the result`,
      `wrote ${path}`,
      `error: ${path} is out of date: run \`deno task schema\` and commit the result`,
      'error: Unknown argument "--chek" (usage: schema_gen.ts [--check])',
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("scenarioJsonSchema() lists every top-level field and forbids any other", () => {
  const schema = scenarioJsonSchema();
  assert.equal(schema.additionalProperties, false);
  assert.equal(schema.type, "object");
  assert.equal(schema.title, "swamp-sim scenario");
  assert.deepEqual(
    Object.keys(schema.properties as Record<string, unknown>).sort(),
    Object.keys(scenarioSchema.shape).sort(),
  );
  assert.deepEqual(schema.required, ["name", "proves", "seed", "fixture"]);
});

Deno.test("scenarioJsonSchema() forbids unknown fields in every nested object", () => {
  const open: string[] = [];
  let objects = 0;
  const walk = (node: unknown, path: string): void => {
    if (Array.isArray(node)) return node.forEach((n, i) => walk(n, `${path}[${i}]`));
    if (!isRecord(node)) return;
    if (isRecord(node.properties)) {
      objects++;
      if (node.additionalProperties !== false) open.push(path);
    }
    for (const [key, child] of Object.entries(node)) walk(child, `${path}/${key}`);
  };
  walk(scenarioJsonSchema(), "#");
  assert.ok(objects > 30, `expected many object schemas, found ${objects}`);
  assert.deepEqual(open, []);
});

Deno.test("scenarios/smoke.yaml validates against scenarios/schema.json", async () => {
  const schema = JSON.parse(await Deno.readTextFile(SCHEMA_PATH)) as JsonSchema;
  assert.deepEqual(validateJson(schema, await yamlFile(`${ROOT}scenarios/smoke.yaml`)), []);
});

Deno.test("every scenario in scenarios/ validates against the JSON schema and loads", async () => {
  const schema = JSON.parse(await Deno.readTextFile(SCHEMA_PATH)) as JsonSchema;
  const names: string[] = [];
  for await (const entry of Deno.readDir(`${ROOT}scenarios`)) {
    if (entry.isFile && entry.name.endsWith(".yaml")) names.push(entry.name);
  }
  assert.ok(names.includes("smoke.yaml"));
  for (const name of names.sort()) {
    const path = `${ROOT}scenarios/${name}`;
    assert.deepEqual(validateJson(schema, await yamlFile(path)), [], name);
    await loadScenario(path);
  }
});

Deno.test("a scenario using most of the format passes the zod schema, the JSON schema and the loader", () => {
  const parsed = scenarioSchema.safeParse(RICH);
  assert.ok(parsed.success, JSON.stringify(parsed.error?.issues));
  assert.deepEqual(validateJson(scenarioJsonSchema(), RICH), []);
  const scenario = parseScenario(stringifyYaml(RICH), "rich.yaml", "/s/rich.yaml");
  assert.equal(scenario.faults.length, RICH.faults.length);
});

Deno.test("the JSON schema rejects what the zod schema rejects", async () => {
  const schema = scenarioJsonSchema();
  for (
    const name of [
      "unknown-top-field",
      "unknown-target-field",
      "unknown-fault-field",
      "unknown-action-field",
      "unknown-point",
      "unknown-phase",
      "unknown-action-kind",
      "delay-above-limit",
      "probability-above-one",
      "seed-string",
      "seed-out-of-range",
      "iterations-zero",
      "processes-above-limit",
      "missing-name",
      "missing-fixture",
      "bad-calver",
      "unknown-invariant",
      "unknown-outcome-class",
      "invalid-recovery-step",
    ]
  ) {
    const data = await yamlFile(`${BAD_DIR}${name}.yaml`);
    assert.equal(scenarioSchema.safeParse(data).success, false, `${name}: zod accepts it`);
    assert.notDeepEqual(validateJson(schema, data), [], `${name}: the JSON schema accepts it`);
  }
});

Deno.test("validateJson() checks each keyword it knows", () => {
  assert.deepEqual(validateJson({ type: "integer", minimum: 1, maximum: 3 }, 2), []);
  assert.equal(validateJson({ type: "integer" }, 1.5).length, 1);
  assert.equal(validateJson({ minimum: 1 }, 0).length, 1);
  assert.equal(validateJson({ maximum: 1 }, 2).length, 1);
  assert.equal(validateJson({ enum: ["a"] }, "b").length, 1);
  assert.equal(validateJson({ const: "a" }, "b").length, 1);
  assert.equal(validateJson({ pattern: "^a" }, "ba").length, 1);
  assert.equal(validateJson({ minLength: 2 }, "a").length, 1);
  assert.equal(validateJson({ maxLength: 1 }, "ab").length, 1);
  assert.equal(validateJson({ minItems: 1 }, []).length, 1);
  assert.equal(validateJson({ maxItems: 1 }, [1, 2]).length, 1);
  assert.equal(validateJson({ items: { type: "string" } }, ["a", 1]).length, 1);
  assert.equal(validateJson({ required: ["a"] }, {}).length, 1);
  assert.equal(validateJson({ properties: {}, additionalProperties: false }, { a: 1 }).length, 1);
  assert.equal(validateJson({ propertyNames: { pattern: "^@" } }, { a: 1 }).length, 1);
  assert.equal(validateJson({ anyOf: [{ type: "string" }, { type: "integer" }] }, true).length, 1);
  assert.equal(validateJson({ oneOf: [{ type: "integer" }, { type: "number" }] }, 1).length, 1);
  assert.throws(() => validateJson({ format: "uri" }, "x"), /does not know the keyword "format"/);
});

Deno.test("opSchema accepts each op with its arguments and rejects strays", () => {
  for (
    const op of [
      { op: "pull", ref: "@fix/a" },
      { op: "pull", ref: "@fix/a@2026.01.01.1", force: true },
      { op: "rm", name: "@fix/a/sub" },
      { op: "update" },
      { op: "update", name: "@fix/a" },
      { op: "list" },
      { op: "doctor", repair: true, dryRun: true },
    ]
  ) {
    assert.ok(opSchema.safeParse(op).success, JSON.stringify(op));
  }
  for (
    const op of [
      { op: "pull" },
      { op: "pull", ref: "@fix/a@" },
      { op: "pull", ref: "fix/a" },
      { op: "rm", name: "@fix/a@2026.01.01.1" },
      { op: "list", force: true },
      { op: "init" },
    ]
  ) {
    assert.equal(opSchema.safeParse(op).success, false, JSON.stringify(op));
  }
});

Deno.test("faultSchema applies the vocabulary's limits", () => {
  const ok = (fault: unknown) => faultSchema.safeParse(fault).success;
  assert.ok(ok({ at: "lock.acquire", action: { kind: "delay", delayMs: 60_000 } }));
  assert.ok(!ok({ at: "lock.acquire", action: { kind: "delay", delayMs: 60_001 } }));
  assert.ok(ok({ at: "lock.acquire", action: { kind: "contend", attempts: 1_000 } }));
  assert.ok(!ok({ at: "lock.acquire", action: { kind: "contend", attempts: 0 } }));
  assert.ok(ok({ at: "lock.acquire", action: { kind: "pause", timeoutMs: 120_000 } }));
  assert.ok(!ok({ at: "lock.acquire", action: { kind: "pause", timeoutMs: 0 } }));
  assert.ok(ok({ at: "lock.acquire", action: "crash", hit: 1_000_000 }));
  assert.ok(!ok({ at: "lock.acquire", action: "crash", hit: 0 }));
  assert.ok(!ok({ at: "lock.acquire", action: "crash", hit: { every: false } }));
  assert.ok(!ok({ at: "lock.acquire", action: "crash", hit: { probability: -0.1 } }));
  assert.ok(!ok({ at: "lock.acquire", action: "crash", processes: [-1] }));
});

Deno.test("scenarioSchema enforces SCENARIO_LIMITS", () => {
  const base = {
    name: "t",
    proves: "x",
    seed: 0,
    fixture: { registry: [] },
    workload: { count: 1, mix: [{ op: "list" }] },
  };
  const ok = (extra: Record<string, unknown>) =>
    scenarioSchema.safeParse({ ...base, ...extra }).success;
  assert.ok(ok({}));
  const fault = { at: "lock.acquire", action: "crash" };
  assert.ok(ok({ faults: Array(SCENARIO_LIMITS.faultsMax).fill(fault) }));
  assert.ok(!ok({ faults: Array(SCENARIO_LIMITS.faultsMax + 1).fill(fault) }));
  assert.ok(ok({ recovery: Array(SCENARIO_LIMITS.recoveryStepsMax).fill("retry-info") }));
  assert.ok(!ok({ recovery: Array(SCENARIO_LIMITS.recoveryStepsMax + 1).fill("retry-info") }));
  assert.ok(!ok({ limits: { processTimeoutMs: SCENARIO_LIMITS.processTimeoutMsMax + 1 } }));
  assert.ok(!ok({ limits: { runTimeoutMs: SCENARIO_LIMITS.runTimeoutMsMax + 1 } }));
  const jitter = SCENARIO_LIMITS.startOffsetMsMax;
  assert.ok(ok({ workload: { ...base.workload, startJitterMs: { min: 0, max: jitter } } }));
  assert.ok(!ok({ workload: { ...base.workload, startJitterMs: { min: 0, max: jitter + 1 } } }));
  assert.ok(!ok({ seed: -1 }));
  assert.ok(!ok({ name: "Not-Kebab" }));
  assert.ok(!ok({ proves: "" }));
});
