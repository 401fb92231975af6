/**
 * The stored result of `deno task fidelity` (`design/fidelity.json`) and
 * how a partial re-run updates it (`--only a,b --update <file>`): the rows
 * of the scenarios re-run are replaced, every other row is kept only while
 * its digest is the scenario's current one, and the record is refused when
 * the re-run measured another swamp commit. The summary, the findings of
 * each row and the exit code are derived again from the merged rows, and
 * the wall time is the sum of the rows' (each row carries its own and the
 * start of the run that measured it). Pure.
 *
 * @module
 */

import { EXIT } from "../shared/exit_codes.ts";
import type { DocumentedFinding } from "./fidelity_compare.ts";

/** One target's run of one scenario as stored (`runJson()` in `fidelity.ts`). */
export interface StoredRun {
  exitCode: number;
  verdict: string;
  durationMs: number;
  [field: string]: unknown;
}

/** One row of the stored record. */
export interface StoredRow {
  scenario: string;
  /** `scenarioDigest()` of the scenario file the row measured. */
  digest: string;
  /** The row's wall time (its runs on both targets), ms. */
  wallMs?: number;
  /** ISO start of the fidelity run that measured the row (the record's `startedAt` when absent). */
  measuredAt?: string;
  pinned: boolean;
  same: boolean;
  findings: string[];
  reference: StoredRun;
  swamp: StoredRun;
  differences: unknown[];
}

/** The swamp checkout a record measured. */
export interface StoredSwamp {
  checkout?: string;
  commit: string;
  [field: string]: unknown;
}

/** One partial re-run folded into a record. */
export interface StoredUpdate {
  startedAt: string;
  wallMs: number;
  scenarios: string[];
}

/** The stored record (`fidelityJson()`). */
export interface StoredFidelity {
  exitCode: number;
  error?: string;
  swamp: StoredSwamp | null;
  startedAt: string;
  /** Wall time: of the whole run, or in a merged record the sum of its rows'. */
  wallMs: number;
  referenceMs: number;
  swampMs: number;
  /** The partial re-runs folded in, oldest first (absent in a record of one run). */
  updates?: StoredUpdate[];
  summary: {
    scenarios: number;
    same: number;
    differ: string[];
    undocumented: string[];
  };
  rows: StoredRow[];
}

/** Why a stored row was not kept. */
export interface DroppedRow {
  scenario: string;
  why: "changed" | "no such scenario";
}

/** The outcome of {@link mergeFidelity}. */
export type MergeOutcome =
  | {
    ok: true;
    record: StoredFidelity;
    /** Rows taken from the re-run. */
    replaced: string[];
    /** Rows kept from the stored record. */
    kept: string[];
    dropped: DroppedRow[];
    /** Library scenarios with no row in the merged record. */
    missing: string[];
  }
  | { ok: false; problem: string };

/** What {@link mergeFidelity} merges. */
export interface MergeInput {
  /** The record as stored. */
  stored: StoredFidelity;
  /** The partial re-run's record. */
  fresh: StoredFidelity;
  /** Library scenario name (no `.yaml`) -> digest of its current content, in library order. */
  digests: Readonly<Record<string, string>>;
  /** The documented findings about swamp (`design/extension.md`). */
  findings: readonly DocumentedFinding[];
}

function rowWallMs(row: StoredRow): number {
  return row.wallMs ?? row.reference.durationMs + row.swamp.durationMs;
}

/** The record with the summary, each row's findings and the exit code derived from its rows. */
export function derivedRecord(
  record: StoredFidelity,
  findings: readonly DocumentedFinding[],
): StoredFidelity {
  const rows = record.rows.map((row) => ({
    ...row,
    findings: row.same
      ? []
      : findings.filter((f) => f.scenarios.includes(`${row.scenario}.yaml`)).map((f) => f.id),
  }));
  const undocumented = rows.filter((r) => !r.same && r.findings.length === 0);
  return {
    ...record,
    exitCode: undocumented.length === 0 ? EXIT.pass : EXIT.invariant,
    summary: {
      scenarios: rows.length,
      same: rows.filter((r) => r.same).length,
      differ: rows.filter((r) => !r.same).map((r) => r.scenario),
      undocumented: undocumented.map((r) => r.scenario),
    },
    rows,
  };
}

/**
 * Folds a partial re-run into a stored record; see the module doc. Refuses
 * when either record did not finish (an error, or no swamp identity) or
 * when the two measured different swamp commits.
 */
export function mergeFidelity(input: MergeInput): MergeOutcome {
  const { stored, fresh, digests } = input;
  if (fresh.error !== undefined || fresh.swamp === null) {
    return {
      ok: false,
      problem: `the re-run did not finish: ${fresh.error ?? "no swamp checkout"}`,
    };
  }
  if (stored.error !== undefined || stored.swamp === null) {
    return {
      ok: false,
      problem: `the stored record did not finish (${
        stored.error ?? "no swamp checkout"
      }): run the whole library without --update`,
    };
  }
  if (stored.swamp.commit === "unknown" || fresh.swamp.commit !== stored.swamp.commit) {
    return {
      ok: false,
      problem:
        `the checkout is at swamp ${fresh.swamp.commit}, the stored record measured ${stored.swamp.commit}: ` +
        "rows of two commits cannot share a record; run the whole library without --update",
    };
  }
  const freshRows = new Map(fresh.rows.map((r) => [r.scenario, r]));
  const storedRows = new Map(stored.rows.map((r) => [r.scenario, r]));
  const rows: StoredRow[] = [];
  const replaced: string[] = [];
  const kept: string[] = [];
  const dropped: DroppedRow[] = [];
  const missing: string[] = [];
  for (const [scenario, digest] of Object.entries(digests)) {
    const newRow = freshRows.get(scenario);
    if (newRow !== undefined) {
      rows.push({ ...newRow, wallMs: rowWallMs(newRow), measuredAt: fresh.startedAt });
      replaced.push(scenario);
      continue;
    }
    const oldRow = storedRows.get(scenario);
    if (oldRow !== undefined && oldRow.digest === digest) {
      rows.push({
        ...oldRow,
        wallMs: rowWallMs(oldRow),
        measuredAt: oldRow.measuredAt ?? stored.startedAt,
      });
      kept.push(scenario);
      continue;
    }
    if (oldRow !== undefined) dropped.push({ scenario, why: "changed" });
    missing.push(scenario);
  }
  for (const scenario of storedRows.keys()) {
    if (!(scenario in digests)) dropped.push({ scenario, why: "no such scenario" });
  }
  const updates = [
    ...(stored.updates ?? []),
    {
      startedAt: fresh.startedAt,
      wallMs: fresh.wallMs,
      scenarios: fresh.rows.map((r) => r.scenario),
    },
  ];
  const record = derivedRecord({
    ...stored,
    swamp: { ...stored.swamp, ...fresh.swamp },
    wallMs: rows.reduce((sum, r) => sum + (r.wallMs ?? 0), 0),
    referenceMs: rows.reduce((sum, r) => sum + r.reference.durationMs, 0),
    swampMs: rows.reduce((sum, r) => sum + r.swamp.durationMs, 0),
    updates,
    rows,
  }, input.findings);
  return { ok: true, record, replaced, kept, dropped, missing };
}

/**
 * Reads a stored record from its JSON text, checking the fields an update
 * relies on. Throws naming `file` and the field when one is wrong.
 */
export function parseStoredFidelity(text: string, file: string): StoredFidelity {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`${file} is not JSON: ${(error as Error).message}`);
  }
  const fail = (field: string, want: string): never => {
    throw new Error(`${file}: field "${field}" must be ${want}`);
  };
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    return fail("(top)", "an object");
  }
  const record = value as Record<string, unknown>;
  const swamp = record.swamp;
  if (
    swamp !== null &&
    (typeof swamp !== "object" || typeof (swamp as StoredSwamp).commit !== "string")
  ) {
    fail("swamp.commit", "a string");
  }
  for (const field of ["startedAt"]) {
    if (typeof record[field] !== "string") fail(field, "a string");
  }
  for (const field of ["exitCode", "wallMs", "referenceMs", "swampMs"]) {
    if (typeof record[field] !== "number") fail(field, "a number");
  }
  if (!Array.isArray(record.rows)) return fail("rows", "an array");
  for (const [i, row] of (record.rows as unknown[]).entries()) {
    const r = row as Record<string, unknown> | null;
    if (r === null || typeof r !== "object") fail(`rows[${i}]`, "an object");
    for (const field of ["scenario", "digest"]) {
      if (typeof r![field] !== "string") fail(`rows[${i}].${field}`, "a string");
    }
    if (typeof r!.same !== "boolean") fail(`rows[${i}].same`, "a boolean");
    for (const target of ["reference", "swamp"]) {
      const run = r![target] as Record<string, unknown> | undefined;
      if (
        run === undefined || typeof run.exitCode !== "number" || typeof run.verdict !== "string" ||
        typeof run.durationMs !== "number"
      ) {
        fail(`rows[${i}].${target}`, "a run with exitCode, verdict and durationMs");
      }
    }
  }
  return record as unknown as StoredFidelity;
}
