/**
 * Facts about a swamp checkout on disk: whether a dir can be one (it holds
 * `main.ts` and `deno.json`), and which commit it is. A git checkout names
 * its `HEAD` (and whether tracked files changed since); a checkout made
 * without git (`git archive`, as swamp-from-source builds one) may have a
 * `build-info.txt` beside it whose `swamp` line names the commit; otherwise
 * the commit is unknown.
 *
 * @module
 */

import { SWAMP_CONFIG, SWAMP_ENTRY } from "../scenario/swamp_target.ts";

/** Which commit a checkout is, and how that is known. */
export interface SwampCommit {
  /** 40 hex digits, or `unknown`. */
  commit: string;
  /** `git` (the checkout's HEAD), `build-info.txt` (beside the checkout) or `unknown`. */
  source: "git" | "build-info.txt" | "unknown";
  /** git only: tracked files differ from HEAD. */
  dirty?: boolean;
}

/** The file beside a checkout that may name its commit. */
export const BUILD_INFO_FILE = "build-info.txt";

/** Why the dir `dir` cannot be a swamp checkout, or undefined when it has what one needs. */
export async function checkoutProblem(dir: string): Promise<string | undefined> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(dir);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return `${dir} does not exist`;
    throw error;
  }
  if (!info.isDirectory) return `${dir} is not a directory`;
  for (const file of [SWAMP_ENTRY, SWAMP_CONFIG]) {
    try {
      if ((await Deno.stat(`${dir}/${file}`)).isFile) continue;
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
    return `${dir} is not a swamp checkout: it has no ${file}`;
  }
  return undefined;
}

/**
 * The commit a `build-info.txt` names for swamp: its line
 * `swamp <owner/name> <40 hex>`, or undefined.
 */
export function parseBuildInfo(text: string): string | undefined {
  return text.match(/^swamp\s+\S+\s+([0-9a-f]{40})\b/m)?.[1];
}

async function git(dir: string, args: string[]): Promise<string | undefined> {
  try {
    const out = await new Deno.Command("git", {
      args: ["-C", dir, ...args],
      stdout: "piped",
      stderr: "null",
      stdin: "null",
    }).output();
    return out.success ? new TextDecoder().decode(out.stdout).trim() : undefined;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined; // no git on PATH
    throw error;
  }
}

/** The commit of the checkout at `dir` (see the module doc). */
export async function swampCommit(dir: string): Promise<SwampCommit> {
  const real = await Deno.realPath(dir);
  // Only the checkout's own repository: a checkout inside another repository is not that one's commit.
  const top = await git(real, ["rev-parse", "--show-toplevel"]);
  if (top !== undefined && await Deno.realPath(top) === real) {
    const head = await git(real, ["rev-parse", "HEAD"]);
    if (head !== undefined && /^[0-9a-f]{40}$/.test(head)) {
      const status = await git(real, ["status", "--porcelain", "--untracked-files=no"]);
      return { commit: head, source: "git", dirty: status !== undefined && status !== "" };
    }
  }
  const parent = real.slice(0, real.lastIndexOf("/")) || "/";
  let text: string | undefined;
  try {
    text = await Deno.readTextFile(`${parent}/${BUILD_INFO_FILE}`);
  } catch {
    // None, unreadable or not a file: the commit is unknown.
  }
  const commit = text === undefined ? undefined : parseBuildInfo(text);
  return commit === undefined
    ? { commit: "unknown", source: "unknown" }
    : { commit, source: "build-info.txt" };
}
