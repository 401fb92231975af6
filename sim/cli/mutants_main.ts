/**
 * `deno task mutants`: runs the mutant matrix and prints it (scenario x
 * variant, with each mutant's time to detection). Exits 1 if the clean
 * reference fails a pinned scenario or a mutant goes uncaught (unpinned
 * scenarios are sampled: shown, never required). `--json` prints the
 * cells; `--concurrency <n>` sets runs in flight (default 2). Progress goes
 * to stderr (`report/progress.ts`): a line per finished cell with
 * `[done/total]`, the time elapsed and left, and a heartbeat naming the
 * cells in flight when none finished for 30 s; on a terminal one status
 * line, with a clean failure kept as a line above it.
 *
 * @module
 */

import {
  CLEAN,
  cleanFailures,
  detected,
  formatMatrix,
  type MatrixCell,
  runMatrix,
  uncaughtMutants,
} from "../drive/matrix.ts";
import { formatDuration, type Progress, progressOnStderr } from "../report/progress.ts";

function cellName(c: { scenario: string; variant: string }): string {
  return `${c.scenario} x ${c.variant}`;
}

/** A finished cell in words, and whether it is worth keeping on a terminal. */
function cellResult(c: MatrixCell): { text: string; notable: boolean } {
  const took = formatDuration(c.durationMs);
  if (c.variant === CLEAN) {
    const verdict = c.exitCode === 0
      ? { text: `pass (${took})`, notable: false }
      : { text: `FAIL exit ${c.exitCode}: ${c.failed.join(", ")} (${took})`, notable: c.pinned };
    return c.pinned ? verdict : { ...verdict, text: `sampled: ${verdict.text}` };
  }
  return {
    text: `${detected(c) ? "caught" : "not caught"} (exit ${c.exitCode}, ${took})`,
    notable: false,
  };
}

async function main(argv: string[]): Promise<number> {
  const json = argv.includes("--json");
  const at = argv.indexOf("--concurrency");
  const concurrency = at === -1 ? 2 : Number(argv[at + 1]);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 16) {
    console.error(
      `error: --concurrency needs an integer from 1 to 16, got "${argv[at + 1] ?? ""}"`,
    );
    return 2;
  }
  const started = performance.now();
  let progress: Progress | undefined;
  const cells = await (async () => {
    try {
      return await runMatrix({
        concurrency,
        onStart: (c) => {
          progress ??= progressOnStderr(c.total);
          progress.start(cellName(c));
        },
        onCell: (c) => {
          const { text, notable } = cellResult(c);
          progress?.finish(cellName(c), text, notable);
        },
      });
    } finally {
      progress?.stop();
    }
  })();
  const failures = cleanFailures(cells);
  const sampledFailures = cells.filter((c) => c.variant === CLEAN && !c.pinned && c.exitCode !== 0);
  const uncaught = uncaughtMutants(cells);
  if (json) {
    console.log(
      JSON.stringify({ cells, cleanFailures: failures, sampledFailures, uncaught }, null, 2),
    );
  } else {
    console.log(formatMatrix(cells));
    for (const c of failures) {
      console.log(
        `clean reference failed ${c.scenario}: ${
          c.failed.join(", ")
        }\n  reproduce with: ${c.replay}`,
      );
    }
    for (const c of sampledFailures) {
      console.log(
        `sampled (unpinned, not required to pass): ${c.scenario} exit ${c.exitCode}: ${
          c.failed.join(", ")
        }\n  reproduce with (may not reproduce): ${c.replay}`,
      );
    }
    console.log(
      uncaught.length === 0 ? "every mutant caught" : `uncaught mutants: ${uncaught.join(", ")}`,
    );
    console.log(
      `matrix: ${cells.length} runs in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
  }
  return failures.length === 0 && uncaught.length === 0 ? 0 : 1;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
