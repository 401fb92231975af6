/**
 * What the strace backend can express, as data: for each supported (point,
 * phase, action), the syscall it is tied to, how strace tampers with it, and
 * which hit selectors stay exact. Everything else is refused with an
 * {@link UnsupportedRuleError} before any process starts.
 *
 * Probed facts (strace 6.1, Deno 2.9.6) that shape the table:
 *
 * - `-P <path>` is a global filter for tracing and tampering alike. It
 *   matches `openat`/`unlink` by path (also for a path that does not exist
 *   yet), and fd-based calls (`fsync`, `pwrite64`, `close`) through the fd's
 *   path. It matches `rename` by its SOURCE only, and swamp's lockfile write
 *   renames a random `.<uuid>.tmp`: the atomic replacement cannot be
 *   targeted. What can be targeted is a data write to the lockfile's own
 *   path (`-P <lockfile>`, matched through the fd): only a writer that
 *   writes the lockfile in place makes one. `Deno.writeTextFile` opens the
 *   file `O_WRONLY|O_CREAT|O_TRUNC` and writes it with one `write` on a pool
 *   thread; an atomic writer writes its tmp file, never the lockfile's path.
 * - `when=` counts per syscall and per tracee, i.e. per THREAD under `-f`.
 *   Deno runs async file calls (`Deno.open`, `Deno.remove`) on a rotating
 *   pool of threads, so "the n-th lock attempt" cannot be named: a
 *   `when=1..3` on the lock's `openat` failed attempts 1-8 and 10 of one run,
 *   and `write:error=ENOSPC:when=1` on a file written ten times by
 *   `Deno.writeTextFile` failed writes 1-3 (one per pool thread).
 *   Only `every` (all hits) is exact there, plus `crash` on the first hit
 *   (the first kill ends the process, whichever thread it hits). SQLite runs
 *   on the JS thread, so catalog syscalls count exactly.
 * - A bounded `contend` is therefore counted by the simulator, not by strace:
 *   `signal=SIGSTOP` on every lock openat runs the syscall, then stops the
 *   whole process (every thread reports "stopped by SIGSTOP") before the
 *   result reaches JavaScript, and the trace file shows the attempt and the
 *   stop at once (strace flushes each line). The simulator holds the real
 *   lock file for attempts 1..k and sends SIGCONT after each stop. A pause
 *   after the n-th attempt uses the same stops: at the n-th, SIGCONT waits
 *   for the pause's conditions, so the process holds what it took. A SIGCONT
 *   sent before the stop line could be lost (the kernel may still be
 *   delivering the SIGSTOP), so it is sent only after that line.
 * - `signal=SIGKILL` on entry kills before the syscall runs; `error=`
 *   suppresses the syscall; `delay_enter` is included in `-T` durations,
 *   `delay_exit` is not.
 * - A COMMIT in WAL mode writes its frames (`pwrite64` on `-wal`), then
 *   `fsync`s the WAL. Killed at the fsync's entry, the frames are already in
 *   the page cache and the next connection's WAL recovery sees the commit:
 *   that is "after catalog.commit". Killed at the first WAL write, nothing of
 *   the transaction reached the WAL: "before catalog.commit".
 * - When the WAL restarts (it was fully checkpointed, e.g. by the last
 *   connection's clean close), the first commit first writes and syncs a new
 *   32-byte WAL header. A kill aimed at "the first WAL sync" then lands
 *   before the frames: the parser sees the header write and logs the crash
 *   as `before`, as it happened. swamp and the reference never close the
 *   catalog, so their WAL restarts only after an auto-checkpoint. A clean
 *   close also syncs the WAL once more; rules here therefore name only the
 *   first hit or every hit.
 *
 * @module
 */

import type { ShimRule } from "../rule.ts";
import type { ActionKind, ErrorCode, Phase, Point } from "../vocabulary.ts";

/** The file a supported rule's syscall touches; `spawn` when the simulator applies it without strace. */
export type StraceFile = "lock" | "lockfile" | "wal" | "spawn";

/**
 * How strace tampers with the syscall. `stop` is `signal=SIGSTOP` on every
 * hit: the syscall runs, then the process stops until the simulator decides
 * the next step and sends SIGCONT (see `follow.ts`). `gate` touches no
 * syscall: the simulator holds the process's spawn until a pause's
 * conditions hold.
 */
export type StraceTamper = "signal" | "error" | "delay_enter" | "delay_exit" | "stop" | "gate";

/**
 * Which hit selectors a mapping expresses exactly: `first` is `nth: 1`,
 * `later` any `nth`, `every` is `every: true`. strace cannot count a later
 * hit (see the module doc); only a mapping the simulator counts itself, with
 * the process stopped after every lock attempt (`stop`), takes one.
 */
export type StraceHits = "first" | "later" | "every";

/** One row of the expressibility table. */
export interface StraceMapping {
  point: Point;
  phase: Phase;
  action: ActionKind;
  file: StraceFile;
  /** Syscalls the injection names (strace counts each separately). */
  syscalls: readonly string[];
  tamper: StraceTamper;
  /** Hit selectors that stay exact: `every` always; see {@link StraceHits}. */
  hits: readonly StraceHits[];
  /** How the rule is expressed and what "hit" counts, in one sentence. */
  how: string;
}

const LOCK_OPEN = ["openat", "open"] as const;
const LOCK_UNLINK = ["unlink", "unlinkat"] as const;
const WAL_SYNC = ["fsync", "fdatasync"] as const;
const WAL_WRITE = ["pwrite64"] as const;
/**
 * Data writes to the lockfile: `write` is what `Deno.writeTextFile` makes,
 * `writev` what a gathering writer makes. Not `pwrite64`: an injection names
 * a syscall for every `-P` file, and `pwrite64` is the WAL's frame write.
 */
const LOCKFILE_WRITE = ["write", "writev"] as const;
const EVERY: readonly StraceHits[] = ["every"];
const FIRST: readonly StraceHits[] = ["first"];
const FIRST_OR_EVERY: readonly StraceHits[] = ["first", "every"];
const ANY: readonly StraceHits[] = ["first", "later", "every"];

/** The strace backend's expressibility table (also rendered in `README.md`). */
export const STRACE_SUPPORT: readonly StraceMapping[] = [
  {
    point: "process.start",
    phase: "before",
    action: "pause",
    file: "spawn",
    syscalls: [],
    tamper: "gate",
    hits: FIRST_OR_EVERY,
    how: "no syscall: the simulator spawns the process only once the pause's conditions hold " +
      "(or its timeout passed), so nothing of it runs before; the events it waits for are " +
      "announced from the other processes' traces (after lock.acquire, lock.release, " +
      "catalog.commit)",
  },
  {
    point: "lock.acquire",
    phase: "before",
    action: "crash",
    file: "lock",
    syscalls: LOCK_OPEN,
    tamper: "signal",
    hits: FIRST_OR_EVERY,
    how: "SIGKILL on entry of the lock's O_EXCL openat; the lock is not created",
  },
  {
    point: "lock.acquire",
    phase: "before",
    action: "error",
    file: "lock",
    syscalls: LOCK_OPEN,
    tamper: "error",
    hits: EVERY,
    how: "error=CODE on the lock's openat, which never runs",
  },
  {
    point: "lock.acquire",
    phase: "before",
    action: "contend",
    file: "lock",
    syscalls: LOCK_OPEN,
    tamper: "error",
    hits: EVERY,
    how: "error=EEXIST on every lock openat: the lock looks held for the whole process",
  },
  {
    point: "lock.acquire",
    phase: "before",
    action: "contend",
    file: "lock",
    syscalls: LOCK_OPEN,
    tamper: "stop",
    hits: FIRST,
    how: "attempts 1..k find the lock really held: the simulator takes the lock file before " +
      "the process starts and removes it once the k-th attempt failed; SIGSTOP after every " +
      "lock openat parks the process while the simulator counts, so the count is exact " +
      "whichever thread opens. Other processes see the lock held meanwhile",
  },
  {
    point: "lock.acquire",
    phase: "before",
    action: "delay",
    file: "lock",
    syscalls: LOCK_OPEN,
    tamper: "delay_enter",
    hits: EVERY,
    how: "delay_enter on the lock's openat",
  },
  {
    point: "lock.acquire",
    phase: "after",
    action: "delay",
    file: "lock",
    syscalls: LOCK_OPEN,
    tamper: "delay_exit",
    hits: EVERY,
    how: "delay_exit on the lock's openat",
  },
  {
    point: "lock.acquire",
    phase: "after",
    action: "pause",
    file: "lock",
    syscalls: LOCK_OPEN,
    tamper: "stop",
    hits: ANY,
    how: "SIGSTOP after every lock openat stops the process with the attempt's result in hand " +
      "(the lock held, when it took it); the simulator counts the attempts and, at the " +
      "rule's hit, sends SIGCONT only once the pause's conditions hold (or its timeout or the " +
      "process's limit passed), announcing the attempt first. Other processes see the lock " +
      "held meanwhile",
  },
  {
    point: "lock.release",
    phase: "before",
    action: "crash",
    file: "lock",
    syscalls: LOCK_UNLINK,
    tamper: "signal",
    hits: FIRST_OR_EVERY,
    how: "SIGKILL on entry of the lock's unlink; the lock file stays",
  },
  {
    point: "lock.release",
    phase: "before",
    action: "error",
    file: "lock",
    syscalls: LOCK_UNLINK,
    tamper: "error",
    hits: EVERY,
    how: "error=CODE on the lock's unlink, which never runs",
  },
  {
    point: "lock.release",
    phase: "before",
    action: "delay",
    file: "lock",
    syscalls: LOCK_UNLINK,
    tamper: "delay_enter",
    hits: EVERY,
    how: "delay_enter on the lock's unlink",
  },
  {
    point: "lock.release",
    phase: "after",
    action: "delay",
    file: "lock",
    syscalls: LOCK_UNLINK,
    tamper: "delay_exit",
    hits: EVERY,
    how: "delay_exit on the lock's unlink",
  },
  {
    point: "lockfile.write",
    phase: "before",
    action: "crash",
    file: "lockfile",
    syscalls: LOCKFILE_WRITE,
    tamper: "signal",
    hits: FIRST_OR_EVERY,
    how: "SIGKILL on entry of the first data write to the lockfile's own path. Fires only for " +
      "an in-place writer, which has already truncated the file (O_TRUNC), so it is left " +
      "empty; an atomic writer (tmp + rename) never writes the lockfile's path and is never " +
      "killed by this rule",
  },
  {
    point: "lockfile.write",
    phase: "before",
    action: "error",
    file: "lockfile",
    syscalls: LOCKFILE_WRITE,
    tamper: "error",
    hits: EVERY,
    how: "error=CODE (EIO, ENOSPC) on every data write to the lockfile's own path: the " +
      "lockfile's own data write fails (disk full / I/O error). An atomic writer (tmp + " +
      "rename) never writes the lockfile's path, so the rule does not fire and the lockfile " +
      "stays intact; an in-place writer has already truncated the file (O_TRUNC) when its " +
      "write fails, leaving it empty or partial",
  },
  {
    point: "lockfile.write",
    phase: "after",
    action: "crash",
    file: "lock",
    syscalls: LOCK_UNLINK,
    tamper: "signal",
    hits: FIRST_OR_EVERY,
    how: "SIGKILL on entry of the lock-release unlink that follows the rename: " +
      "lockfile written, lock file left behind",
  },
  {
    point: "catalog.commit",
    phase: "before",
    action: "crash",
    file: "wal",
    syscalls: WAL_WRITE,
    tamper: "signal",
    hits: FIRST_OR_EVERY,
    how: "SIGKILL on entry of the first WAL frame write: nothing of the transaction is in the WAL",
  },
  {
    point: "catalog.commit",
    phase: "before",
    action: "error",
    file: "wal",
    syscalls: WAL_WRITE,
    tamper: "error",
    hits: FIRST_OR_EVERY,
    how: "error=EIO on the first (or every) WAL frame write: SQLite reports a disk I/O error " +
      "and rolls back",
  },
  {
    point: "catalog.commit",
    phase: "before",
    action: "delay",
    file: "wal",
    syscalls: WAL_SYNC,
    tamper: "delay_enter",
    hits: FIRST_OR_EVERY,
    how: "delay_enter on the first (or every) WAL sync: the frames are written, the commit is " +
      "not yet visible",
  },
  {
    point: "catalog.commit",
    phase: "after",
    action: "crash",
    file: "wal",
    syscalls: WAL_SYNC,
    tamper: "signal",
    hits: FIRST_OR_EVERY,
    how: "SIGKILL on entry of the first WAL sync: the commit frame is written, so the next " +
      "connection recovers it",
  },
];

/** The errors a data write of the lockfile can be made to fail with. */
const LOCKFILE_WRITE_ERRORS: readonly ErrorCode[] = ["EIO", "ENOSPC"];

/** Why a point cannot be expressed at all under strace. */
const POINT_REASONS: Partial<Record<Point, string>> = {
  "process.start":
    "strace sees no syscall of the target's own start that a rule could name (only a pause " +
    "there is applied, by holding the spawn)",
  "process.exit": "exit_group touches no path, and -P filters every pathless syscall",
  "registry.fetch": "sockets have no path, and -P filters every pathless syscall",
  "fs.extract": "-P matches exact paths only, and the extracted files are known by prefix",
  "fs.remove": "-P matches exact paths only, and the removed files are known by prefix",
  "catalog.begin": "a deferred BEGIN makes no syscall",
  "catalog.rollback": "rolling back an unwritten transaction makes no syscall",
};

/**
 * Points whose every hit a trace shows as events (both phases, `threw` on
 * `after`), so a witness may count them: the lock's attempts and releases
 * and the WAL commits. Other points show only as a rule's own action.
 */
export const STRACE_EVENT_POINTS: readonly Point[] = [
  "lock.acquire",
  "lock.release",
  "catalog.commit",
];

/**
 * Events a traced process can announce for other processes' pauses: those
 * its trace shows as they happen. A `before` event shows only once its
 * syscall returned, which is already after the step, so only `after` events
 * are announced.
 */
export const STRACE_ANNOUNCED: readonly { point: Point; phase: Phase }[] = [
  { point: "lock.acquire", phase: "after" },
  { point: "lock.release", phase: "after" },
  { point: "catalog.commit", phase: "after" },
];

/**
 * Why a traced process cannot announce `e` for another process's pause, or
 * undefined. A commit after the first is not announced: an auto-checkpoint's
 * WAL sync would count as one (see the module doc).
 */
export function straceCannotAnnounce(
  e: { point: Point; phase: Phase; hit?: number },
): string | undefined {
  if (!STRACE_ANNOUNCED.some((a) => a.point === e.point && a.phase === e.phase)) {
    return `a traced process cannot announce "${e.phase} ${e.point}" for a pause: strace shows ` +
      `only ${STRACE_ANNOUNCED.map((a) => `${a.phase} ${a.point}`).join(", ")} as they happen`;
  }
  if (e.point === "catalog.commit" && (e.hit ?? 1) !== 1) {
    return `a traced process announces only its first catalog commit, not hit ${e.hit}: ` +
      "strace cannot tell a later commit's WAL sync from a checkpoint's";
  }
  return undefined;
}

/** A rule the strace backend cannot express; raised before any process starts. */
export class UnsupportedRuleError extends Error {
  readonly ruleId: string;
  readonly point: Point;
  readonly phase: Phase;
  readonly action: ActionKind;
  readonly reason: string;
  constructor(rule: ShimRule, reason: string) {
    super(
      `Cannot express rule "${rule.id}" (${rule.action.kind} ${rule.when} ${rule.at}) ` +
        `with strace: ${reason}`,
    );
    this.name = "UnsupportedRuleError";
    this.ruleId = rule.id;
    this.point = rule.at;
    this.phase = rule.when;
    this.action = rule.action.kind;
    this.reason = reason;
  }
}

function hitKind(rule: ShimRule): StraceHits | "probability" {
  if ("every" in rule.hit) return "every";
  if ("nth" in rule.hit) return rule.hit.nth === 1 ? "first" : "later";
  return "probability";
}

/**
 * The table row that expresses `rule`, or throws an
 * {@link UnsupportedRuleError} saying why there is none.
 */
export function straceMapping(rule: ShimRule): StraceMapping {
  const rows = STRACE_SUPPORT.filter((m) =>
    m.point === rule.at && m.phase === rule.when && m.action === rule.action.kind
  );
  const reason = POINT_REASONS[rule.at];
  if (rows.length === 0 && reason !== undefined) throw new UnsupportedRuleError(rule, reason);
  if (rows.length === 0) {
    const supported = STRACE_SUPPORT.filter((m) => m.point === rule.at)
      .map((m) => `${m.action} ${m.phase}`);
    throw new UnsupportedRuleError(
      rule,
      `no syscall marks this phase for this action (supported at "${rule.at}": ${
        [...new Set(supported)].join(", ")
      })`,
    );
  }
  const action = rule.action;
  if (action.kind === "delay" && !("delayMs" in action)) {
    throw new UnsupportedRuleError(rule, "a delay range needs a value per hit; strace takes one");
  }
  const file = rows[0].file;
  if (action.kind === "error" && file === "wal" && action.error !== "EIO") {
    throw new UnsupportedRuleError(
      rule,
      `"${action.error}" is a lock state of SQLite, not a syscall result`,
    );
  }
  if (
    action.kind === "error" && file === "lockfile" &&
    !(LOCKFILE_WRITE_ERRORS as readonly string[]).includes(action.error)
  ) {
    throw new UnsupportedRuleError(
      rule,
      `a data write does not fail with "${action.error}" (permission is checked when the file ` +
        `is opened); the lockfile's write takes ${LOCKFILE_WRITE_ERRORS.join(" or ")}`,
    );
  }
  const hits = hitKind(rule);
  if (hits === "probability") {
    throw new UnsupportedRuleError(rule, "strace has no per-hit probability");
  }
  const mapping = rows.find((m) => (m.hits as readonly string[]).includes(hits));
  if (mapping === undefined) {
    const exact = [...new Set(rows.flatMap((m) => m.hits))];
    throw new UnsupportedRuleError(
      rule,
      `only ${exact.map(hitsText).join(" or ")} hits are exact ` +
        (action.kind === "contend"
          ? "for contend: the held lock is taken before the process starts"
          : "here: strace counts per thread" +
            (file === "wal" ? "" : " and Deno runs async file calls on a thread pool")),
    );
  }
  return mapping;
}

/** A hit selector kind as a scenario writes it. */
function hitsText(h: StraceHits): string {
  return h === "first" ? "nth: 1" : h === "later" ? "nth: n" : h;
}

/** {@link STRACE_SUPPORT} as a markdown table (the one in `faults/strace/README.md`). */
export function renderStraceTable(): string {
  const hits = (m: StraceMapping) => m.hits.map(hitsText).join(", ");
  const lines = [
    "| point | phase | action | syscall (file) | strace | exact hits | how |",
    "| --- | --- | --- | --- | --- | --- | --- |",
    ...STRACE_SUPPORT.map((m) =>
      `| ${m.point} | ${m.phase} | ${m.action} | ${m.syscalls.join(", ")} (${m.file}) | ` +
      `${m.tamper} | ${hits(m)} | ${m.how} |`
    ),
  ];
  return lines.join("\n");
}
