/**
 * A workspace: the temp dir one iteration runs in. Everything a target
 * process may touch lives inside it: the repo, its HOME, its TMPDIR, and the
 * simulator's control files (shim configs, event logs, pause releases).
 *
 * @module
 */

import type { Cleanup } from "./cleanup.ts";

/** The dirs of one iteration's workspace (all absolute). */
export interface Workspace {
  root: string;
  /** The swamp repo every process targets (never realpath'd by swamp). */
  repoDir: string;
  homeDir: string;
  tmpDir: string;
  /** Shim configs, event logs and pause-release files. */
  controlDir: string;
}

/** Creates a fresh workspace under the system temp dir and tracks it for cleanup. */
export async function createWorkspace(cleanup: Cleanup, label: string): Promise<Workspace> {
  cleanup.assertRunning();
  const safe = label.replace(/[^a-z0-9-]/gi, "-").slice(0, 48);
  // Resolved once, so every path handed to a target (and to strace's -P) has no symlink in it.
  const root = await Deno.realPath(await Deno.makeTempDir({ prefix: `swamp-sim-${safe}-` }));
  cleanup.trackDir(root);
  if (cleanup.interrupted !== undefined) {
    await cleanup.removeDir(root);
    cleanup.assertRunning();
  }
  const ws: Workspace = {
    root,
    repoDir: `${root}/repo`,
    homeDir: `${root}/home`,
    tmpDir: `${root}/tmp`,
    controlDir: `${root}/control`,
  };
  await Promise.all(
    [ws.homeDir, ws.tmpDir, ws.controlDir].map((d) => Deno.mkdir(d, { recursive: true })),
  );
  return ws;
}
