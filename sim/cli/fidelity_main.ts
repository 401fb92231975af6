/**
 * `deno task fidelity --swamp <checkout>`: every scenario of the library on
 * the reference and on the swamp checkout, one after the other, then a
 * table (scenario, verdict on each, same?, the documented finding) with the
 * judgements and layer states that differ under each differing row.
 * Progress goes to stderr. `--json` prints the result as one object on
 * stdout (what `design/fidelity.json` holds); `--only a,b` runs those
 * scenarios (file names under `scenarios/`, `.yaml` optional). Exits 0 when
 * every verdict is the same or its difference is a finding documented in
 * `design/extension.md`, 1 otherwise, 2 on bad arguments or a checkout that
 * cannot start, 130/143 when interrupted. Each run's report dir is kept
 * under `$TMPDIR/swamp-sim-fidelity-*` and named at the end.
 *
 * @module
 */

import { CLAIMS_DOC, parseSwampFindings } from "../drive/claims.ts";
import { fidelityJson, formatFidelity, runFidelity } from "../drive/fidelity.ts";
import { libraryScenarios } from "../drive/matrix.ts";
import { EXIT } from "../shared/exit_codes.ts";

/** The parsed command line. */
export interface FidelityArgs {
  swamp: string;
  json: boolean;
  /** Scenario names to run (default: the library). */
  only?: string[];
}

/** Usage text. */
export const FIDELITY_USAGE =
  "usage: deno task fidelity --swamp <checkout> [--only name,...] [--json]";

/** Parses argv (without the program), or says what is wrong with it. */
export function parseFidelityArgs(argv: readonly string[]): FidelityArgs | { problem: string } {
  let swamp: string | undefined;
  let json = false;
  let only: string[] | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [flag, inline] = a.startsWith("--") && a.includes("=")
      ? [a.slice(0, a.indexOf("=")), a.slice(a.indexOf("=") + 1)]
      : [a, undefined];
    const value = () => {
      if (inline !== undefined) return inline;
      const next = argv[i + 1];
      if (next === undefined || next.startsWith("--")) return undefined;
      i++;
      return next;
    };
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
    } else {
      return { problem: `unknown argument "${a}"` };
    }
  }
  if (swamp === undefined) return { problem: "--swamp <checkout> is required" };
  return { swamp, json, ...(only === undefined ? {} : { only }) };
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
  const reportRoot = await Deno.makeTempDir({ prefix: "swamp-sim-fidelity-" });
  const result = await runFidelity({
    checkout: args.swamp,
    scenarios,
    reportRoot,
    findings,
    progress: (line) => console.error(line),
    handleSignals: true,
  });
  if (args.json) {
    console.log(JSON.stringify(fidelityJson(result), null, 2));
  } else if (result.swamp === undefined) {
    console.error(result.error);
  } else {
    console.log(formatFidelity(result));
  }
  console.error(`reports: ${reportRoot}`);
  return result.exitCode;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
