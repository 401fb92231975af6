/**
 * Following a traced process's live trace while it runs, for two things
 * strace cannot do by itself.
 *
 * **Announcing events.** Events another process's pause waits for (only
 * those {@link straceCannotAnnounce} accepts) are found by parsing the trace
 * as it grows, whole lines only, and announced by touching their marker
 * files at once, and once more over the whole trace after the process
 * ended.
 *
 * **A pause after a lock attempt:** the same stops; at the rule's attempt
 * the SIGCONT waits until the pause's conditions hold (the attempt is
 * announced first), so the process keeps what it holds, the lock when the
 * attempt took it, for exactly as long as the pin says.
 *
 * **A bounded `contend`:** lock attempts 1..k of one process find
 * the lock really held, attempt k+1 finds it free (unless another process
 * took it meanwhile), whichever thread of the target opens it.
 *
 * strace cannot count the attempts itself (`when=` counts per thread, and
 * Deno opens the lock from a pool of threads), so the count is kept here:
 *
 * 1. Right before the process starts, the lock file is taken the way a
 *    contender takes it (`O_CREAT|O_EXCL`). If it already exists, another
 *    process (or a crashed one) holds it: the attempts then meet that real
 *    holder, and nothing is taken or removed here.
 * 2. strace stops the process after every open of the lock path
 *    (`signal=SIGSTOP`: the syscall runs, then every thread stops before the
 *    result reaches JavaScript). The trace file shows the open, then the stop.
 * 3. At each stop after an `O_EXCL` open the attempt is counted; once the
 *    k-th has returned, the lock file taken in step 1 is removed; then
 *    SIGCONT resumes the process (after any open of the path, so a target
 *    that also opens the lock file otherwise is not left stopped). Nothing of
 *    the target runs between an attempt and that decision, so the count does
 *    not depend on timing.
 * 4. When the process ended, a lock file still held is removed.
 *
 * Other processes of the repo see the lock held for as long as it is, as
 * with a real holder. A SIGCONT is sent only after the stop is in the trace:
 * one sent while the kernel is still delivering the SIGSTOP would be lost and
 * leave the process stopped. Should following the trace fail, every process
 * seen in it is sent SIGCONT every {@link DEGRADED_RESUME_MS} until the run
 * ends, and the failure is thrown then.
 *
 * @example
 * ```ts
 * const { argv, plan } = buildStraceCommand(target, rules, context);
 * const result = await followTrace(plan, () => runCommand(argv));
 * ```
 *
 * @module
 */

import { PAUSE_POLL_MS, pauseReleased, type PublishedEvent, type ShimRule } from "../rule.ts";
import type { StracePlan } from "./command.ts";
import { isLockAttempt, isLockOpen, parseStraceTrace, parseTraceLine } from "./parse.ts";
import { straceCannotAnnounce } from "./support.ts";

/** How often the trace file is read while the process runs. */
export const TRACE_POLL_MS = 2;

/** How often every traced process is resumed once following the trace failed. */
export const DEGRADED_RESUME_MS = 10;

/** Bytes read from the trace file at a time. */
const READ_CHUNK_BYTES = 64 * 1024;

/** The trace could not be followed. */
export class TraceFollowError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TraceFollowError";
  }
}

/** One stop of the process after an open of the lock path. */
export interface LockStop {
  tid: number;
  /** The lock attempt's number, when the open was an attempt (`O_EXCL`). */
  attempt?: number;
}

/** What one read of the trace showed: the attempts so far and the stops it completed. */
export interface TraceProgress {
  attempts: number;
  stops: LockStop[];
}

/**
 * Follows a trace line by line (pure apart from its own state): counts the
 * lock attempts on `lockPath` and reports each "stopped by SIGSTOP" of a
 * thread that has just opened the lock path.
 */
export class TraceFollower {
  readonly #lockPath: string;
  #rest = "";
  #attempts = 0;
  /** Threads inside an unfinished open of the lock path, and whether it is an attempt. */
  readonly #open = new Map<number, boolean>();
  /** Threads whose open has returned and whose stop is not yet seen. */
  readonly #awaitingStop = new Map<number, LockStop>();

  constructor(lockPath: string) {
    this.#lockPath = lockPath;
  }

  /** Feeds the next chunk of trace text. */
  feed(chunk: string): TraceProgress {
    const text = this.#rest + chunk;
    const end = text.lastIndexOf("\n");
    this.#rest = end < 0 ? text : text.slice(end + 1);
    const stops: LockStop[] = [];
    if (end < 0) return { attempts: this.#attempts, stops };
    for (const raw of text.slice(0, end).split("\n")) {
      const line = parseTraceLine(raw);
      if (line === undefined) continue;
      if (line.kind === "call" && isLockOpen(line.name, line.rest, this.#lockPath)) {
        const attempt = isLockAttempt(line.name, line.rest, this.#lockPath);
        if (line.unfinished) this.#open.set(line.tid, attempt);
        else this.#returned(line.tid, attempt);
      } else if (line.kind === "resumed" && this.#open.has(line.tid)) {
        const attempt = this.#open.get(line.tid) === true;
        this.#open.delete(line.tid);
        this.#returned(line.tid, attempt);
      } else if (line.kind === "other" && line.body === "--- stopped by SIGSTOP ---") {
        const stop = this.#awaitingStop.get(line.tid);
        if (stop !== undefined) {
          this.#awaitingStop.delete(line.tid);
          stops.push(stop);
        }
      }
    }
    return { attempts: this.#attempts, stops };
  }

  #returned(tid: number, attempt: boolean): void {
    if (attempt) this.#attempts++;
    this.#awaitingStop.set(tid, attempt ? { tid, attempt: this.#attempts } : { tid });
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function parentDir(path: string): string {
  return path.slice(0, path.lastIndexOf("/")) || "/";
}

/** Takes the lock file as a contender does; false when another process holds it. */
async function tryTakeLock(lockPath: string): Promise<boolean> {
  await Deno.mkdir(parentDir(lockPath), { recursive: true });
  try {
    const file = await Deno.open(lockPath, { createNew: true, write: true });
    file.close();
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.AlreadyExists) return false;
    throw error;
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

function resume(pid: number): void {
  try {
    Deno.kill(pid, "SIGCONT");
  } catch {
    // It ended in the meantime.
  }
}

/** Whether a lock pause fires at attempt `attempt`. */
function pausesAt(rule: ShimRule, attempt: number): boolean {
  return "every" in rule.hit || ("nth" in rule.hit && rule.hit.nth === attempt);
}

function existsSync(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Holds a stopped process (its SIGCONT) until the pause's conditions hold,
 * its timeout or the process's limit passed, the run is ending or the
 * process ended (killed at its limit).
 */
async function holdPause(
  rule: ShimRule,
  hit: number,
  options: LockPauseOptions,
  ended: () => boolean,
): Promise<LockPauseRecord> {
  const action = rule.action;
  if (action.kind !== "pause") throw new Error(`holdPause() needs a pause, got ${action.kind}`);
  const now = () => performance.timeOrigin + performance.now();
  const startMs = now();
  const waitMs = Math.min(action.timeoutMs, options.limitMs());
  const released = () => pauseReleased(options.controlDir, action, existsSync);
  let done = released();
  while (!done && !ended() && !options.stop() && now() - startMs < waitMs) {
    await sleep(PAUSE_POLL_MS);
    done = released();
  }
  return {
    hit,
    atMs: startMs,
    pausedMs: Math.round((now() - startMs) * 1000) / 1000,
    released: done,
  };
}

/** Reads a growing trace file from where the last read stopped. */
class TraceReader {
  readonly #path: string;
  #file: Deno.FsFile | undefined;
  readonly #buffer = new Uint8Array(READ_CHUNK_BYTES);
  readonly #decoder = new TextDecoder();

  constructor(path: string) {
    this.#path = path;
  }

  /** The text appended since the last call ("" while the file does not exist yet). */
  async next(): Promise<string> {
    if (this.#file === undefined) {
      try {
        this.#file = await Deno.open(this.#path, { read: true });
      } catch (error) {
        if (error instanceof Deno.errors.NotFound) return "";
        throw error;
      }
    }
    let text = "";
    for (;;) {
      const n = await this.#file.read(this.#buffer);
      if (n === null || n === 0) return text;
      text += this.#decoder.decode(this.#buffer.subarray(0, n), { stream: true });
    }
  }

  close(): void {
    this.#file?.close();
    this.#file = undefined;
  }
}

/** How a pause after a lock attempt ended (`lockPause` in the plan). */
export interface LockPauseRecord {
  /** The attempt it held. */
  hit: number;
  /** Wall clock when it began. */
  atMs: number;
  pausedMs: number;
  /** Whether its conditions released it (false: its timeout, the process's limit, or the run ending). */
  released: boolean;
}

/** What a pause after a lock attempt needs (`lockPause` in the plan). */
export interface LockPauseOptions {
  /** The control dir its conditions' marker files are in. */
  controlDir: string;
  /** The longest it may hold now: what is left of the process's time limit. */
  limitMs: () => number;
  /** Whether the run is ending (the pause then lets go). */
  stop: () => boolean;
  /** Told how each pause ended, for the process's events. */
  onPause: (record: LockPauseRecord) => void;
}

/** Events of the traced process that other processes wait for, and where to announce them. */
export interface FollowOptions {
  /** The process's index in its phase (its events are parsed as that process's). */
  process: number;
  /** Events to announce; each must be one strace can show ({@link straceCannotAnnounce}). */
  publish: readonly PublishedEvent[];
  /** The marker file that announces an event (`eventMarkerPath` of the control dir). */
  markerPath: (e: PublishedEvent) => string;
}

/**
 * Runs `run` (which spawns the strace command of `plan` and waits for it)
 * while following its trace: with a bounded contend in the plan it holds the
 * lock for the first `heldLockAttempts` attempts and resumes every stop;
 * with events to publish it touches each one's marker file as soon as the
 * trace shows it (and once more over the whole trace after the process
 * ended). With neither it just runs. A lock file taken here is removed on
 * every path out; a failure to follow the trace is thrown once the process
 * ended.
 */
export async function followTrace<T>(
  plan: StracePlan,
  run: () => Promise<T>,
  options?: FollowOptions,
  pause?: LockPauseOptions,
): Promise<T> {
  const heldAttempts = plan.heldLockAttempts;
  const lockPause = plan.lockPause;
  const pending = [...(options?.publish ?? [])];
  if (heldAttempts === undefined && lockPause === undefined && pending.length === 0) {
    return await run();
  }
  if (lockPause !== undefined && pause === undefined) {
    throw new RangeError("followTrace() needs pause options for a plan with a lock pause");
  }
  if (heldAttempts !== undefined && !(Number.isInteger(heldAttempts) && heldAttempts >= 1)) {
    throw new RangeError(`followTrace() needs heldLockAttempts >= 1, got ${heldAttempts}`);
  }
  for (const e of pending) {
    const problem = straceCannotAnnounce(e);
    if (problem !== undefined) throw new RangeError(`followTrace(): ${problem}`);
  }
  let held = heldAttempts !== undefined && await tryTakeLock(plan.lockPath);
  const release = async () => {
    if (!held) return;
    await dropLock(plan.lockPath);
    held = false;
  };
  let traceText = "";
  const announce = async () => {
    if (pending.length === 0 || options === undefined) return;
    // Whole lines only: the file may end in the middle of one.
    const complete = traceText.slice(0, traceText.lastIndexOf("\n") + 1);
    const events = parseStraceTrace(complete, plan, options.process);
    for (const e of [...pending]) {
      if (!events.some((x) => x.point === e.point && x.phase === e.phase && x.hit === e.hit)) {
        continue;
      }
      await Deno.writeTextFile(options.markerPath(e), "");
      pending.splice(pending.indexOf(e), 1);
    }
  };
  let settled = false;
  const running = Promise.resolve().then(run);
  const watched = running.then(
    () => {
      settled = true;
    },
    () => {
      settled = true;
    },
  );
  const seen = new Set<number>();
  const reader = new TraceReader(plan.tracePath);
  let followError: Error | undefined;
  try {
    const follower = new TraceFollower(plan.lockPath);
    while (!settled) {
      const chunk = await reader.next();
      traceText += chunk;
      for (const stop of follower.feed(chunk).stops) {
        const pid = processOf(stop.tid);
        if (pid !== undefined) seen.add(pid);
        try {
          if (
            heldAttempts !== undefined && stop.attempt !== undefined && stop.attempt >= heldAttempts
          ) {
            await release();
          }
          if (
            lockPause !== undefined && pause !== undefined && stop.attempt !== undefined &&
            pausesAt(lockPause, stop.attempt)
          ) {
            // Announced first: another process may be waiting for this very attempt.
            await announce();
            pause.onPause(await holdPause(lockPause, stop.attempt, pause, () => settled));
          }
        } finally {
          if (pid !== undefined) resume(pid);
        }
      }
      // Stops are resumed first: a failure to announce must not leave one stopped.
      if (chunk !== "") await announce();
      if (chunk === "") await sleep(TRACE_POLL_MS);
    }
    traceText += await reader.next();
    await announce();
  } catch (error) {
    followError = error instanceof Error ? error : new Error(String(error));
    while (!settled) {
      seen.forEach(resume);
      await sleep(DEGRADED_RESUME_MS);
    }
  } finally {
    reader.close();
    await release().catch((error) => {
      followError ??= error instanceof Error ? error : new Error(String(error));
    });
  }
  await watched;
  if (followError !== undefined) {
    throw new TraceFollowError(
      `Cannot follow the trace "${plan.tracePath}": ${followError.message}`,
    );
  }
  return await running;
}
