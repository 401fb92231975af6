/**
 * The reference target's entry point: `deno run reference/main.ts <args>`.
 * Parses argv, runs the command, renders any error and exits with swamp's
 * exit codes (0 success, 1 error, 2 usage, 75 `lock_timeout`). It contains no
 * fault-injection code; `SWAMP_REF_MUTANT` selects a deliberate deviation.
 *
 * @module
 */

import { parseArgs } from "./cli.ts";
import { runCommand } from "./commands.ts";
import { activeMutant } from "./mutants.ts";
import { createOutput, exitCodeForError, renderError } from "./output.ts";

/** Runs the CLI for `argv` and returns the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const json = argv.includes("--json");
  try {
    activeMutant();
    const parsed = parseArgs(argv);
    return await runCommand(parsed.command, parsed.flags, createOutput(parsed.flags.json));
  } catch (error) {
    renderError(error, json);
    return exitCodeForError(error);
  }
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
