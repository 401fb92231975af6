/**
 * The preload shim: injects a process's faults into an unmodified Deno
 * program. Load it with
 *
 * ```sh
 * SWAMP_SIM_SHIM_CONFIG=/abs/config.json deno run --preload /abs/faults/preload/shim.ts ... main.ts
 * ```
 *
 * It reads the shim config (`ShimConfig` in `faults/rule.ts`) named by `SWAMP_SIM_SHIM_CONFIG`, patches
 * `Deno.*` file calls, `node:sqlite` and `fetch` to recognise points by the
 * config's path patterns, and appends one event per point hit and phase to
 * the config's event log. With the variable unset (or unreadable without a
 * permission prompt) it does nothing at all. An unusable config exits the
 * process with code 86 before the main module runs.
 *
 * @module
 */

import { SHIM_CONFIG_ENV } from "../rule.ts";
import { installShim } from "./_install.ts";

/** The config path from the environment, if the process may read it without a prompt. */
function configPathFromEnv(): string | undefined {
  const env = Deno.permissions.querySync({ name: "env", variable: SHIM_CONFIG_ENV });
  if (env.state !== "granted") return undefined;
  const path = Deno.env.get(SHIM_CONFIG_ENV);
  return path === undefined || path === "" ? undefined : path;
}

const configPath = configPathFromEnv();
if (configPath !== undefined) installShim(configPath);
