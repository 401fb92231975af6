/**
 * Replay commands: the one line that re-runs a failing iteration, in the
 * form that works in the shell of the user who ran the simulator.
 *
 * @module
 */

import type { Scenario } from "../scenario/load.ts";

/** What a replay command must carry besides the scenario file. */
export interface ReplayOptions {
  seed: number;
  iteration: number;
  mutant?: string;
  /** The swamp checkout that replaced the scenario's target (`--swamp`). */
  swamp?: string;
  /** The run's iteration count when it overrode the scenario's (needed to name a later iteration). */
  iterations?: number;
  /** Runs per iteration of a determinism check. */
  repeat?: number;
  /** How `deno task` is invoked (see {@link taskLauncher}). */
  launcher: string;
  /** The run explored schedules because of `--explore` (the scenario has no `explore:`). */
  explore?: boolean;
}

/** The environment {@link taskLauncher} reads. */
export interface LauncherEnv {
  get(name: string): string | undefined;
}

/** Whether an executable named `deno` is in one of the PATH's directories. */
export function denoOnPath(path: string): boolean {
  return path.split(":").filter((dir) => dir !== "").some((dir) => {
    try {
      const info = Deno.statSync(`${dir}/deno`);
      return info.isFile && ((info.mode ?? 0o111) & 0o111) !== 0;
    } catch {
      return false;
    }
  });
}

/**
 * How to invoke `deno task` so that the line pastes into the user's shell:
 * run through `npx` (npm sets `npm_lifecycle_event=npx` for it, and puts a
 * `deno` on the PATH that the user's shell does not have), or when no `deno`
 * is on the PATH, `npx --yes deno@<this version>`; otherwise plain `deno`.
 */
export function taskLauncher(
  env: LauncherEnv = Deno.env,
  denoVersion: string = Deno.version.deno,
  onPath: (path: string) => boolean = denoOnPath,
): string {
  const npx = `npx --yes deno@${denoVersion}`;
  if (env.get("npm_lifecycle_event") === "npx" || env.get("npm_command") === "exec") return npx;
  return onPath(env.get("PATH") ?? "") ? "deno" : npx;
}

/** A path as a shell word: bare when it is plain, single-quoted otherwise. */
export function shellWord(text: string): string {
  return /^[\w./@=:+-]+$/.test(text) ? text : `'${text.replace(/'/g, "'\\''")}'`;
}

/** The command that replays one iteration exactly. */
export function replayCommand(scenario: Scenario, options: ReplayOptions): string {
  const parts = [
    `${options.launcher} task sim ${shellWord(scenario.file)}`,
    `--seed ${options.seed}`,
    `--iteration ${options.iteration}`,
  ];
  if (options.iterations !== undefined) parts.push(`--iterations ${options.iterations}`);
  if (options.mutant !== undefined) parts.push(`--mutant ${options.mutant}`);
  if (options.swamp !== undefined) parts.push(`--swamp ${shellWord(options.swamp)}`);
  if (options.explore === true) parts.push("--explore");
  if (options.repeat !== undefined) parts.push(`--repeat ${options.repeat}`);
  return parts.join(" ");
}

/** The warning a replay line of a scenario that samples schedules carries. */
export const SAMPLED_REPLAY_NOTE = "samples schedules: may not reproduce";

/** The console's replay line: the command after the colon pastes as is. */
export function replayLine(command: string, deterministic: boolean): string {
  return deterministic
    ? `reproduce with: ${command}`
    : `reproduce with (${SAMPLED_REPLAY_NOTE}): ${command}`;
}
