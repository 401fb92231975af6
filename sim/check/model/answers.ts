/**
 * What each op answered, read from its `--json` output and its outcome (the
 * classifier's type and class, `sim/shared/outcome.ts`), one parser per op
 * kind. Shapes follow swamp's renderers (contract §1.2-1.6); stderr wording
 * reaches a parser only through the classifier's class.
 *
 * Every parser returns `indeterminate` for an `info` op (it may or may not
 * have acted, and said nothing reliable), `no-effect` for a `fail` whose
 * answer says nothing about the repo's state (a usage error, an extension
 * the registry lacks, a type conflict rolled back), the op's answer
 * otherwise, or `unreadable` when an op that succeeded printed no document
 * of the shape its kind prints.
 *
 * @module
 */

import type { HistoryOp } from "../../record/history.ts";
import { updateResults } from "../invariants/ops.ts";
import { PULLED_DIR } from "../../shared/layout.ts";

/** An op that may or may not have acted: crashed, timed out, partially applied. */
export interface Indeterminate {
  kind: "indeterminate";
}

/** A failed op whose answer says nothing about the repo's state. */
export interface NoEffect {
  kind: "no-effect";
}

/** An op that succeeded but printed no document of its kind's shape. */
export interface Unreadable {
  kind: "unreadable";
  reason: string;
}

/** An extension at a version, as an answer names it. */
export interface NamedVersion {
  name: string;
  version: string;
}

/** What a pull answered. */
export type PullAnswer =
  | { kind: "pulled"; installed: NamedVersion[] }
  | { kind: "conflict"; paths: string[] }
  | Indeterminate
  | NoEffect
  | Unreadable;

/** What an rm answered. */
export type RmAnswer =
  | { kind: "removed"; name: string; version: string }
  | { kind: "not-installed" }
  | Indeterminate
  | NoEffect
  | Unreadable;

/** One extension of an update's final report. */
export interface UpdateLine {
  name: string;
  /** swamp's status: up_to_date, updated, failed, not_found, deprecated, update_available. */
  status: string;
  from?: string;
  to?: string;
}

/** What an update answered. */
export type UpdateAnswer =
  | { kind: "report"; lines: UpdateLine[] }
  | { kind: "not-installed" }
  | Indeterminate
  | NoEffect
  | Unreadable;

/** What a list answered. */
export type ListAnswer =
  | { kind: "listed"; extensions: NamedVersion[] }
  | Indeterminate
  | NoEffect
  | Unreadable;

/** What a doctor answered: the extensions an applied repair re-pulled. */
export type DoctorAnswer =
  | { kind: "doctor"; repulled: string[] }
  | Indeterminate
  | NoEffect
  | Unreadable;

function objects(op: HistoryOp): Array<Record<string, unknown>> {
  return op.json.filter((d): d is Record<string, unknown> =>
    typeof d === "object" && d !== null && !Array.isArray(d)
  );
}

function settled(op: HistoryOp): Indeterminate | NoEffect | undefined {
  if (op.outcome.type === "info") return { kind: "indeterminate" };
  if (op.outcome.type === "fail") return { kind: "no-effect" };
  return undefined;
}

/**
 * A pull's answer: ok, the `{name, version, extractedFiles}` document of the
 * extension and of each dependency it pulled, in print order; `conflict`,
 * the `{conflicts}` document's paths.
 */
export function pullAnswer(op: HistoryOp): PullAnswer {
  if (op.outcome.class === "conflict") {
    const doc = objects(op).find((d) => Array.isArray(d.conflicts));
    const paths = (doc?.conflicts as unknown[] | undefined ?? [])
      .filter((p): p is string => typeof p === "string");
    return { kind: "conflict", paths };
  }
  const other = settled(op);
  if (other !== undefined) return other;
  const installed = objects(op)
    .filter((d) =>
      typeof d.name === "string" && typeof d.version === "string" &&
      Array.isArray(d.extractedFiles)
    )
    .map((d) => ({ name: d.name as string, version: d.version as string }));
  if (installed.length === 0) {
    return {
      kind: "unreadable",
      reason: "it exited 0 but printed no {name, version, extractedFiles} document",
    };
  }
  return { kind: "pulled", installed };
}

/** The extension a conflicting path belongs to, when it lies under the pulled tree. */
export function conflictOwner(path: string): string | undefined {
  const prefix = `${PULLED_DIR}/`;
  if (!path.startsWith(prefix)) return undefined;
  const [scope, name] = path.slice(prefix.length).split("/");
  return scope !== undefined && name !== undefined && scope.startsWith("@")
    ? `${scope}/${name}`
    : undefined;
}

/** An rm's answer: ok, the `{removed: {name, version}}` document; or "not installed". */
export function rmAnswer(op: HistoryOp): RmAnswer {
  if (op.outcome.class === "not-installed") return { kind: "not-installed" };
  const other = settled(op);
  if (other !== undefined) return other;
  for (const d of objects(op)) {
    const removed = d.removed as Record<string, unknown> | undefined;
    if (
      typeof removed === "object" && removed !== null && typeof removed.name === "string" &&
      typeof removed.version === "string"
    ) {
      return { kind: "removed", name: removed.name, version: removed.version };
    }
  }
  return { kind: "unreadable", reason: "it exited 0 but printed no {removed: {name, version}}" };
}

/**
 * An update's answer: ok, its final report's lines (versions from swamp's
 * or the reference's field names, or from the `updating` progress document,
 * see `updateResults()`); or "not installed" for a named extension.
 */
export function updateAnswer(op: HistoryOp): UpdateAnswer {
  if (op.outcome.class === "not-installed") return { kind: "not-installed" };
  const other = settled(op);
  if (other !== undefined) return other;
  if (!objects(op).some((d) => Array.isArray(d.extensions))) {
    return { kind: "unreadable", reason: "it exited 0 but printed no {extensions, summary}" };
  }
  return {
    kind: "report",
    lines: updateResults(op).map((r) => ({
      name: r.name,
      status: r.status,
      ...(r.from === undefined ? {} : { from: r.from }),
      ...(r.to === undefined ? {} : { to: r.to }),
    })),
  };
}

/** A list's answer: the `{extensions: [{name, version}]}` document. */
export function listAnswer(op: HistoryOp): ListAnswer {
  const other = settled(op);
  if (other !== undefined) return other;
  const doc = objects(op).find((d) => Array.isArray(d.extensions));
  if (doc === undefined) return { kind: "unreadable", reason: "it printed no {extensions}" };
  const extensions = (doc.extensions as unknown[]).flatMap((e): NamedVersion[] => {
    if (typeof e !== "object" || e === null) return [];
    const { name, version } = e as Record<string, unknown>;
    return typeof name === "string" && typeof version === "string" ? [{ name, version }] : [];
  });
  return { kind: "listed", extensions };
}

/**
 * A doctor's answer: the names an applied repair re-pulled
 * (`pulled-extension-repulled` operations). Doctor exits 1 when its
 * `overallStatus` is `fail`; the report is then read all the same.
 */
export function doctorAnswer(op: HistoryOp): DoctorAnswer {
  const report = objects(op).find((d) => typeof d.overallStatus === "string");
  if (op.outcome.type === "fail") return { kind: "no-effect" };
  if (report === undefined) {
    return op.outcome.type === "info"
      ? { kind: "indeterminate" }
      : { kind: "unreadable", reason: "it exited 0 but printed no {overallStatus} report" };
  }
  if (op.outcome.type === "info" && op.exitCode === null) return { kind: "indeterminate" };
  const repair = report.repairReport as Record<string, unknown> | undefined;
  const operations = repair?.mode === "applied" && Array.isArray(repair.operations)
    ? repair.operations
    : [];
  const repulled = operations.flatMap((o): string[] => {
    if (typeof o !== "object" || o === null) return [];
    const { kind, path } = o as Record<string, unknown>;
    return kind === "pulled-extension-repulled" && typeof path === "string" ? [path] : [];
  });
  return { kind: "doctor", repulled };
}
