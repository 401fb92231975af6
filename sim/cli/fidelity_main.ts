/**
 * `deno task fidelity --swamp <checkout>`: every scenario of the library on
 * the reference and on the swamp checkout, one after the other, then a
 * table (scenario, verdict on each, same?, the documented finding) with the
 * judgements and layer states that differ under each differing row.
 * Progress goes to stderr. `--json` prints the result as one object on
 * stdout (what `design/fidelity.json` holds); `--only a,b` runs those
 * scenarios (file names under `scenarios/`, `.yaml` optional);
 * `--update <file>` folds the run into a stored record (`design/fidelity.json`):
 * the rows of the scenarios run are replaced, the others kept while their
 * scenario's digest is unchanged, and a checkout at another swamp commit is
 * refused before anything runs (`fidelity_record.ts`). Exits 0 when
 * every verdict is the same or its difference is a finding documented in
 * `design/extension.md`, 1 otherwise, 2 on bad arguments or a checkout that
 * cannot start, 130/143 when interrupted. Each run's report dir is kept
 * under `$TMPDIR/swamp-sim-fidelity-*` and named at the end.
 *
 * @module
 */

import { CLAIMS_DOC, parseSwampFindings } from "../drive/claims.ts";
import {
  fidelityJson,
  type FidelityResult,
  formatFidelity,
  runFidelity,
  scenarioDigest,
} from "../drive/fidelity.ts";
import {
  mergeFidelity,
  parseStoredFidelity,
  type StoredFidelity,
} from "../drive/fidelity_record.ts";
import { libraryScenarios } from "../drive/matrix.ts";
import { EXIT } from "../shared/exit_codes.ts";
import { optionAt } from "./cli_args.ts";

/** The parsed command line. */
export interface FidelityArgs {
  swamp: string;
  json: boolean;
  /** Scenario names to run (default: the library). */
  only?: string[];
  /** The stored record to fold the run into. */
  update?: string;
}

/** Usage text. */
export const FIDELITY_USAGE =
  "usage: deno task fidelity --swamp <checkout> [--only name,...] [--update <record.json>] [--json]";

/** Parses argv (without the program), or says what is wrong with it. */
export function parseFidelityArgs(argv: readonly string[]): FidelityArgs | { problem: string } {
  let swamp: string | undefined;
  let json = false;
  let only: string[] | undefined;
  let update: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const option = optionAt(argv, i);
    const { arg: a, flag, inline, value } = option;
    if (flag === "--json" && inline === undefined) {
      json = true;
    } else if (flag === "--swamp") {
      swamp = value();
      if (swamp === undefined || swamp === "") return { problem: "--swamp needs a checkout dir" };
    } else if (flag === "--only") {
      const v = value();
      only = (v ?? "").split(",").map((s) => s.trim().replace(/\.yaml$/, "")).filter((s) =>
        s !== ""
      );
      if (only.length === 0) return { problem: "--only needs scenario names" };
    } else if (flag === "--update") {
      update = value();
      if (update === undefined || update === "") return { problem: "--update needs a record file" };
    } else {
      return { problem: `unknown argument "${a}"` };
    }
    i = option.lastIndex();
  }
  if (swamp === undefined) return { problem: "--swamp <checkout> is required" };
  return {
    swamp,
    json,
    ...(only === undefined ? {} : { only }),
    ...(update === undefined ? {} : { update }),
  };
}

async function main(argv: string[]): Promise<number> {
  const args = parseFidelityArgs(argv);
  if ("problem" in args) {
    console.error(`error: ${args.problem} (${FIDELITY_USAGE})`);
    return EXIT.badInput;
  }
  // Paths relative to the project root (deno task runs there), so replay commands are portable.
  const library = await libraryScenarios("scenarios/");
  let scenarios = library;
  if (args.only !== undefined) {
    const unknown = args.only.filter((n) => !library.includes(`scenarios/${n}.yaml`));
    if (unknown.length > 0) {
      console.error(`error: --only: no scenario ${unknown.map((n) => `"${n}"`).join(", ")}`);
      return EXIT.badInput;
    }
    scenarios = args.only.map((n) => `scenarios/${n}.yaml`);
  }
  const findings = parseSwampFindings(await Deno.readTextFile(CLAIMS_DOC));
  let stored: StoredFidelity | undefined;
  if (args.update !== undefined) {
    try {
      stored = parseStoredFidelity(await Deno.readTextFile(args.update), args.update);
    } catch (error) {
      console.error(`error: --update: ${(error as Error).message}`);
      return EXIT.badInput;
    }
    if (stored.swamp === null || stored.error !== undefined) {
      console.error(
        `error: --update: ${args.update} did not finish (${
          stored.error ?? "no swamp checkout"
        }); run the whole library without --update`,
      );
      return EXIT.badInput;
    }
  }
  const reportRoot = await Deno.makeTempDir({ prefix: "swamp-sim-fidelity-" });
  const result = await runFidelity({
    checkout: args.swamp,
    scenarios,
    reportRoot,
    findings,
    progress: (line) => console.error(line),
    handleSignals: true,
    ...(stored?.swamp ? { expectCommit: stored.swamp.commit } : {}),
  });
  if (stored !== undefined && args.update !== undefined && result.error === undefined) {
    return await update(
      { ...args, update: args.update },
      stored,
      result,
      library,
      findings,
      reportRoot,
    );
  }
  if (args.json) {
    console.log(JSON.stringify(fidelityJson(result), null, 2));
  } else if (result.swamp === undefined || result.exitCode === EXIT.badInput) {
    console.error(result.error);
  } else {
    console.log(formatFidelity(result));
  }
  console.error(`reports: ${reportRoot}`);
  return result.exitCode;
}

/** Folds the run into the stored record, writes it, and says what was replaced, kept and dropped. */
async function update(
  args: FidelityArgs & { update: string },
  stored: StoredFidelity,
  result: FidelityResult,
  library: readonly string[],
  findings: ReturnType<typeof parseSwampFindings>,
  reportRoot: string,
): Promise<number> {
  const digests: Record<string, string> = {};
  for (const file of library) {
    digests[file.slice(file.lastIndexOf("/") + 1, -".yaml".length)] = scenarioDigest(
      await Deno.readTextFile(file),
    );
  }
  const merged = mergeFidelity({ stored, fresh: fidelityJson(result), digests, findings });
  if (!merged.ok) {
    console.error(`error: --update ${args.update}: ${merged.problem}`);
    return EXIT.badInput;
  }
  await Deno.writeTextFile(args.update, `${JSON.stringify(merged.record, null, 2)}\n`);
  if (args.json) console.log(JSON.stringify(merged.record, null, 2));
  else console.log(formatFidelity(result));
  const names = (list: readonly string[]) => list.length === 0 ? "none" : list.join(", ");
  console.error(
    [
      `updated ${args.update}: replaced ${
        names(merged.replaced)
      }; kept ${merged.kept.length} row(s)`,
      ...merged.dropped.map((d) => `  dropped ${d.scenario} (${d.why})`),
      ...(merged.missing.length === 0 ? [] : [`  no row for ${names(merged.missing)}`]),
      `  record: ${merged.record.summary.scenarios} row(s), ${merged.record.summary.differ.length} differ, ` +
      `${merged.record.summary.undocumented.length} undocumented; wall time of its rows ${
        (merged.record.wallMs / 1000).toFixed(0)
      } s`,
    ].join("\n"),
  );
  console.error(`reports: ${reportRoot}`);
  return merged.record.exitCode;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
