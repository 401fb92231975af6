/**
 * The claims table of `design/extension.md`, parsed: each crash-state
 * recovery claim with its status on the reference and on a swamp checkout,
 * the scenarios that verify it and the mutants that break it; and the
 * findings about swamp (scenarios whose verdict differs on swamp). The design-claims test and the mutant matrix test read it, so
 * the document cannot drift from the scenario library.
 *
 * @module
 */

/** A claim's status on a target: as stated, partly (a gap), or a finding. */
export type ClaimStatus = "holds" | "gap" | "finding";

/**
 * A claim's status on the swamp checkout of the table's swamp column: what
 * the reference column says when every cited scenario gives the reference's
 * verdict there; `finding` with the ids of the findings about swamp
 * (`S<n>`) when one does not; `not run` when no cited scenario has a current
 * result on swamp (`design/fidelity.json`), and `, partly run` after the
 * status when some but not all have one (the status speaks for those).
 */
export interface SwampStatus {
  status: ClaimStatus | "not run";
  /** The findings about swamp it cites (`finding S1, S2`). */
  findings: string[];
  /** Whether only some of the cited scenarios have a current result (`holds, partly run`). */
  partly: boolean;
}

/** One row of the claims table. */
export interface Claim {
  id: string;
  text: string;
  /** The status on the reference. */
  status: ClaimStatus;
  /** The status on the swamp checkout named in the table's header. */
  swamp: SwampStatus;
  /** Scenario file names (relative to `scenarios/`). */
  scenarios: string[];
  mutants: string[];
}

/** Where the table lives. */
export const CLAIMS_DOC = new URL("../../design/extension.md", import.meta.url).pathname;

const STATUSES = new Set(["holds", "gap", "finding"]);

/** The suffix of a swamp status whose claim's cited scenarios ran only in part on swamp. */
export const PARTLY_RUN = ", partly run";

/**
 * Parses a swamp status cell: `not run`, or a status or `finding S<n>[, S<m>...]`,
 * followed by `, partly run` when only some cited scenarios ran.
 */
export function parseSwampStatus(cell: string): SwampStatus | undefined {
  if (cell === "not run") return { status: "not run", findings: [], partly: false };
  const partly = cell.endsWith(PARTLY_RUN);
  const base = partly ? cell.slice(0, -PARTLY_RUN.length) : cell;
  if (STATUSES.has(base)) return { status: base as ClaimStatus, findings: [], partly };
  const match = base.match(/^finding (S\d+(?:, S\d+)*)$/);
  return match === null ? undefined : { status: "finding", findings: match[1].split(", "), partly };
}

/** The commit the claims table's swamp column names (its header `swamp <commit>`). */
export function claimsSwampCommit(markdown: string): string {
  const header = markdown.slice(markdown.indexOf("<!-- claims:begin -->")).match(
    /^\|\s*id\s*\|\s*claim\s*\|\s*reference\s*\|\s*swamp ([0-9a-f]{7,40})\s*\|/m,
  );
  if (header === null) {
    throw new Error(
      "The claims table's header must read | id | claim | reference | swamp <commit> | ...",
    );
  }
  return header[1];
}

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
    if (cells.length !== 5) {
      throw new Error(`Claim ${match[1]} has ${cells.length + 1} cells, expected 6`);
    }
    const [text, status, swampCell, scenarios, mutants] = cells;
    if (!STATUSES.has(status)) throw new Error(`Claim ${match[1]} has status "${status}"`);
    const swamp = parseSwampStatus(swampCell);
    if (swamp === undefined) {
      throw new Error(`Claim ${match[1]} has swamp status "${swampCell}"`);
    }
    claims.push({
      id: match[1],
      text,
      status: status as ClaimStatus,
      swamp,
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

/** Where `deno task fidelity --json` on the swamp checkout of the claims table was saved. */
export const FIDELITY_FILE = new URL("../../design/fidelity.json", import.meta.url).pathname;

/** What the status checks read of `design/fidelity.json` (see `fidelity.ts`, `fidelityJson()`). */
export interface FidelityRecord {
  swamp: { commit: string } | null;
  rows: Array<{
    scenario: string;
    digest: string;
    same: boolean;
    reference: { exitCode: number; verdict: string };
    swamp: { exitCode: number; verdict: string };
  }>;
}

/** What {@link swampStatusProblems} checks. */
export interface SwampStatusInput {
  claims: readonly Claim[];
  findings: readonly SwampFinding[];
  /** The commit the table's swamp column names. */
  headerCommit: string;
  /** `design/fidelity.json`, when there is one. */
  fidelity?: FidelityRecord;
  /** Scenario file name -> digest of its current content (`scenarioDigest()`). */
  digests: Readonly<Record<string, string>>;
}

/**
 * Why the swamp column and the findings about swamp do not say what
 * `design/fidelity.json` shows (pure; empty when they agree). A result
 * counts for a scenario only when its digest is the scenario's current one.
 * Per claim: no cited scenario with a current result makes it `not run`, some
 * without one add `, partly run`;
 * otherwise the status is the reference's when every cited scenario gave
 * the same verdict on swamp, and `finding S<n>...` citing findings that
 * cover each differing scenario when one did not. Every differing scenario
 * is cited by a finding, and a finding cites only scenarios that differ.
 */
export function swampStatusProblems(input: SwampStatusInput): string[] {
  const { claims, findings, headerCommit, fidelity, digests } = input;
  const problems: string[] = [];
  const rows = new Map((fidelity?.rows ?? []).map((r) => [`${r.scenario}.yaml`, r]));
  const current = (file: string) => {
    const row = rows.get(file);
    return row !== undefined && row.digest === digests[file] ? row : undefined;
  };
  if (fidelity !== undefined) {
    const commit = fidelity.swamp?.commit ?? "unknown";
    if (!commit.startsWith(headerCommit)) {
      problems.push(
        `The claims table's swamp column names ${headerCommit}, design/fidelity.json ran ${commit}`,
      );
    }
    for (const row of fidelity.rows) {
      if (row.reference.exitCode !== 0) {
        problems.push(
          `design/fidelity.json: ${row.scenario} failed on the reference (${row.reference.verdict})`,
        );
      }
    }
  }
  const byId = new Map(findings.map((f) => [f.id, f]));
  for (const claim of claims) {
    const cited = claim.scenarios.map((file) => ({ file, row: current(file) }));
    const missing = cited.filter((c) => c.row === undefined).map((c) => c.file);
    const differing = cited.filter((c) => c.row !== undefined && !c.row.same).map((c) => c.file);
    const partly = missing.length > 0 && missing.length < cited.length ? PARTLY_RUN : "";
    const stated = (claim.swamp.status === "finding" && claim.swamp.findings.length > 0
      ? `finding ${claim.swamp.findings.join(", ")}`
      : claim.swamp.status) + (claim.swamp.partly ? PARTLY_RUN : "");
    let expected: string;
    if (missing.length === cited.length) {
      expected = "not run";
    } else if (differing.length === 0) {
      expected = `${claim.status}${partly}`;
    } else {
      const unknown = claim.swamp.findings.filter((id) =>
        !byId.has(id)
      );
      const covered = new Set(claim.swamp.findings.flatMap((id) => byId.get(id)?.scenarios ?? []));
      const uncovered = differing.filter((f) => !covered.has(f));
      if (
        claim.swamp.findings.length > 0 && unknown.length === 0 && uncovered.length === 0 &&
        claim.swamp.partly === (partly !== "")
      ) {
        continue;
      }
      expected = `finding S<n> covering ${differing.join(", ")}${
        unknown.length > 0 ? ` (no finding ${unknown.join(", ")})` : ""
      }${partly}`;
    }
    if (stated !== expected) {
      problems.push(
        `${claim.id}'s swamp status is "${stated}", expected "${expected}"${
          missing.length > 0 ? ` (no current swamp result for ${missing.join(", ")})` : ""
        }`,
      );
    }
  }
  const citedByFindings = new Set(findings.flatMap((f) => f.scenarios));
  for (const [file, row] of rows) {
    if (!row.same && !citedByFindings.has(file)) {
      problems.push(`${file} differs on swamp (${row.swamp.verdict}) but no finding cites it`);
    }
  }
  for (const finding of findings) {
    for (const file of finding.scenarios) {
      const row = rows.get(file);
      if (row === undefined || row.same) {
        problems.push(
          `${finding.id} cites ${file}, which ${
            row === undefined ? "design/fidelity.json has no result for" : "gives the same verdict"
          }`,
        );
      }
    }
  }
  return problems;
}
