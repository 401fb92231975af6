/**
 * Test support for the shim backends: a config for one test process, running
 * a command and capturing what it did, reading a workspace's three layers.
 * Used by the tests and the benchmark of `faults/`, not by the simulator.
 *
 * @module
 */

import { DatabaseSync } from "node:sqlite";
import type { FixtureSpec } from "../sim/scenario/fixture.ts";
import { denoDir } from "../sim/run/deno_dir.ts";
import { CATALOG_PATH, LOCK_PATH, LOCKFILE_PATH, PULLED_DIR } from "../sim/shared/layout.ts";
import { type Registry, startRegistry } from "../sim/run/registry.ts";
import { PROJECT_CONFIG, REFERENCE_ENTRY } from "../sim/run/target.ts";
import { type FaultEvent, readEventLog } from "./event.ts";
import { buildPreloadCommand, writeShimConfig } from "./preload/command.ts";
import { DEFAULT_PATTERNS, SHIM_CONFIG_FORMAT, type ShimConfig, type ShimRule } from "./rule.ts";
import type { OpKind } from "./vocabulary.ts";

/** What a finished command did. */
export interface RunResult {
  /** Exit code (128 + signal number when killed). */
  code: number;
  /** The signal that ended it, if any. */
  signal: Deno.Signal | null;
  stdout: string;
  stderr: string;
  /** Wall time of the run in ms. */
  wallMs: number;
}

/** Runs `argv` to completion with `env` added to the inherited environment. */
export async function runCommand(
  argv: readonly string[],
  options: { env?: Record<string, string>; cwd?: string } = {},
): Promise<RunResult> {
  const startMs = performance.now();
  const output = await new Deno.Command(argv[0], {
    args: argv.slice(1),
    env: options.env,
    cwd: options.cwd,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    signal: output.signal,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
    wallMs: performance.now() - startMs,
  };
}

/** A shim config for process `process` of a test, logging under `dir`. */
export function testShimConfig(
  dir: string,
  rules: ShimRule[],
  options: { process?: number; op?: OpKind } = {},
): ShimConfig {
  const process = options.process ?? 0;
  return {
    format: SHIM_CONFIG_FORMAT,
    process,
    op: options.op ?? "pull",
    eventsPath: `${dir}/events-${process}.jsonl`,
    controlDir: dir,
    patterns: { ...DEFAULT_PATTERNS },
    rules,
  };
}

/** Runs a `deno run ...` argv under the preload shim with `config`; returns its events too. */
export async function runUnderShim(
  target: readonly string[],
  config: ShimConfig,
  options: { env?: Record<string, string>; cwd?: string } = {},
): Promise<RunResult & { events: FaultEvent[] }> {
  const configPath = `${config.controlDir}/shim-${config.process}.json`;
  await writeShimConfig(configPath, config);
  const command = buildPreloadCommand(target, configPath);
  const result = await runCommand(command.argv, {
    cwd: options.cwd,
    env: { ...options.env, ...command.env },
  });
  const { events } = await readEventLog(config.eventsPath);
  return { ...result, events };
}

/** How long {@link waitForPath} waits before it fails: a safety net, not a margin. */
export const WAIT_FOR_PATH_MS = 60_000;

/**
 * Waits until `path` exists (a marker a process announces an event with),
 * polling every 5 ms. Tests pin orderings on such markers rather than on
 * sleeps; the limit only stops a broken test from hanging.
 */
export async function waitForPath(path: string, timeoutMs = WAIT_FOR_PATH_MS): Promise<void> {
  const startMs = performance.now();
  for (;;) {
    try {
      await Deno.stat(path);
      return;
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
    if (performance.now() - startMs > timeoutMs) {
      throw new Error(`Waited ${timeoutMs} ms for "${path}" to appear`);
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** The events of one point and phase, in log order. */
export function eventsAt(
  events: readonly FaultEvent[],
  point: FaultEvent["point"],
  phase?: FaultEvent["phase"],
): FaultEvent[] {
  return events.filter((e) => e.point === point && (phase === undefined || e.phase === phase));
}

/** Every regular file under `dir`, as sorted paths relative to it (empty when missing). */
export async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  async function walk(rel: string): Promise<void> {
    let entries: Deno.DirEntry[];
    try {
      entries = await Array.fromAsync(Deno.readDir(rel === "" ? dir : `${dir}/${rel}`));
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return;
      throw error;
    }
    for (const entry of entries) {
      const path = rel === "" ? entry.name : `${rel}/${entry.name}`;
      if (entry.isDirectory) await walk(path);
      else out.push(path);
    }
  }
  await walk("");
  return out.sort();
}

/** The bytes of a file, or `undefined` when it does not exist. */
export async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
}

/**
 * `SELECT <columns> FROM <table>` on a SQLite file, rows sorted by their JSON;
 * an empty list when the file or table does not exist.
 */
export function catalogRows(path: string, table: string, columns: string): unknown[] {
  try {
    Deno.statSync(path);
  } catch {
    return [];
  }
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    const exists = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = ?")
      .get(table);
    if (exists === undefined) return [];
    const rows = db.prepare(`SELECT ${columns} FROM ${table}`).all();
    return rows.map((r) => ({ ...r })).sort((a, b) =>
      JSON.stringify(a).localeCompare(JSON.stringify(b))
    );
  } finally {
    db.close();
  }
}

/** Two fixture extensions: `@fix/alpha` (two versions) and `@fix/beta`. */
export const TEST_FIXTURE: FixtureSpec = {
  extensions: [
    { name: "@fix/alpha", versions: [{ version: "2026.01.01.1" }, { version: "2026.02.01.1" }] },
    { name: "@fix/beta", versions: [{ version: "2026.01.01.1" }] },
  ],
};

/** A temp dir with a loopback registry and an initialised repo, for reference runs. */
export interface ReferenceWorkspace {
  /** The temp dir (removed by `close`); shim configs and events go here. */
  dir: string;
  /** The repo dir (`<dir>/repo`). */
  repo: string;
  registry: Registry;
  /** Environment of every reference run: registry URL, HOME and TMPDIR inside `dir`. */
  env: Record<string, string>;
  /** `deno run -A --config <deno.json> reference/main.ts <args> --json --repo-dir <repo>`. */
  argv(...args: string[]): string[];
  /** {@link ReferenceWorkspace.argv} for another repo. */
  argvAt(repo: string, ...args: string[]): string[];
  /** Runs the reference without a shim. */
  run(...args: string[]): Promise<RunResult>;
  /** Initialises another repo (`init <repo>`). */
  init(repo: string): Promise<void>;
  close(): Promise<void>;
}

/** Starts a registry for `spec` and initialises a repo with the reference's `init`. */
export async function openReferenceWorkspace(
  spec: FixtureSpec = TEST_FIXTURE,
  options: { repoName?: string } = {},
): Promise<ReferenceWorkspace> {
  const dir = await Deno.makeTempDir({ prefix: "faults_ref_" });
  const registry = await startRegistry(spec);
  const repo = `${dir}/${options.repoName ?? "repo"}`;
  await Deno.mkdir(`${dir}/home`);
  const env = {
    SWAMP_CLUB_URL: registry.url,
    HOME: `${dir}/home`,
    TMPDIR: `${dir}/home`,
    DENO_DIR: await denoDir(),
    DENO_NO_UPDATE_CHECK: "1",
    NO_COLOR: "1",
    SWAMP_NO_TELEMETRY: "1",
  };
  const base = [Deno.execPath(), "run", "-A", "--config", PROJECT_CONFIG, REFERENCE_ENTRY];
  const workspace: ReferenceWorkspace = {
    dir,
    repo,
    registry,
    env,
    argv: (...args) => workspace.argvAt(repo, ...args),
    argvAt: (at, ...args) => [...base, ...args, "--json", "--repo-dir", at],
    run: (...args) => runCommand(workspace.argv(...args), { env }),
    init: async (at) => {
      const init = await runCommand([...base, "init", at], { env });
      if (init.code !== 0) throw new Error(`Cannot initialise "${at}": ${init.stderr}`);
    },
    close: async () => {
      await registry.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
  try {
    await workspace.init(repo);
  } catch (error) {
    await workspace.close();
    throw error;
  }
  return workspace;
}

/** Repo-relative paths of the three layers (swamp's layout, from `sim/shared/layout.ts`). */
export const REPO_PATHS = {
  lockfile: LOCKFILE_PATH,
  lock: LOCK_PATH,
  catalog: CATALOG_PATH,
  pulled: PULLED_DIR,
} as const;

/** `(extension_name, extension_version)` of the catalog's rows, sorted. */
export function extensionRows(repo: string): unknown[] {
  return catalogRows(
    `${repo}/${REPO_PATHS.catalog}`,
    "bundle_types",
    "extension_name, extension_version",
  );
}

/** The lockfile's entries (an empty object when it does not exist). */
export async function lockfileEntries(repo: string): Promise<Record<string, unknown>> {
  return JSON.parse(await readIfExists(`${repo}/${REPO_PATHS.lockfile}`) ?? "{}");
}

/**
 * What a run leaves in a repo, with the repo path and the run-dependent
 * values taken out (lockfile `pulledAt`, catalog `source_mtime`): every
 * file's path and content (the SQLite files by name only), the lockfile and
 * the catalog tables.
 */
export async function repoState(repo: string): Promise<unknown> {
  const files: Record<string, string> = {};
  for (const path of await listFiles(repo)) {
    if (path.startsWith(REPO_PATHS.catalog)) {
      files[path] = "(sqlite)";
      continue;
    }
    files[path] = path === REPO_PATHS.lockfile
      ? "(lockfile)"
      : (await Deno.readTextFile(`${repo}/${path}`)).replaceAll(repo, "<repo>");
  }
  const entries = await lockfileEntries(repo);
  for (const entry of Object.values(entries)) delete (entry as Record<string, unknown>).pulledAt;
  const catalog = `${repo}/${REPO_PATHS.catalog}`;
  const normalise = (rows: unknown[]) =>
    JSON.parse(JSON.stringify(rows).replaceAll(repo, "<repo>")) as unknown[];
  return {
    files,
    lockfile: entries,
    bundleTypes: normalise(catalogRows(catalog, "bundle_types", "*")).map((row) => {
      const copy = { ...(row as Record<string, unknown>) };
      delete copy.source_mtime;
      return copy;
    }),
    bundleMeta: normalise(catalogRows(catalog, "bundle_meta", "*")),
  };
}

/** A rule for a test: id `faults[0]` and the first hit unless given. */
export function testRule(
  partial: Pick<ShimRule, "at" | "when" | "action"> & Partial<ShimRule>,
): ShimRule {
  return { id: "faults[0]", hit: { nth: 1 }, ...partial };
}
