/**
 * How a target process is launched: the target (the embedded reference, a
 * Deno entry module, a swamp checkout, or any command line) wrapped by its
 * shim backend (preload, strace, or none), with permissions narrowed to the
 * workspace and loopback, its own HOME and TMPDIR, the registry URL and what
 * Deno needs to reach the package registry in its env.
 *
 * @module
 */

import { SHIM_MODULE_PATH } from "../../faults/preload/command.ts";
import { MUTANT_ENV } from "../../reference/mutants.ts";
import { SHIM_CONFIG_ENV } from "../../faults/rule.ts";
import type { ResolvedTarget } from "../scenario/load.ts";
import type { Workspace } from "./workspace.ts";

/** Absolute path of the project root (the dir holding deno.json). */
export const PROJECT_ROOT: string = new URL("../..", import.meta.url).pathname.replace(/\/$/, "");
/** The embedded reference target's entry module. */
export const REFERENCE_ENTRY = `${PROJECT_ROOT}/reference/main.ts`;
/** The project's deno.json (import map for the reference target). */
export const PROJECT_CONFIG = `${PROJECT_ROOT}/deno.json`;
/** The preload shim module (the bundled shim: one module to load, not thirteen). */
export const PRELOAD_SHIM = SHIM_MODULE_PATH;

/** What is fixed for a whole simulator run. */
export interface RunContext {
  /** The Deno binary that runs Deno targets. */
  denoPath: string;
  /** DENO_DIR shared with targets, so npm packages resolve from the cache. */
  denoDir: string;
  /** The loopback registry's base URL. */
  registryUrl: string;
  /** The loopback registry's port (for `--allow-net`). */
  registryPort: number;
  /** Mutant selected on the command line (overrides the scenario's). */
  mutant?: string;
  /**
   * What Deno needs to reach the package registry, kept in every target's
   * cleared environment (`deno_network_env.ts`; none when absent).
   */
  networkEnv?: Record<string, string>;
}

/** A fully resolved spawn. */
export interface SpawnSpec {
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
}

/** How one process is wrapped. */
export type ShimUse =
  | { backend: "none" }
  | { backend: "preload"; configPath: string }
  | { backend: "strace"; wrap: (argv: string[]) => string[] };

function baseEnv(target: ResolvedTarget, ws: Workspace, run: RunContext): Record<string, string> {
  const env: Record<string, string> = {
    PATH: Deno.env.get("PATH") ?? "/usr/local/bin:/usr/bin:/bin",
    HOME: ws.homeDir,
    TMPDIR: ws.tmpDir,
    DENO_DIR: run.denoDir,
    DENO_NO_UPDATE_CHECK: "1",
    DENO_NO_PROMPT: "1",
    NO_COLOR: "1",
    SWAMP_NO_TELEMETRY: "1",
    ...run.networkEnv,
    [target.patterns.registryUrlEnv]: run.registryUrl,
    ...target.env,
  };
  const mutant = run.mutant ?? target.mutant;
  if (target.kind === "reference" && mutant !== undefined) env[MUTANT_ENV] = mutant;
  return env;
}

/** The argv (program first) of the bare target, before any strace wrapping. */
function targetArgv(
  target: ResolvedTarget,
  ws: Workspace,
  run: RunContext,
  swampArgs: string[],
  preload?: string,
): string[] {
  if (target.kind === "command") {
    if (target.argv === undefined) throw new Error("targetArgv() needs argv for a command target");
    return [...target.argv, ...swampArgs];
  }
  const entry = target.kind === "reference" ? REFERENCE_ENTRY : target.entry;
  if (entry === undefined) throw new Error("targetArgv() needs an entry for a deno target");
  const config = target.kind === "reference" ? PROJECT_CONFIG : target.config;
  return [
    run.denoPath,
    "run",
    "--no-prompt",
    ...(config === undefined ? [] : ["--config", config]),
    `--allow-read=${ws.root}`,
    `--allow-write=${ws.root}`,
    `--allow-net=127.0.0.1:${run.registryPort}`,
    "--allow-env",
    "--allow-sys",
    ...(preload === undefined ? [] : ["--preload", preload]),
    ...target.denoFlags,
    entry,
    ...swampArgs,
  ];
}

/** Builds the spawn of one target process. */
export function spawnSpec(
  target: ResolvedTarget,
  ws: Workspace,
  run: RunContext,
  swampArgs: string[],
  shim: ShimUse,
): SpawnSpec {
  const env = baseEnv(target, ws, run);
  let argv: string[];
  switch (shim.backend) {
    case "none":
      argv = targetArgv(target, ws, run, swampArgs);
      break;
    case "preload":
      if (target.kind === "command") {
        throw new Error("spawnSpec(): the preload backend needs a Deno target");
      }
      env[SHIM_CONFIG_ENV] = shim.configPath;
      argv = targetArgv(target, ws, run, swampArgs, PRELOAD_SHIM);
      break;
    case "strace":
      argv = shim.wrap(targetArgv(target, ws, run, swampArgs));
      break;
  }
  return { command: argv[0], args: argv.slice(1), env, cwd: ws.root };
}
