/**
 * Loads a process's shim config and installs every patch. Runs once, from
 * `shim.ts`, before the target's main module.
 *
 * @module
 */

import { parseShimConfig, RuleError, SHIM_CONFIG_EXIT_CODE, type ShimConfig } from "../rule.ts";
import { patchExit } from "./_patch_exit.ts";
import { patchFetch } from "./_patch_fetch.ts";
import { patchFs } from "./_patch_fs.ts";
import { patchSqlite } from "./_patch_sqlite.ts";
import { type ShimIo, ShimRuntime } from "./_runtime.ts";

/** How long the shim waits for its own SIGKILL to land before it gives up. */
const KILL_WAIT_MS = 10_000;

/** The config file could not be used; `path` names the field, as in {@link RuleError}. */
class ConfigProblem extends Error {}

/**
 * Reads and validates the config at `configPath`. On any problem, prints
 * `swamp-sim shim: <file>: <field path>: <problem>` to stderr and exits with
 * {@link SHIM_CONFIG_EXIT_CODE} before the main module runs.
 */
function loadConfig(configPath: string): ShimConfig {
  let text: string;
  try {
    text = Deno.readTextFileSync(configPath);
  } catch (error) {
    throw new ConfigProblem(`$: cannot read the config: ${(error as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ConfigProblem(`$: not valid JSON: ${(error as Error).message}`);
  }
  return parseShimConfig(value);
}

/** The runtime services the shim uses, taken before any patch is installed. */
function makeIo(eventsPath: string): ShimIo {
  let file: Deno.FsFile;
  try {
    file = Deno.openSync(eventsPath, { append: true, create: true });
  } catch (error) {
    throw new ConfigProblem(
      `$.eventsPath: cannot open "${eventsPath}": ${(error as Error).message}`,
    );
  }
  const encoder = new TextEncoder();
  const cell = new Int32Array(new SharedArrayBuffer(4));
  // `Deno.kill` and `setTimeout` are lazy accessors whose first read loads a
  // runtime module (2-5 ms, probed): read them only when a fault needs them.
  const { statSync, writeFileSync, pid } = Deno;
  const sleepSync = (ms: number) => {
    Atomics.wait(cell, 0, 0, ms);
  };
  return {
    appendLine(line: string): void {
      const bytes = encoder.encode(line);
      let offset = 0;
      while (offset < bytes.length) offset += file.writeSync(bytes.subarray(offset));
    },
    nowMs: () => performance.timeOrigin + performance.now(),
    pid,
    kill(): never {
      Deno.kill(pid, "SIGKILL");
      sleepSync(KILL_WAIT_MS);
      throw new Error(`Cannot crash process ${pid}: SIGKILL did not end it`);
    },
    sleepSync,
    sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
    exists(path: string): boolean {
      try {
        statSync(path);
        return true;
      } catch {
        return false;
      }
    },
    touch(path: string): void {
      writeFileSync(path, new Uint8Array());
    },
  };
}

/**
 * Installs the shim for the config at `configPath` and takes the
 * `process.start` point. Exits the process with
 * {@link SHIM_CONFIG_EXIT_CODE} when the config cannot be used.
 *
 * Synchronous: nothing of the target runs yet, so a delay or pause at
 * `process.start` simply blocks the thread.
 */
export function installShim(configPath: string): void {
  let config: ShimConfig;
  let io: ShimIo;
  try {
    config = loadConfig(configPath);
    io = makeIo(config.eventsPath);
  } catch (error) {
    if (!(error instanceof RuleError) && !(error instanceof ConfigProblem)) throw error;
    console.error(`swamp-sim shim: ${configPath}: ${error.message}`);
    Deno.exit(SHIM_CONFIG_EXIT_CODE);
  }
  const runtime = new ShimRuntime(config, io);
  patchFs(runtime, config.patterns);
  patchSqlite(runtime, config.patterns);
  patchFetch(runtime, config.patterns);
  patchExit(runtime);
  runtime.processPointSync("process.start");
}
