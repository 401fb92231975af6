/**
 * A bounded `contend` under strace: lock attempts 1..k of one process find
 * the lock really held, attempt k+1 finds it free, whichever thread of the
 * target opens it.
 *
 * strace cannot count the attempts itself (`when=` counts per thread, and
 * Deno opens the lock from a pool of threads), so the count is kept here:
 *
 * 1. Before the process starts, the lock file is taken the way a contender
 *    takes it (`O_CREAT|O_EXCL`, waiting while another process holds it).
 * 2. strace stops the process after every lock `openat` (`signal=SIGSTOP`:
 *    the syscall runs, then every thread stops before the result reaches
 *    JavaScript). The trace file shows the attempt, then the stop.
 * 3. At each stop the attempt is counted; once the k-th has failed, the lock
 *    file is removed; then SIGCONT resumes the process. Nothing of the
 *    target runs between an attempt and that decision, so the outcome does
 *    not depend on timing.
 * 4. When the process ended, a lock file still held is removed.
 *
 * Other processes of the repo see the lock held for as long as it is, as
 * with a real holder. A SIGCONT is sent only after the stop is in the trace:
 * one sent while the kernel is still delivering the SIGSTOP would be lost and
 * leave the process stopped.
 *
 * @example
 * ```ts
 * const { argv, plan } = buildStraceCommand(target, rules, context);
 * const result = await runWithHeldLock(plan, () => runCommand(argv), { acquireTimeoutMs: 10_000 });
 * ```
 *
 * @module
 */

import type { StracePlan } from "./command.ts";
import { isLockAttempt, parseTraceLine } from "./parse.ts";

/** How often the trace file is read while the process runs. */
export const TRACE_POLL_MS = 2;

/** How often taking the lock is retried while another process holds it. */
export const ACQUIRE_POLL_MS = 5;

/** What {@link runWithHeldLock} needs besides the plan. */
export interface HeldLockOptions {
  /** Longest wait for the lock before the process starts (another process may hold it). */
  acquireTimeoutMs: number;
}

/** The lock could not be taken, or the trace could not be followed. */
export class HeldLockError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "HeldLockError";
  }
}

/** What one read of the trace showed: the number of attempts seen and the threads stopped after one. */
export interface TraceProgress {
  attempts: number;
  /** One entry per stop that follows an attempt: the attempt's number and its thread. */
  stops: Array<{ attempt: number; tid: number }>;
}

/**
 * Follows a trace line by line (pure apart from its own state): counts the
 * lock attempts of `lockPath` and reports each "stopped by SIGSTOP" of the
 * thread that made the attempt.
 */
export class TraceFollower {
  readonly #lockPath: string;
  #rest = "";
  #attempts = 0;
  /** Threads inside an unfinished lock attempt. */
  readonly #open = new Set<number>();
  /** Threads whose attempt has returned and whose stop is not yet seen, with the attempt's number. */
  readonly #awaitingStop = new Map<number, number>();

  constructor(lockPath: string) {
    this.#lockPath = lockPath;
  }

  /** Feeds the next chunk of trace text; returns the attempts so far and the stops it completed. */
  feed(chunk: string): TraceProgress {
    const text = this.#rest + chunk;
    const end = text.lastIndexOf("\n");
    this.#rest = end < 0 ? text : text.slice(end + 1);
    const stops: TraceProgress["stops"] = [];
    if (end < 0) return { attempts: this.#attempts, stops };
    for (const raw of text.slice(0, end).split("\n")) {
      const line = parseTraceLine(raw);
      if (line === undefined) continue;
      if (line.kind === "call" && isLockAttempt(line.name, line.rest, this.#lockPath)) {
        if (line.unfinished) this.#open.add(line.tid);
        else this.#returned(line.tid);
      } else if (line.kind === "resumed" && this.#open.delete(line.tid)) {
        this.#returned(line.tid);
      } else if (line.kind === "other" && line.body === "--- stopped by SIGSTOP ---") {
        const attempt = this.#awaitingStop.get(line.tid);
        if (attempt !== undefined) {
          this.#awaitingStop.delete(line.tid);
          stops.push({ attempt, tid: line.tid });
        }
      }
    }
    return { attempts: this.#attempts, stops };
  }

  #returned(tid: number): void {
    this.#attempts++;
    this.#awaitingStop.set(tid, this.#attempts);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function parentDir(path: string): string {
  return path.slice(0, path.lastIndexOf("/")) || "/";
}

/** Takes the lock file as a contender does, waiting while another process holds it. */
async function takeLock(lockPath: string, timeoutMs: number): Promise<void> {
  await Deno.mkdir(parentDir(lockPath), { recursive: true });
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    try {
      const file = await Deno.open(lockPath, { createNew: true, write: true });
      file.close();
      return;
    } catch (error) {
      if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
    }
    if (performance.now() >= deadline) {
      throw new HeldLockError(
        `Cannot hold "${lockPath}" for a contend rule: another process held it for ${timeoutMs} ms`,
      );
    }
    await sleep(ACQUIRE_POLL_MS);
  }
}

async function dropLock(lockPath: string): Promise<void> {
  await Deno.remove(lockPath).catch((error) => {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  });
}

/** The process a thread belongs to (`Tgid` in `/proc/<tid>/status`), or undefined once it is gone. */
function processOf(tid: number): number | undefined {
  try {
    const status = Deno.readTextFileSync(`/proc/${tid}/status`);
    const match = /^Tgid:\s+(\d+)$/m.exec(status);
    return match === null ? undefined : Number(match[1]);
  } catch {
    return undefined;
  }
}

function resume(tid: number): void {
  const pid = processOf(tid);
  if (pid === undefined) return;
  try {
    Deno.kill(pid, "SIGCONT");
  } catch {
    // It ended in the meantime.
  }
}

/** Reads what the trace file gained since `offset` (bytes); nothing while it does not exist. */
async function readFrom(path: string, offset: number): Promise<Uint8Array> {
  try {
    const bytes = await Deno.readFile(path);
    return bytes.subarray(offset);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return new Uint8Array();
    throw error;
  }
}

/**
 * Runs `run` (which spawns the strace command of `plan` and waits for it)
 * with the lock held for the plan's first `heldLockAttempts` attempts, and
 * resumes every stop. Without a bounded contend in the plan it just runs.
 * The lock file is removed on every path out; a failure to follow the trace
 * is thrown after the process ended.
 */
export async function runWithHeldLock<T>(
  plan: StracePlan,
  run: () => Promise<T>,
  options: HeldLockOptions,
): Promise<T> {
  const heldAttempts = plan.heldLockAttempts;
  if (heldAttempts === undefined) return await run();
  if (!(Number.isInteger(heldAttempts) && heldAttempts >= 1)) {
    throw new RangeError(`runWithHeldLock() needs heldLockAttempts >= 1, got ${heldAttempts}`);
  }
  await takeLock(plan.lockPath, options.acquireTimeoutMs);
  let held = true;
  const release = async () => {
    if (!held) return;
    held = false;
    await dropLock(plan.lockPath);
  };
  let settled = false;
  const running = run();
  const watched = running.then(
    () => {
      settled = true;
    },
    () => {
      settled = true;
    },
  );
  let followError: unknown;
  try {
    const follower = new TraceFollower(plan.lockPath);
    const decoder = new TextDecoder();
    let offset = 0;
    while (!settled) {
      const chunk = await readFrom(plan.tracePath, offset);
      offset += chunk.length;
      const { stops } = follower.feed(decoder.decode(chunk, { stream: true }));
      for (const stop of stops) {
        if (stop.attempt >= heldAttempts) await release();
        resume(stop.tid);
      }
      if (chunk.length === 0) await sleep(TRACE_POLL_MS);
    }
  } catch (error) {
    followError = error;
  } finally {
    await release();
  }
  await watched;
  if (followError !== undefined) {
    throw new HeldLockError(
      `Cannot follow the trace "${plan.tracePath}": ${(followError as Error).message}`,
    );
  }
  return await running;
}
