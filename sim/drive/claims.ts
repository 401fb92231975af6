/**
 * The claims table of `design/extension.md`, parsed: each crash-state
 * recovery claim with the scenarios that verify it and the mutants that
 * break it. The design-claims test and the mutant matrix test read it, so
 * the document cannot drift from the scenario library.
 *
 * @module
 */

/** One row of the claims table. */
export interface Claim {
  id: string;
  text: string;
  status: "holds" | "gap" | "finding";
  /** Scenario file names (relative to `scenarios/`). */
  scenarios: string[];
  mutants: string[];
}

/** Where the table lives. */
export const CLAIMS_DOC = new URL("../../design/extension.md", import.meta.url).pathname;

const STATUSES = new Set(["holds", "gap", "finding"]);

function ticked(cell: string): string[] {
  return [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]);
}

/** Parses the rows between `<!-- claims:begin -->` and `<!-- claims:end -->`. Throws on a malformed row. */
export function parseClaims(markdown: string): Claim[] {
  const begin = markdown.indexOf("<!-- claims:begin -->");
  const end = markdown.indexOf("<!-- claims:end -->");
  if (begin === -1 || end === -1 || end < begin) {
    throw new Error("The claims table markers are missing");
  }
  const claims: Claim[] = [];
  for (const line of markdown.slice(begin, end).split("\n")) {
    const match = line.match(/^\|\s*(C\d+)\s*\|(.*)\|\s*$/);
    if (match === null) continue;
    const cells = match[2].split("|").map((c) => c.trim());
    if (cells.length !== 4) {
      throw new Error(`Claim ${match[1]} has ${cells.length + 1} cells, expected 5`);
    }
    const [text, status, scenarios, mutants] = cells;
    if (!STATUSES.has(status)) throw new Error(`Claim ${match[1]} has status "${status}"`);
    claims.push({
      id: match[1],
      text,
      status: status as Claim["status"],
      scenarios: ticked(scenarios),
      mutants: ticked(mutants),
    });
  }
  return claims;
}

/** Reads and parses the claims table. */
export async function loadClaims(): Promise<Claim[]> {
  return parseClaims(await Deno.readTextFile(CLAIMS_DOC));
}

/** A finding about swamp: a scenario whose verdict on a swamp checkout differs from the reference's. */
export interface SwampFinding {
  id: string;
  text: string;
  /** Scenario file names (relative to `scenarios/`) whose difference it explains. */
  scenarios: string[];
}

/**
 * Parses the rows `| S<n> | finding | scenarios |` between
 * `<!-- swamp-findings:begin -->` and `<!-- swamp-findings:end -->`; none
 * when the markers are absent. Throws on a malformed row.
 */
export function parseSwampFindings(markdown: string): SwampFinding[] {
  const begin = markdown.indexOf("<!-- swamp-findings:begin -->");
  const end = markdown.indexOf("<!-- swamp-findings:end -->");
  if (begin === -1 && end === -1) return [];
  if (begin === -1 || end === -1 || end < begin) {
    throw new Error("The swamp findings table has one marker without the other");
  }
  const findings: SwampFinding[] = [];
  for (const line of markdown.slice(begin, end).split("\n")) {
    const match = line.match(/^\|\s*(S\d+)\s*\|(.*)\|\s*$/);
    if (match === null) continue;
    const cells = match[2].split("|").map((c) => c.trim());
    if (cells.length !== 2) {
      throw new Error(`Finding ${match[1]} has ${cells.length + 1} cells, expected 3`);
    }
    const scenarios = ticked(cells[1]);
    if (scenarios.length === 0) throw new Error(`Finding ${match[1]} cites no scenario`);
    findings.push({ id: match[1], text: cells[0], scenarios });
  }
  return findings;
}
