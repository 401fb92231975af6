/**
 * The signal guard of a command that drives many runs (the mutant matrix,
 * the determinism check, fidelity): from SIGINT or SIGTERM on, it starts no
 * further run, so the run in flight unwinds through its own cleanup and the
 * command then removes its own temp dirs and exits with 128 + the signal
 * number. Without it a signal between two runs would end the process at
 * once and leave the command's report root behind.
 *
 * @module
 */

import { EXIT } from "../shared/exit_codes.ts";

const SIGNALS = ["SIGINT", "SIGTERM"] as const;

/** Listens for SIGINT/SIGTERM until {@link StopOnSignal.dispose}; records the first. */
export class StopOnSignal {
  #signal: Deno.Signal | undefined;
  readonly #handlers: Array<{ signal: Deno.Signal; handler: () => void }> = [];

  constructor() {
    for (const signal of SIGNALS) {
      const handler = () => {
        this.#signal ??= signal;
      };
      Deno.addSignalListener(signal, handler);
      this.#handlers.push({ signal, handler });
    }
  }

  /** The first signal received, if any. */
  get signal(): Deno.Signal | undefined {
    return this.#signal;
  }

  /**
   * Whether to start no further run: a signal arrived, or the last run (its
   * exit code given) ended interrupted.
   */
  shouldStop(lastExitCode?: number): boolean {
    return this.#signal !== undefined || lastExitCode === EXIT.sigint ||
      lastExitCode === EXIT.sigterm;
  }

  /** The exit code the command ends with after a signal (130, 143), or undefined. */
  exitCode(): number | undefined {
    if (this.#signal === undefined) return undefined;
    return this.#signal === "SIGINT" ? EXIT.sigint : EXIT.sigterm;
  }

  /** Removes the listeners. */
  dispose(): void {
    for (const { signal, handler } of this.#handlers) Deno.removeSignalListener(signal, handler);
    this.#handlers.length = 0;
  }
}
