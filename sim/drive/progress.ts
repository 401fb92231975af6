/**
 * The progress of a long run, on one line: rewritten in place on a
 * terminal, or printed as plain lines, at most one every
 * {@link PLAIN_PROGRESS_MS}, when the output is a file or a pipe.
 *
 * @module
 */

/** Where progress goes. */
export interface ProgressSink {
  /** Shows the current progress. */
  show(line: string): void;
  /** Removes the progress line (before other output, and at the end). */
  clear(): void;
}

/** Least time between two plain progress lines. */
export const PLAIN_PROGRESS_MS = 10_000;

/** What a sink writes to. */
export interface ProgressOutput {
  /** Whether the output is a terminal. */
  isTerminal: boolean;
  write(text: string): void;
  nowMs(): number;
}

/** A sink over `out`: one updating line on a terminal, plain lines otherwise. */
export function progressSink(out: ProgressOutput): ProgressSink {
  if (out.isTerminal) {
    let shown = false;
    return {
      show(line) {
        out.write(`\r\x1b[2K${line}`);
        shown = true;
      },
      clear() {
        if (shown) out.write("\r\x1b[2K");
        shown = false;
      },
    };
  }
  let lastMs = -Infinity;
  return {
    show(line) {
      const now = out.nowMs();
      if (now - lastMs < PLAIN_PROGRESS_MS) return;
      lastMs = now;
      out.write(`${line}\n`);
    },
    clear() {},
  };
}

/** The progress sink of the command line: standard error. */
export function stderrProgress(): ProgressSink {
  const encoder = new TextEncoder();
  return progressSink({
    isTerminal: Deno.stderr.isTerminal(),
    write: (text) => void Deno.stderr.writeSync(encoder.encode(text)),
    nowMs: () => performance.now(),
  });
}
