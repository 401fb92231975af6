/**
 * Cleanup: every child process and temp dir the simulator creates is tracked
 * here, so that success, failure, a target hang and SIGINT/SIGTERM all leave
 * nothing behind. One instance per simulator run.
 *
 * @module
 */

/** Something that must be undone before the simulator exits. */
interface Tracked {
  kill?: () => void;
  removeDir?: string;
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

  /** Tracks a spawned child until {@link untrackChild}. */
  trackChild(child: Deno.ChildProcess): void {
    this.#children.add(child);
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

  /** Kills every tracked child with SIGKILL. */
  killChildren(): void {
    for (const child of this.#children) {
      try {
        child.kill("SIGKILL");
      } catch {
        // Already exited.
      }
    }
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
   * On SIGINT/SIGTERM: kill children, remove dirs, then exit with 128 + the
   * signal number (130, 143). `onSignal` runs first (e.g. to print a line).
   */
  installSignalHandlers(onSignal: (signal: Deno.Signal) => void): void {
    for (const signal of ["SIGINT", "SIGTERM"] as const) {
      const handler = () => {
        if (this.#interrupted !== undefined) return;
        this.#interrupted = signal;
        onSignal(signal);
        this.killChildren();
        const code = signal === "SIGINT" ? 130 : 143;
        this.dispose().then(() => Deno.exit(code), () => Deno.exit(code));
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
