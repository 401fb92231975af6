/**
 * Building the command that runs a Deno target under the preload shim, and
 * writing the config file the shim reads.
 *
 * @example
 * ```ts
 * const configPath = "/tmp/run/p3.shim.json";
 * await writeShimConfig(configPath, config);
 * const { argv, env } = buildPreloadCommand(["deno", "run", "-A", "main.ts", "extension", "list"], configPath);
 * // argv: ["deno", "run", "--preload", "<abs>/faults/preload/shim.bundle.js", "-A", "main.ts", "extension", "list"]
 * // env:  { SWAMP_SIM_SHIM_CONFIG: "/tmp/run/p3.shim.json" }
 * ```
 *
 * @module
 */

import { parseShimConfig, SHIM_CONFIG_ENV, type ShimConfig } from "../rule.ts";
import { SHIM_BUNDLE_PATH } from "./bundle.ts";

/**
 * Absolute path of the module a target preloads: `shim.bundle.js`, the
 * shim's sources (`shim.ts` and its imports) bundled into one file.
 */
export const SHIM_MODULE_PATH: string = SHIM_BUNDLE_PATH;

/** A command to spawn: argv (program first) and environment variables to add. */
export interface TargetCommand {
  argv: string[];
  env: Record<string, string>;
}

/**
 * Wraps a `deno run ...` argv so the shim is preloaded with the config at
 * `configPath`. Throws when `target` is not a `deno run` command.
 */
export function buildPreloadCommand(target: readonly string[], configPath: string): TargetCommand {
  if (target.length < 3 || target[1] !== "run") {
    throw new Error(
      `Cannot preload the shim into ${JSON.stringify(target.join(" "))}: not a "deno run" command`,
    );
  }
  if (!configPath.startsWith("/")) {
    throw new Error(`Cannot use shim config "${configPath}": the path must be absolute`);
  }
  return {
    argv: [target[0], "run", "--preload", SHIM_MODULE_PATH, ...target.slice(2)],
    env: { [SHIM_CONFIG_ENV]: configPath },
  };
}

/**
 * Writes `config` as the JSON file the shim reads, after checking it with the
 * shim's own validator (so a bad config fails here, not in the target).
 */
export async function writeShimConfig(path: string, config: ShimConfig): Promise<void> {
  parseShimConfig(JSON.parse(JSON.stringify(config)));
  await Deno.writeTextFile(path, `${JSON.stringify(config, null, 2)}\n`);
}
