/**
 * Views of the history shared by the invariants: the ops a phase covers,
 * their error texts (update reports per-extension failures inside its JSON),
 * and times relative to the workload's t0.
 *
 * @module
 */

import type { HistoryOp } from "../../record/history.ts";
import type { CheckContext } from "./verdict.ts";

/** The ops a phase's verdicts cover: set-up and run ops for `run`, recovery ops for `recovery`. */
export function phaseOps(ctx: CheckContext): HistoryOp[] {
  return ctx.history.ops.filter((op) =>
    ctx.phase === "run" ? op.phase === "setup" || op.phase === "run" : op.phase === "recovery"
  );
}

/**
 * An `update` op's per-extension results, from its final JSON document.
 * Versions come from the entry (the reference names them `currentVersion`
 * and `latestVersion`; swamp names an `updated` entry's `previousVersion` and
 * `newVersion`, and gives a `failed` entry only its `installedVersion`), else
 * from the `{status: "updating", name, from, to}` progress document printed
 * before that extension's upgrade began.
 */
export interface UpdateResult {
  name: string;
  status: string;
  from?: string;
  to?: string;
  error?: string;
}

/** The per-extension results an update printed, or [] for other ops. */
export function updateResults(op: HistoryOp): UpdateResult[] {
  if (op.op.op !== "update") return [];
  const text = (...values: unknown[]) => values.find((v): v is string => typeof v === "string");
  const updating = new Map<string, { from?: unknown; to?: unknown }>();
  for (const doc of op.json) {
    if (typeof doc !== "object" || doc === null) continue;
    const d = doc as { status?: unknown; name?: unknown; from?: unknown; to?: unknown };
    if (d.status === "updating" && typeof d.name === "string") updating.set(d.name, d);
  }
  for (const doc of [...op.json].reverse()) {
    if (typeof doc !== "object" || doc === null) continue;
    const list = (doc as { extensions?: unknown }).extensions;
    if (!Array.isArray(list)) continue;
    return list.filter((e): e is UpdateResult =>
      typeof e === "object" && e !== null && typeof (e as UpdateResult).name === "string" &&
      typeof (e as UpdateResult).status === "string"
    ).map((e) => {
      const raw = e as UpdateResult & Record<string, unknown>;
      const progress = updating.get(raw.name);
      return {
        name: raw.name,
        status: raw.status,
        from: text(
          raw.from,
          raw.currentVersion,
          raw.previousVersion,
          raw.installedVersion,
          progress?.from,
        ),
        to: text(raw.to, raw.newVersion, raw.latestVersion, progress?.to),
        error: text(raw.error),
      };
    });
  }
  return [];
}

/** Every error text an op reported: its stderr, and the errors of an update's failed extensions. */
export function errorTexts(op: HistoryOp): string[] {
  const texts: string[] = [];
  if (op.stderr.trim() !== "") texts.push(op.stderr);
  for (const result of updateResults(op)) if (result.error !== undefined) texts.push(result.error);
  return texts;
}

/** Milliseconds since the workload's t0, e.g. `+812 ms`. */
export function relMs(ctx: CheckContext, atMs: number): string {
  return `+${Math.round(atMs - ctx.t0Ms)} ms`;
}
