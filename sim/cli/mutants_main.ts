/**
 * `deno task mutants`: runs the mutant matrix and prints it (scenario x
 * variant, with each mutant's time to detection). Exits 1 if the clean
 * reference fails a pinned scenario or a mutant goes uncaught (unpinned
 * scenarios are sampled: shown, never required). `--json` prints the
 * cells; `--concurrency <n>` sets runs in flight (default 2).
 *
 * @module
 */

import { CLEAN, cleanFailures, formatMatrix, runMatrix, uncaughtMutants } from "../drive/matrix.ts";

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
  const cells = await runMatrix({
    concurrency,
    onCell: (c) =>
      console.error(
        `${c.scenario} x ${c.variant}: exit ${c.exitCode} (${(c.durationMs / 1000).toFixed(1)} s)`,
      ),
  });
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
