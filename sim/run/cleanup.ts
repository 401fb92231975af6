/**
 * Cleanup: every child process and temp dir the simulator creates is tracked
 * here, so that success, failure, a target hang and SIGINT/SIGTERM all leave
 * nothing behind. One instance per simulator run.
 *
 * @module
 */

import { killProcessTree } from "./process_tree.ts";

/** The run was interrupted by a signal; nothing new may start. */
export class Interrupted extends Error {
  readonly signal: Deno.Signal;
  constructor(signal: Deno.Signal) {
    super(`Interrupted by ${signal}`);
    this.name = "Interrupted";
    this.signal = signal;
  }
}

/** The exit code for an interruption: 128 + the signal number. */
export function exitCodeOf(signal: Deno.Signal): number {
  return signal === "SIGINT" ? 130 : signal === "SIGTERM" ? 143 : 128;
}

/** Tracks live children and temp dirs; undoes them on demand or on a signal. */
export class Cleanup {
  readonly #children = new Set<Deno.ChildProcess>();
  readonly #dirs = new Set<string>();
  readonly #keep: boolean;
  #signalHandlers: Array<{ signal: Deno.Signal; handler: () => void }> = [];
  #interrupted: Deno.Signal | undefined;

  constructor(options: { keepDirs?: boolean } = {}) {
    this.#keep = options.keepDirs ?? false;
  }

  /** The signal that interrupted the run, if any. */
  get interrupted(): Deno.Signal | undefined {
    return this.#interrupted;
  }

  /** Tracks a spawned child until {@link untrackChild}; after an interruption it is killed at once. */
  trackChild(child: Deno.ChildProcess): void {
    this.#children.add(child);
    if (this.#interrupted !== undefined) killProcessTree(child.pid);
  }

  /** Throws an {@link Interrupted} once the run was interrupted, so nothing new starts. */
  assertRunning(): void {
    if (this.#interrupted !== undefined) throw new Interrupted(this.#interrupted);
  }

  /** Stops tracking a child that exited. */
  untrackChild(child: Deno.ChildProcess): void {
    this.#children.delete(child);
  }

  /** Tracks a temp dir to remove at the end (unless dirs are kept). */
  trackDir(path: string): void {
    this.#dirs.add(path);
  }

  /** Removes one tracked dir now. */
  async removeDir(path: string): Promise<void> {
    this.#dirs.delete(path);
    await Deno.remove(path, { recursive: true }).catch((error) => {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    });
  }

  /** Kills every tracked child and its descendants (e.g. strace's target) with SIGKILL. */
  killChildren(): void {
    for (const child of this.#children) killProcessTree(child.pid);
  }

  /** Number of live tracked children. */
  get childCount(): number {
    return this.#children.size;
  }

  /** Kills children and removes tracked dirs (kept dirs stay). */
  async dispose(): Promise<void> {
    this.killChildren();
    const deadline = Date.now() + 5_000;
    while (this.#children.size > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    if (!this.#keep) {
      for (const dir of [...this.#dirs]) await this.removeDir(dir);
    }
    this.uninstallSignalHandlers();
  }

  /**
   * On SIGINT/SIGTERM: run `onSignal`, kill every child and refuse new work
   * ({@link assertRunning} throws), so the run unwinds through its normal
   * cleanup. Should it not finish within `graceMs`, dispose and exit with
   * 128 + the signal number (130, 143) anyway.
   */
  installSignalHandlers(onSignal: (signal: Deno.Signal) => void, graceMs = 10_000): void {
    for (const signal of ["SIGINT", "SIGTERM"] as const) {
      const handler = () => {
        if (this.#interrupted !== undefined) return;
        this.#interrupted = signal;
        onSignal(signal);
        this.killChildren();
        const timer = setTimeout(() => {
          const code = exitCodeOf(signal);
          this.dispose().then(() => Deno.exit(code), () => Deno.exit(code));
        }, graceMs);
        Deno.unrefTimer(timer);
      };
      Deno.addSignalListener(signal, handler);
      this.#signalHandlers.push({ signal, handler });
    }
  }

  /** Removes the signal handlers. */
  uninstallSignalHandlers(): void {
    for (const { signal, handler } of this.#signalHandlers) {
      Deno.removeSignalListener(signal, handler);
    }
    this.#signalHandlers = [];
  }
}
