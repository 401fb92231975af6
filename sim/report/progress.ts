/**
 * Progress of a tool that runs many jobs (the mutant matrix's cells, the
 * determinism check's scenarios): a line per finished job with
 * `[done/total]`, the time elapsed and an estimate of the time left, and
 * never silence for long: while jobs run and nothing finishes, a heartbeat
 * line every `heartbeatMs` names the jobs in flight and how long each has
 * run. On a terminal the same status is one line redrawn in place every
 * second (finished jobs the caller calls notable are kept as lines above it);
 * elsewhere (CI logs, a pipe) every line is a plain line.
 *
 * The text is made by pure functions; {@link Progress} adds the clock, the
 * timer and the writes, all injected so tests drive them.
 *
 * @module
 */

/** Longest a tool stays silent while jobs run, ms. */
export const HEARTBEAT_MS = 30_000;

/** How often the terminal status line is redrawn, ms. */
export const REFRESH_MS = 1_000;

/** Columns assumed when the terminal does not say (a pseudo-terminal may report 0). */
const COLUMNS_DEFAULT = 100;

/** A duration for people: `850 ms`, `4.1 s`, `42 s`, `3m05s`, `1h02m`. */
export function formatDuration(ms: number): string {
  if (ms < 1_000) return `${Math.max(0, Math.round(ms))} ms`;
  if (ms < 9_950) return `${(ms / 1_000).toFixed(1)} s`;
  const s = Math.round(ms / 1_000);
  if (s < 60) return `${s} s`;
  if (s < 3_600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  const m = Math.round(s / 60);
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, "0")}m`;
}

/**
 * Time left, estimated from the rate so far (wall time per finished job,
 * which already accounts for jobs running side by side); undefined before
 * the first job finishes.
 */
export function estimateLeftMs(done: number, total: number, elapsedMs: number): number | undefined {
  if (done <= 0) return undefined;
  return (elapsedMs / done) * Math.max(0, total - done);
}

/** What the status says: counts, times and the jobs in flight with their start times. */
export interface ProgressState {
  done: number;
  total: number;
  startedMs: number;
  nowMs: number;
  /** Jobs in flight and when each started. */
  running: ReadonlyMap<string, number>;
}

/** `[done/total] 1m05s elapsed, ~22m10s left` (or `time left unknown` before the first job ends). */
export function counterText(state: ProgressState): string {
  const elapsedMs = state.nowMs - state.startedMs;
  const left = estimateLeftMs(state.done, state.total, elapsedMs);
  return `[${state.done}/${state.total}] ${formatDuration(elapsedMs)} elapsed, ${
    left === undefined ? "time left unknown" : `~${formatDuration(left)} left`
  }`;
}

/** The jobs in flight, longest-running first, each with its running time. */
export function runningText(state: ProgressState): string {
  return [...state.running].sort((a, b) => a[1] - b[1])
    .map(([name, startMs]) => `${name} (${formatDuration(state.nowMs - startMs)})`).join(", ");
}

/** The line written when a job finishes. */
export function finishedLine(state: ProgressState, name: string, result: string): string {
  return `${counterText(state)}: ${name}: ${result}`;
}

/** The line written when jobs have run `HEARTBEAT_MS` with nothing finishing. */
export function heartbeatLine(state: ProgressState): string {
  return `${counterText(state)}: still running: ${runningText(state)}`;
}

/** The terminal's status line, cut to `columns`. */
export function statusLine(state: ProgressState, columns: number): string {
  const running = runningText(state);
  const line = `${counterText(state)}${running === "" ? "" : ` | running: ${running}`}`;
  const width = Math.max(20, columns - 1);
  return line.length <= width ? line : `${line.slice(0, width - 3)}...`;
}

/** Where and how {@link Progress} writes, and its clock. */
export interface ProgressOptions {
  total: number;
  /** Writes text as is (no newline added). */
  write: (text: string) => void;
  /** Whether the output is a terminal: one status line redrawn in place. */
  terminal: boolean;
  /** Terminal width in columns (default 100). */
  columns?: () => number;
  /** Clock in ms (default `performance.now`). */
  now?: () => number;
  /** Longest silence while jobs run (default {@link HEARTBEAT_MS}). */
  heartbeatMs?: number;
  /** Interval of the timer that redraws or checks for silence; 0 starts no timer (tests call `tick()`). */
  timerMs?: number;
}

const CLEAR_LINE = "\r\x1b[K";

/** Progress of a run of `total` jobs; call `stop()` when done (it ends the timer). */
export class Progress {
  readonly #options: ProgressOptions;
  readonly #now: () => number;
  readonly #startedMs: number;
  readonly #heartbeatMs: number;
  readonly #running = new Map<string, number>();
  #done = 0;
  #lastLineMs: number;
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(options: ProgressOptions) {
    if (!(Number.isInteger(options.total) && options.total >= 0)) {
      throw new RangeError(`Progress needs a total of 0 or more jobs, got ${options.total}`);
    }
    this.#options = options;
    this.#now = options.now ?? (() => performance.now());
    this.#startedMs = this.#now();
    this.#lastLineMs = this.#startedMs;
    this.#heartbeatMs = options.heartbeatMs ?? HEARTBEAT_MS;
    const timerMs = options.timerMs ?? (options.terminal ? REFRESH_MS : 1_000);
    if (timerMs > 0) this.#timer = setInterval(() => this.tick(), timerMs);
  }

  #state(): ProgressState {
    return {
      done: this.#done,
      total: this.#options.total,
      startedMs: this.#startedMs,
      nowMs: this.#now(),
      running: this.#running,
    };
  }

  #line(text: string): void {
    this.#lastLineMs = this.#now();
    if (this.#options.terminal) {
      this.#options.write(`${CLEAR_LINE}${text}\n`);
      this.#redraw();
    } else {
      this.#options.write(`${text}\n`);
    }
  }

  #redraw(): void {
    const columns = this.#options.columns?.() ?? COLUMNS_DEFAULT;
    this.#options.write(`${CLEAR_LINE}${statusLine(this.#state(), columns)}`);
  }

  /** A job started. */
  start(name: string): void {
    this.#running.set(name, this.#now());
    if (this.#options.terminal) this.#redraw();
  }

  /**
   * A job finished with `result` (e.g. `caught (exit 1, 2.1 s)`). On a
   * terminal only a `notable` result stays as a line; elsewhere every one does.
   */
  finish(name: string, result: string, notable = false): void {
    this.#running.delete(name);
    this.#done += 1;
    const line = finishedLine(this.#state(), name, result);
    if (!this.#options.terminal || notable) this.#line(line);
    else this.#redraw();
  }

  /** A line that is not a job's result (a warning), kept above the status. */
  note(text: string): void {
    this.#line(text);
  }

  /** Redraws the status (terminal) or writes a heartbeat after `heartbeatMs` of silence with jobs running. */
  tick(): void {
    if (this.#options.terminal) {
      this.#redraw();
    } else if (this.#running.size > 0 && this.#now() - this.#lastLineMs >= this.#heartbeatMs) {
      this.#line(heartbeatLine(this.#state()));
    }
  }

  /** Ends the timer and, on a terminal, clears the status line. */
  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    if (this.#options.terminal) this.#options.write(CLEAR_LINE);
  }
}

function terminalColumns(): number {
  try {
    const { columns } = Deno.consoleSize();
    return columns >= 20 ? columns : COLUMNS_DEFAULT;
  } catch {
    return COLUMNS_DEFAULT;
  }
}

/** Progress written to stderr, redrawn in place when stderr is a terminal. */
export function progressOnStderr(total: number): Progress {
  const encoder = new TextEncoder();
  return new Progress({
    total,
    terminal: Deno.stderr.isTerminal(),
    columns: terminalColumns,
    write: (text) => {
      Deno.stderr.writeSync(encoder.encode(text));
    },
  });
}
