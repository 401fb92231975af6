/**
 * Reading an strace trace (`-f -ttt -T -y`) back into the same
 * {@link FaultEvent}s the preload shim logs, so the history does not depend
 * on the backend. Only the points strace can see become events: lock
 * attempts and releases, WAL syncs as catalog commits, and the crash or
 * error a rule caused (the table in `support.ts`), such as a failed or
 * killed data write to the lockfile's own path.
 *
 * @module
 */

import type { FaultEvent } from "../event.ts";
import type { Phase, Point } from "../vocabulary.ts";
import type { PlannedRule, StracePlan } from "./command.ts";

/** One syscall as the trace shows it. */
interface SyscallRecord {
  tid: number;
  /** Entry time in ms. */
  atMs: number;
  name: string;
  args: string;
  /** The syscall never returned: the process was killed at or during it. */
  killed: boolean;
  returned?: number;
  errno?: string;
  injected: boolean;
  delayed: boolean;
  /** Time in the syscall in ms (`-T`), including an entry delay. */
  durationMs?: number;
}

const LINE = /^(\d+)\s+(\d+\.\d+)\s+(.*)$/;
const RESUMED = /^<\.\.\. (\w+) resumed>(.*)$/;
const CALL = /^(\w+)\((.*)$/;
const UNFINISHED = " <unfinished ...>";

/** One line of an `-f -ttt` trace, split; undefined for a line of another shape. */
export type TraceLine =
  | { tid: number; atMs: number; kind: "call"; name: string; rest: string; unfinished: boolean }
  | { tid: number; atMs: number; kind: "resumed"; name: string; rest: string }
  | { tid: number; atMs: number; kind: "other"; body: string };

/** Splits one trace line into thread id, time and syscall (or another record, e.g. a signal). */
export function parseTraceLine(line: string): TraceLine | undefined {
  const match = LINE.exec(line);
  if (match === null) return undefined;
  const tid = Number(match[1]);
  const atMs = Number(match[2]) * 1000;
  const body = match[3];
  const resumed = RESUMED.exec(body);
  if (resumed !== null) return { tid, atMs, kind: "resumed", name: resumed[1], rest: resumed[2] };
  const call = CALL.exec(body);
  if (call === null) return { tid, atMs, kind: "other", body };
  const unfinished = call[2].endsWith(UNFINISHED);
  return {
    tid,
    atMs,
    kind: "call",
    name: call[1],
    rest: unfinished ? call[2].slice(0, -UNFINISHED.length) : call[2],
    unfinished,
  };
}

/** Whether a syscall with these arguments opens the file at `lockPath` (any flags). */
export function isLockOpen(name: string, args: string, lockPath: string): boolean {
  return (name === "openat" || name === "open") && args.includes(`"${lockPath}"`);
}

/** Whether a syscall with these arguments is an attempt to take the lock at `lockPath` (`O_EXCL` open). */
export function isLockAttempt(name: string, args: string, lockPath: string): boolean {
  return isLockOpen(name, args, lockPath) && args.includes("O_EXCL");
}

function parseOutcome(record: SyscallRecord, rest: string): void {
  const split = rest.lastIndexOf(") = ");
  if (split < 0) {
    record.args += rest;
    record.killed = true;
    return;
  }
  record.args += rest.slice(0, split);
  const outcome = rest.slice(split + 4);
  if (outcome.startsWith("?")) {
    record.killed = true;
    return;
  }
  const value = /^(-?\d+)/.exec(outcome);
  if (value !== null) record.returned = Number(value[1]);
  const errno = /^-1 (E[A-Z0-9]+) /.exec(outcome);
  if (errno !== null) record.errno = errno[1];
  record.injected = outcome.includes("(INJECTED)");
  record.delayed = outcome.includes("(DELAYED)");
  const duration = /<(\d+\.\d+)>\s*$/.exec(outcome);
  if (duration !== null) record.durationMs = Number(duration[1]) * 1000;
}

/** The syscalls of a trace, in entry order; calls cut short by a kill are `killed`. */
export function parseSyscalls(text: string): SyscallRecord[] {
  const records: SyscallRecord[] = [];
  const pending = new Map<number, SyscallRecord>();
  for (const raw of text.split("\n")) {
    const line = parseTraceLine(raw);
    if (line === undefined || line.kind === "other") continue; // "+++ killed by", "--- SIG... ---"
    if (line.kind === "resumed") {
      const record = pending.get(line.tid);
      if (record === undefined || record.name !== line.name) continue;
      pending.delete(line.tid);
      record.killed = false;
      parseOutcome(record, line.rest);
      continue;
    }
    const record: SyscallRecord = {
      tid: line.tid,
      atMs: line.atMs,
      name: line.name,
      args: "",
      killed: false,
      injected: false,
      delayed: false,
    };
    records.push(record);
    if (line.unfinished) {
      record.args = line.rest;
      record.killed = true; // until it resumes
      pending.set(line.tid, record);
    } else {
      parseOutcome(record, line.rest);
    }
  }
  return records.sort((a, b) => a.atMs - b.atMs);
}

type Kind =
  | "lock-open"
  | "lock-unlink"
  | "lockfile-open"
  | "lockfile-write"
  | "wal-sync"
  | "wal-write";

/** Open flags that let the fd write the file. */
const WRITE_OPEN = /\bO_(WRONLY|RDWR)\b/;

function kindOf(record: SyscallRecord, plan: StracePlan): Kind | undefined {
  const onLock = record.args.includes(`"${plan.lockPath}"`);
  const onWal = record.args.includes(`<${plan.walPath}>`);
  switch (record.name) {
    case "openat":
    case "open":
      if (isLockAttempt(record.name, record.args, plan.lockPath)) return "lock-open";
      return record.args.includes(`"${plan.lockfilePath}"`) && WRITE_OPEN.test(record.args)
        ? "lockfile-open"
        : undefined;
    case "write":
    case "writev":
      return record.args.includes(`<${plan.lockfilePath}>`) ? "lockfile-write" : undefined;
    case "unlink":
    case "unlinkat":
      return onLock ? "lock-unlink" : undefined;
    case "fsync":
    case "fdatasync":
      return onWal ? "wal-sync" : undefined;
    case "pwrite64":
      return onWal ? "wal-write" : undefined;
    default:
      return undefined;
  }
}

/** A restarted WAL's header: 32 bytes written at offset 0. */
function isWalHeaderWrite(record: SyscallRecord): boolean {
  return /, 32, 0$/.test(record.args);
}

function ruleFor(record: SyscallRecord, kind: Kind, plan: StracePlan): PlannedRule | undefined {
  const file = kind.startsWith("lockfile") ? "lockfile" : kind.startsWith("lock") ? "lock" : "wal";
  return plan.rules.find(({ mapping }) =>
    mapping.file === file && mapping.syscalls.includes(record.name)
  );
}

/**
 * The events of one traced process. `process` is the plan's process index;
 * the pid is the trace's lowest thread id (the main thread's).
 */
export function parseStraceTrace(text: string, plan: StracePlan, process: number): FaultEvent[] {
  const records = parseSyscalls(text);
  const pid = records.reduce((min, r) => Math.min(min, r.tid), Number.POSITIVE_INFINITY);
  const events: FaultEvent[] = [];
  const hits = new Map<Point, number>();
  const catalogPath = plan.walPath.replace(/-wal$/, "");

  const nextHit = (point: Point) => {
    const hit = (hits.get(point) ?? 0) + 1;
    hits.set(point, hit);
    return hit;
  };
  const push = (
    point: Point,
    phase: Phase,
    hit: number,
    atMs: number,
    target: string,
    fired: PlannedRule | undefined,
    extra: Partial<FaultEvent> = {},
  ) => {
    const event: FaultEvent = {
      seq: events.length + 1,
      process,
      pid: Number.isFinite(pid) ? pid : 0,
      point,
      phase,
      hit,
      action: fired === undefined ? "none" : fired.rule.action.kind,
      atMs,
      target,
      ...extra,
    };
    if (fired !== undefined) event.rule = fired.rule.id;
    const action = fired?.rule.action;
    if (action?.kind === "delay" && "delayMs" in action) event.delayMs = action.delayMs;
    events.push(event);
  };
  /** The rule when it fired on this record by the given tamper, else undefined. */
  const firedBy = (planned: PlannedRule | undefined, tamper: string, fired: boolean) =>
    planned !== undefined && planned.mapping.tamper === tamper && fired ? planned : undefined;

  let lastWalWrite: "header" | "frame" | undefined;
  /** Opens of the lockfile for writing so far: the hit of an in-place write. */
  let lockfileWriteOpens = 0;
  for (const record of records) {
    const kind = kindOf(record, plan);
    if (kind === undefined) continue;
    const planned = ruleFor(record, kind, plan);
    const endMs = record.atMs + (record.durationMs ?? 0);
    const threw = record.returned !== undefined && record.returned < 0;
    const crashed = firedBy(planned, "signal", record.killed);

    if (kind === "lockfile-open") {
      lockfileWriteOpens++;
      continue;
    }
    if (kind === "lockfile-write") {
      // Only a rule that fired makes an event: an atomic writer's lockfile
      // write (tmp + rename) is not visible here, so no hit is logged without one.
      const error = firedBy(planned, "error", record.injected);
      const fired = crashed ?? error;
      if (fired === undefined) continue;
      const extra = error === undefined ? {} : { error: record.errno };
      const hit = Math.max(lockfileWriteOpens, 1);
      push("lockfile.write", "before", hit, record.atMs, plan.lockfilePath, fired, extra);
      continue;
    }

    if (kind === "lock-open" || kind === "lock-unlink") {
      if (crashed?.rule.at === "lockfile.write") {
        push(
          "lockfile.write",
          "after",
          nextHit("lockfile.write"),
          record.atMs,
          plan.lockfilePath,
          crashed,
        );
        continue;
      }
      const point: Point = kind === "lock-open" ? "lock.acquire" : "lock.release";
      const hit = nextHit(point);
      if (record.injected) {
        const error = firedBy(planned, "error", true);
        push(point, "before", hit, record.atMs, plan.lockPath, error, { error: record.errno });
        continue;
      }
      const held = kind === "lock-open" && record.errno === "EEXIST" &&
          hit <= (plan.heldLockAttempts ?? 0)
        ? firedBy(planned, "stop", true)
        : undefined;
      if (held !== undefined) {
        // Attempts 1..k found the lock file the simulator held: contended, as planned.
        push(point, "before", hit, record.atMs, plan.lockPath, held, { error: "EEXIST" });
        continue;
      }
      const delayedBefore = firedBy(planned, "delay_enter", record.delayed);
      push(point, "before", hit, record.atMs, plan.lockPath, crashed ?? delayedBefore);
      if (record.killed) continue;
      const delayedAfter = firedBy(planned, "delay_exit", record.delayed);
      push(point, "after", hit, endMs, plan.lockPath, delayedAfter, { threw });
      continue;
    }

    if (kind === "wal-write") {
      lastWalWrite = isWalHeaderWrite(record) ? "header" : "frame";
      const error = firedBy(planned, "error", record.injected);
      const fired = crashed ?? error;
      if (fired === undefined) continue;
      const extra = error === undefined ? {} : { error: "EIO" };
      push(
        "catalog.commit",
        "before",
        nextHit("catalog.commit"),
        record.atMs,
        catalogPath,
        fired,
        extra,
      );
      continue;
    }

    const headerSync = lastWalWrite === "header";
    lastWalWrite = undefined;
    if (headerSync) {
      // The sync of a restarted WAL's header: no frame of the commit is written yet.
      if (crashed === undefined) continue;
      push(
        "catalog.commit",
        "before",
        nextHit("catalog.commit"),
        record.atMs,
        catalogPath,
        crashed,
      );
      continue;
    }
    const hit = nextHit("catalog.commit");
    const delayedBefore = firedBy(planned, "delay_enter", record.delayed);
    push("catalog.commit", "before", hit, record.atMs, catalogPath, delayedBefore);
    if (crashed !== undefined) {
      push("catalog.commit", "after", hit, record.atMs, catalogPath, crashed, { threw: false });
      continue;
    }
    if (record.killed) continue;
    push("catalog.commit", "after", hit, endMs, catalogPath, undefined, { threw });
  }
  return events;
}

/** Reads the plan's trace file (missing: strace never started) and parses it. */
export async function readStraceEvents(plan: StracePlan, process: number): Promise<FaultEvent[]> {
  let text: string;
  try {
    text = await Deno.readTextFile(plan.tracePath);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  }
  return parseStraceTrace(text, plan, process);
}
