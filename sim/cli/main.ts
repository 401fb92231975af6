/**
 * `deno task sim <scenario.yaml>`: the simulator's command line.
 *
 * @module
 */

import { parseSimArgs, USAGE, UsageError } from "./cli_args.ts";
import { EXIT } from "../shared/exit_codes.ts";
import { simulate } from "../drive/simulate.ts";
import { stderrProgress } from "../drive/progress.ts";

async function main(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseSimArgs(argv);
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`error: ${error.message} (see --help)`);
      return EXIT.badInput;
    }
    throw error;
  }
  if (args.help) {
    console.log(USAGE);
    return EXIT.pass;
  }
  const result = await simulate({
    ...args,
    handleSignals: true,
    progress: stderrProgress(),
  });
  if (args.json) console.log(JSON.stringify(result.json, null, 2));
  return result.exitCode;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
