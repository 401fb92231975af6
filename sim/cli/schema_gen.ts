/**
 * Writes `scenarios/schema.json`, the JSON Schema editors use for scenario
 * files, from the zod schema in `scenario_schema.ts`. With `--check` it
 * writes nothing and exits 1 when the committed file is out of date.
 *
 * ```sh
 * deno task schema          # regenerate
 * deno task schema --check  # CI: fail when stale
 * ```
 *
 * @module
 */

import { scenarioJsonSchema } from "../scenario/schema.ts";

/** Where the generated schema lives, next to the scenarios that reference it. */
export const SCHEMA_PATH: string = new URL("../../scenarios/schema.json", import.meta.url).pathname;

/** The schema file's exact text: 2-space JSON with a trailing newline. */
export function renderSchema(): string {
  return `${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`;
}

/** Whether the file at `path` holds exactly the generated schema (what `--check` asks). */
export async function schemaIsCurrent(path: string = SCHEMA_PATH): Promise<boolean> {
  let committed: string;
  try {
    committed = await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
  return committed === renderSchema();
}

/** Options of {@link schemaGenMain}. */
export interface SchemaGenOptions {
  /** The schema file (default {@link SCHEMA_PATH}). */
  path?: string;
  /** Where messages go (default: stdout for progress, stderr for errors). */
  log?: (line: string) => void;
}

/**
 * Runs the generator on `args` (`[]` or `["--check"]`) and returns the exit
 * code: 0 written or current, 1 stale, 2 bad arguments.
 *
 * @example
 * ```ts
 * const exitCode = await schemaGenMain(["--check"]);
 * ```
 */
export async function schemaGenMain(
  args: readonly string[],
  options: SchemaGenOptions = {},
): Promise<number> {
  const path = options.path ?? SCHEMA_PATH;
  const info = options.log ?? ((line: string) => console.log(line));
  const error = options.log ?? ((line: string) => console.error(line));
  const unknown = args.filter((a) => a !== "--check");
  if (unknown.length > 0) {
    error(`error: Unknown argument "${unknown[0]}" (usage: schema_gen.ts [--check])`);
    return 2;
  }
  if (args.includes("--check")) {
    if (await schemaIsCurrent(path)) return 0;
    error(`error: ${path} is out of date: run \`deno task schema\` and commit the result`);
    return 1;
  }
  await Deno.writeTextFile(path, renderSchema());
  info(`wrote ${path}`);
  return 0;
}

if (import.meta.main) Deno.exit(await schemaGenMain(Deno.args));
