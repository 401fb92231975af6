/**
 * Test harness of the reference CLI: temp repos, spawning `main.ts` as its own
 * process, reading the three layers back, and splitting the stdout JSON
 * documents. Imported by the reference tests only.
 *
 * @module
 */

import { DatabaseSync } from "node:sqlite";
import type { FixtureSpec } from "../sim/scenario/fixture.ts";
import { type Registry, startRegistry } from "../sim/run/registry.ts";
import { join } from "./posix_path.ts";

/** The entry point under test. */
export const MAIN_PATH = new URL("./main.ts", import.meta.url).pathname;

/** One finished CLI run. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Options of {@link runCli}. */
export interface RunOptions {
  env?: Record<string, string>;
  cwd?: string;
}

/** Runs the reference CLI with `args` as a child process. */
export async function runCli(args: string[], options: RunOptions = {}): Promise<CliRun> {
  const result = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN_PATH, ...args],
    env: { SWAMP_REF_MUTANT: "", SWAMP_NO_TELEMETRY: "1", ...options.env },
    cwd: options.cwd ?? Deno.cwd(),
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return {
    code: result.code,
    stdout: decoder.decode(result.stdout),
    stderr: decoder.decode(result.stderr),
  };
}

/** Splits stdout holding several pretty-printed JSON documents. */
export function jsonDocuments(stdout: string): unknown[] {
  const text = stdout.trim();
  if (text === "") return [];
  return text.split(/\n(?=[{[])/).map((part) => JSON.parse(part));
}

/** A temp dir holding an initialised repo; `dispose` removes it. */
export interface TempRepo {
  dir: string;
  repoDir: string;
  dispose(): Promise<void>;
}

/** Creates a temp dir with `repo/` initialised by the CLI. */
export async function makeRepo(): Promise<TempRepo> {
  const dir = await Deno.makeTempDir({ prefix: "swamp_ref_test_" });
  const repoDir = join(dir, "repo");
  const init = await runCli(["init", repoDir, "--json"]);
  if (init.code !== 0) throw new Error(`Cannot init test repo: ${init.stderr}`);
  return {
    dir,
    repoDir,
    dispose: () => Deno.remove(dir, { recursive: true }),
  };
}

/** The lockfile path of a repo with the default models dir. */
export function lockfilePathOf(repoDir: string): string {
  return join(repoDir, "extensions/models/upstream_extensions.json");
}

/** The parsed lockfile, or null when missing. */
export async function readLockfileJson(
  repoDir: string,
): Promise<Record<string, Record<string, unknown>> | null> {
  try {
    return JSON.parse(await Deno.readTextFile(lockfilePathOf(repoDir)));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw error;
  }
}

/** One catalog row, as the tests look at it. */
export interface RowView {
  source_path: string;
  type_normalized: string;
  kind: string;
  state: string;
  extension_name: string;
  extension_version: string;
}

/** The catalog rows ordered by `source_path` (empty when there is no catalog). */
export function catalogRows(repoDir: string): RowView[] {
  const path = join(repoDir, ".swamp/_extension_catalog.db");
  try {
    Deno.statSync(path);
  } catch {
    return [];
  }
  const db = new DatabaseSync(path);
  try {
    return db.prepare(
      "SELECT source_path, type_normalized, kind, state, extension_name, extension_version FROM bundle_types ORDER BY source_path",
    ).all() as unknown as RowView[];
  } finally {
    db.close();
  }
}

/** Whether a path exists. */
export async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch {
    return false;
  }
}

/** Sleeps `delayMs`. */
export function sleepMs(delayMs: number): Promise<void> {
  return new Promise((done) => setTimeout(done, delayMs));
}

/** The fixture the CLI tests serve. */
export const TEST_FIXTURE: FixtureSpec = {
  extensions: [
    { name: "@fix/alpha", versions: [{ version: "2026.01.01.1" }, { version: "2026.01.02.1" }] },
    {
      name: "@fix/clash",
      versions: [{ version: "2026.02.01.1", models: { "x.ts": "@fix/alpha/main" } }],
    },
    { name: "@fix/broken", versions: [{ version: "2026.03.01.1", invalidModels: ["main.ts"] }] },
    {
      name: "@fix/up",
      versions: [
        { version: "2026.04.01.1", models: { "keep.ts": "@fix/up/keep", "old.ts": "@fix/up/old" } },
        { version: "2026.04.02.1", models: { "keep.ts": "@fix/up/keep" } },
      ],
    },
  ],
};

/** Starts the loopback registry serving {@link TEST_FIXTURE}. */
export async function startTestRegistry(): Promise<Registry> {
  return await startRegistry(TEST_FIXTURE);
}

/** Runs one CLI command against `repoDir` in JSON mode. */
export async function runIn(
  repoDir: string,
  registryUrl: string,
  args: string[],
  mutant = "",
): Promise<CliRun> {
  return await runCli([...args, "--json", "--repo-dir", repoDir], {
    env: { SWAMP_CLUB_URL: registryUrl, SWAMP_REF_MUTANT: mutant },
  });
}
