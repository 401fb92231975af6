/**
 * The scenario format: a zod schema that validates scenario files and
 * generates `scenarios/schema.json` for editors. Cross-field rules that zod
 * cannot express (an action allowed at a point, a process index in range)
 * live in `scenario.ts`.
 *
 * @module
 */

import { z } from "zod";
import { ACTION_KINDS, ERROR_CODES, LIMITS, PHASES, POINTS } from "../../faults/vocabulary.ts";
import { PAUSE_RELEASES } from "../../faults/rule.ts";
import { EXPLORE_DEFAULTS, EXPLORE_LIMITS } from "./explore.ts";
import { CALVER_PATTERN, EXTENSION_NAME_PATTERN } from "./fixture.ts";
import { INVARIANT_IDS } from "../shared/invariant_ids.ts";
import { OUTCOME_CLASSES } from "../shared/outcome.ts";

/** Hard limits every scenario is checked against at load. */
export const SCENARIO_LIMITS = {
  processesMax: 200,
  iterationsMax: 10_000,
  processTimeoutMsMax: 600_000,
  runTimeoutMsMax: 24 * 60 * 60 * 1000,
  startOffsetMsMax: 60_000,
  faultsMax: 256,
  recoveryStepsMax: 64,
  registryExtensionsMax: 500,
  witnessesMax: 64,
} as const;

const NAME = EXTENSION_NAME_PATTERN;
const CALVER = CALVER_PATTERN;

const extensionName = z.string().regex(NAME, {
  error: "must be a scoped extension name like @scope/name",
});
const extensionRef = z.string().refine((value) => {
  const at = value.indexOf("@", 1);
  const name = at === -1 ? value : value.slice(0, at);
  const version = at === -1 ? undefined : value.slice(at + 1);
  return NAME.test(name) && (version === undefined || version.length > 0);
}, { error: "must be an extension ref like @scope/name or @scope/name@2026.01.01.1" });
const calver = z.string().regex(CALVER, { error: "must be a CalVer version like 2026.01.01.1" });
const msInt = (max: number) => z.int().min(0).max(max);

const opShapes = {
  pull: {
    op: z.literal("pull"),
    ref: extensionRef.describe("Extension to pull, optionally pinned: @scope/name[@version]"),
    force: z.boolean().optional().describe("Pass --force (overwrite existing files)"),
  },
  rm: { op: z.literal("rm"), name: extensionName },
  update: {
    op: z.literal("update"),
    name: extensionName.optional().describe("Update only this extension (default: all)"),
  },
  list: { op: z.literal("list") },
  doctor: {
    op: z.literal("doctor"),
    repair: z.boolean().optional().describe("Pass --repair"),
    dryRun: z.boolean().optional().describe("Pass --dry-run"),
  },
} as const;

const OP_ERROR = 'must name an op: "pull", "rm", "update", "list" or "doctor"';

function opUnion<E extends z.core.$ZodLooseShape>(extra: E) {
  return z.discriminatedUnion("op", [
    z.strictObject({ ...opShapes.pull, ...extra }),
    z.strictObject({ ...opShapes.rm, ...extra }),
    z.strictObject({ ...opShapes.update, ...extra }),
    z.strictObject({ ...opShapes.list, ...extra }),
    z.strictObject({ ...opShapes.doctor, ...extra }),
  ], { error: OP_ERROR });
}

/** One op a target process runs: swamp's command words with their arguments. */
export const opSchema = opUnion({});

/** One process of an explicit workload: an op and its start offset. */
const processSchema = opUnion({
  startMs: msInt(SCENARIO_LIMITS.startOffsetMsMax).optional()
    .describe("Start offset from the iteration's t0, in ms (added to any jitter)"),
});

const weightedOpSchema = opUnion({
  weight: z.int().min(1).max(1_000).optional().describe("Relative weight (default 1)"),
});

const rangeMs = z.strictObject({
  min: msInt(SCENARIO_LIMITS.startOffsetMsMax),
  max: msInt(SCENARIO_LIMITS.startOffsetMsMax),
});

const workloadSchema = z.strictObject({
  processes: z.array(processSchema).min(1).max(SCENARIO_LIMITS.processesMax).optional()
    .describe("Explicit processes, in index order"),
  count: z.int().min(1).max(SCENARIO_LIMITS.processesMax).optional()
    .describe("Number of processes drawn from `mix`"),
  mix: z.array(weightedOpSchema).min(1).max(64).optional()
    .describe("Ops to draw `count` processes from, by weight, with the seeded stream"),
  startJitterMs: rangeMs.optional().describe("Seeded start jitter per process, in ms"),
});

const pointSchema = z.enum(POINTS, {
  error: (issue) => `unknown point ${JSON.stringify(issue.input)} (known: ${POINTS.join(", ")})`,
});

const actionSchema = z.union([
  z.literal("crash"),
  z.strictObject({ kind: z.literal("delay"), delayMs: msInt(LIMITS.delayMsMax) }),
  z.strictObject({
    kind: z.literal("delay"),
    delayMsMin: msInt(LIMITS.delayMsMax),
    delayMsMax: msInt(LIMITS.delayMsMax),
  }),
  z.strictObject({ kind: z.literal("crash") }),
  z.strictObject({ kind: z.literal("error"), error: z.enum(ERROR_CODES) }),
  z.strictObject({
    kind: z.literal("contend"),
    attempts: z.int().min(1).max(LIMITS.contendAttemptsMax),
  }),
  z.strictObject({
    kind: z.literal("pause"),
    timeoutMs: z.int().min(1).max(LIMITS.pauseTimeoutMsMax),
    untilExitOf: z.array(z.int().min(0)).optional()
      .describe("Release once these processes exited"),
    untilEvents: z.array(z.strictObject({
      process: z.int().min(0),
      at: pointSchema,
      when: z.enum(PHASES).optional(),
      hit: z.int().min(1).max(LIMITS.hitNthMax).optional(),
    })).optional().describe(
      "Release once these processes reached these points (hit defaults to 1)",
    ),
    release: z.enum(PAUSE_RELEASES).optional().describe(
      "all (default): release once every condition holds; any: once one of them does; " +
        "timeout: as all, and the timeout is the intended release (justify it in the header; " +
        "the pause then derives no witness)",
    ),
  }),
], {
  error: `must be "crash" or an object with kind ${ACTION_KINDS.map((k) => `"${k}"`).join(", ")}`,
});

const hitSchema = z.union([
  z.int().min(1).max(LIMITS.hitNthMax),
  z.literal("every"),
  z.strictObject({ nth: z.int().min(1).max(LIMITS.hitNthMax) }),
  z.strictObject({ every: z.literal(true) }),
  z.strictObject({ probability: z.number().min(0).max(1) }),
], { error: 'must be a hit number, "every", {nth}, {every: true} or {probability}' });

/** A fault rule as written in a scenario. */
export const faultSchema = z.strictObject({
  at: pointSchema.describe("The point this rule watches"),
  when: z.enum(PHASES).optional().describe("before (default) or after the step"),
  action: actionSchema,
  hit: hitSchema.optional().describe("Which hits fire (default: the first)"),
  processes: z.array(z.int().min(0)).optional().describe("Only these process indices"),
  ops: z.array(z.enum(["pull", "rm", "update", "list", "doctor"])).optional()
    .describe("Only processes running these ops"),
  iterations: z.array(z.int().min(0)).optional().describe("Only these iterations"),
});

/**
 * A witness: an event predicate that must show in every iteration, or the
 * iteration is vacuous (its race did not happen). See `check/witness.ts`.
 */
export const witnessSchema = z.strictObject({
  process: z.int().min(0).describe("The run process whose events are counted"),
  at: pointSchema.describe("The point"),
  when: z.enum(PHASES).optional().describe("before (default) or after the step"),
  threw: z.boolean().optional().describe(
    "after only: count only steps that threw (true) or returned (false)",
  ),
  hit: z.int().min(1).max(LIMITS.hitNthMax).optional().describe("Count only this hit number"),
  atLeast: z.int().min(0).max(LIMITS.hitNthMax).optional()
    .describe("Fewest matching events (default 1)"),
  atMost: z.int().min(0).max(LIMITS.hitNthMax).optional().describe("Most matching events"),
  shows: z.string().min(1).max(200).optional()
    .describe('What the events show, in words (e.g. "p1 meets a held lock")'),
});

const fixtureVersionSchema = z.strictObject({
  version: calver,
  models: z.record(z.string(), z.string()).optional(),
  vaults: z.record(z.string(), z.string()).optional(),
  datastores: z.record(z.string(), z.string()).optional(),
  reports: z.record(z.string(), z.string()).optional(),
  files: z.record(z.string(), z.string()).optional(),
  invalidModels: z.array(z.string()).optional(),
  dependencies: z.array(z.string()).optional(),
  publishChecksum: z.boolean().optional(),
});

const fixtureSchema = z.strictObject({
  registry: z.array(z.strictObject({
    name: extensionName,
    description: z.string().optional(),
    versions: z.array(fixtureVersionSchema).min(1),
  })).max(SCENARIO_LIMITS.registryExtensionsMax).describe("What the loopback registry serves"),
  installed: z.array(extensionRef).optional()
    .describe("Refs pulled, in order, through the target before the run"),
  populate: z.boolean().optional()
    .describe("Run `extension list` after set-up so the catalog is populated (default true)"),
});

const targetSchema = z.strictObject({
  kind: z.enum(["reference", "deno", "command", "swamp"]).optional()
    .describe(
      "reference (default): the embedded target; deno: an entry module; command: any argv; " +
        "swamp: a swamp checkout run from source",
    ),
  mutant: z.string().optional().describe("Reference only: a named mutant"),
  entry: z.string().optional().describe("deno: the entry module, relative to the scenario file"),
  config: z.string().optional().describe(
    "deno: a deno.json for the entry, relative to the scenario file",
  ),
  denoFlags: z.array(z.string()).optional().describe("deno, swamp: extra flags before the entry"),
  checkout: z.string().min(1).optional().describe(
    "swamp: the checkout dir (main.ts, deno.json), relative to the scenario file",
  ),
  argv: z.array(z.string()).min(1).optional().describe("command: the argv that runs swamp"),
  env: z.record(z.string(), z.string()).optional().describe("Extra environment for every process"),
  backend: z.enum(["preload", "strace", "none"]).optional()
    .describe("Shim backend (default: preload for deno targets, strace for commands)"),
  registryUrlEnv: z.string().min(1).optional()
    .describe("The env var that carries the registry URL (default SWAMP_CLUB_URL)"),
  patterns: z.strictObject({
    lockfile: z.string().min(1).optional(),
    lock: z.string().min(1).optional(),
    catalog: z.string().min(1).optional(),
    extractDir: z.string().min(1).optional(),
  }).optional().describe("How the shim recognises points (defaults: swamp's layout)"),
});

const recoveryStepSchema = z.union([
  z.literal("retry-info"),
  z.literal("remove-stale-lock"),
  opSchema,
], { error: 'must be "retry-info", "remove-stale-lock" or an op' });

const invariantExpectation = z.enum(["hold", "may-fail", "must-fail"]);
const layerValue = z.string().min(1).describe('"absent", "present" or a version');
const stateSchema = z.strictObject({
  files: layerValue.optional(),
  lockfile: layerValue.optional(),
  catalog: layerValue.optional(),
});

const phaseExpectSchema = z.strictObject({
  outcomes: z.partialRecord(
    z.enum(["pull", "rm", "update", "list", "doctor"]),
    z.array(z.enum(OUTCOME_CLASSES)).min(1),
  ).optional().describe(
    "Allowed outcome classes per op kind of this phase's ops (default: ok; rm may also be not-installed)",
  ),
  invariants: z.partialRecord(z.enum(INVARIANT_IDS), invariantExpectation).optional()
    .describe("Per invariant: hold (default), may-fail or must-fail"),
  states: z.record(extensionName, z.array(stateSchema).min(1)).optional()
    .describe("Per extension: the layer states allowed (any one must match)"),
});

const expectSchema = z.strictObject({
  afterRun: phaseExpectSchema.optional(),
  afterRecovery: phaseExpectSchema.optional(),
  typeConflict: z.boolean().optional()
    .describe("The fixture has a genuine type conflict (default: derived from the fixture)"),
});

const sweepSchema = z.strictObject({
  ops: z.array(opSchema).min(1).max(16).describe("The ops to sweep, one process each"),
  points: z.array(pointSchema).min(1).optional().describe("Points to crash at (default: all)"),
  phases: z.array(z.enum(PHASES)).min(1).optional().describe("Phases (default: both)"),
  action: actionSchema.optional().describe("Action at each point (default: crash)"),
});

const exploreSchema = z.strictObject({
  depth: z.int().min(EXPLORE_LIMITS.depthMin).max(EXPLORE_LIMITS.depthMax).optional()
    .describe(
      `PCT bug depth d: d - 1 priority change points per schedule (default ${EXPLORE_DEFAULTS.depth})`,
    ),
  crash: z.boolean().optional()
    .describe(
      "One drawn step of one process becomes a crash, followed by the recovery (default false)",
    ),
  pauseTimeoutMs: z.int().min(100).max(LIMITS.pauseTimeoutMsMax).optional()
    .describe(
      `Timeout of each pause of a schedule, a safety net (default ${EXPLORE_DEFAULTS.pauseTimeoutMs})`,
    ),
  coverageTarget: z.number().min(0).max(1).optional()
    .describe("Stop once this fraction of the coverage pairs was exercised"),
});

const limitsSchema = z.strictObject({
  processTimeoutMs: z.int().min(100).max(SCENARIO_LIMITS.processTimeoutMsMax).optional(),
  runTimeoutMs: z.int().min(1_000).max(SCENARIO_LIMITS.runTimeoutMsMax).optional(),
});

/** The whole scenario file. */
export const scenarioSchema = z.strictObject({
  $schema: z.string().optional(),
  name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, { error: "must be kebab-case" }),
  proves: z.string().min(1).describe("What the scenario proves, in a sentence or two"),
  deterministic: z.boolean().optional()
    .describe(
      "false: the scenario samples schedules on purpose (unpinned races), so --repeat reports distinct histories instead of failing",
    ),
  exploratory: z.boolean().optional()
    .describe("Not tied to a claim in design/extension.md; explores behaviour"),
  seed: z.int().min(0).max(0xffff_ffff),
  iterations: z.int().min(1).max(SCENARIO_LIMITS.iterationsMax).optional(),
  target: targetSchema.optional(),
  fixture: fixtureSchema,
  workload: workloadSchema.optional(),
  sweep: sweepSchema.optional(),
  faults: z.array(faultSchema).max(SCENARIO_LIMITS.faultsMax).optional(),
  recovery: z.array(recoveryStepSchema).max(SCENARIO_LIMITS.recoveryStepsMax).optional(),
  explore: exploreSchema.optional().describe(
    "Explore schedules: each iteration draws one (PCT-style) over the processes' steps, as pauses",
  ),
  witnesses: z.array(witnessSchema).max(SCENARIO_LIMITS.witnessesMax).optional().describe(
    "Events that must show in every iteration (the race happened), or the iteration is vacuous",
  ),
  expect: expectSchema.optional(),
  limits: limitsSchema.optional(),
});

/** A scenario file as parsed, before defaults and cross-field checks. */
export type ScenarioInput = z.infer<typeof scenarioSchema>;
/** One op with its arguments. */
export type OpSpec = z.infer<typeof opSchema>;
/** A fault as written. */
export type FaultInput = z.infer<typeof faultSchema>;
/** A witness as written. */
export type WitnessInput = z.infer<typeof witnessSchema>;
/** A recovery step as written. */
export type RecoveryStep = z.infer<typeof recoveryStepSchema>;
/** Expected layer state of one extension. */
export type LayerStateExpectation = z.infer<typeof stateSchema>;
/** Expectations of one phase. */
export type PhaseExpectation = z.infer<typeof phaseExpectSchema>;
/** The `explore:` block as written. */
export type ExploreInput = z.infer<typeof exploreSchema>;

/** The JSON Schema of the scenario format, for editors. */
export function scenarioJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(scenarioSchema, { io: "input", target: "draft-07" }) as Record<
    string,
    unknown
  >;
  return { ...schema, title: "swamp-sim scenario" };
}
