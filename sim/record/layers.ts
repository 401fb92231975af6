/**
 * Derived views of a snapshot shared by the invariants, the sweep table and
 * the reports: the lockfile's entries, the live catalog rows per extension,
 * and each extension's state in the three layers.
 *
 * @module
 */

import { PULLED_DIR } from "../shared/layout.ts";
import { type LockEntry, lockfileSchema } from "./lockfile_schema.ts";
import type { CatalogRow, Snapshot } from "./snapshot.ts";

/** The lockfile's entries, or why there are none to read. */
export type LockEntries =
  | { ok: true; entries: Record<string, LockEntry> }
  | { ok: false; reason: string };

/** Parses the snapshot's lockfile against swamp's schema. An absent lockfile has no entries. */
export function lockEntries(snapshot: Snapshot): LockEntries {
  const lf = snapshot.lockfile;
  if (lf.state === "absent") return { ok: true, entries: {} };
  if (lf.state === "malformed") {
    return { ok: false, reason: `the lockfile is malformed: ${lf.error}` };
  }
  const parsed = lockfileSchema.safeParse(lf.data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    // A bad record key says only "Invalid key in record"; its own issue says why.
    const detail = issue.code === "invalid_key"
      ? issue.issues[0]?.message ?? issue.message
      : issue.message;
    return {
      ok: false,
      reason: `the lockfile does not match its schema at ${
        issue.path.length === 0 ? "the top level" : issue.path.join(".")
      }: ${detail}`,
    };
  }
  return { ok: true, entries: parsed.data };
}

/** Whether a catalog row is live: not Tombstoned, and owned by a pulled extension. */
export function isLiveRow(row: CatalogRow): boolean {
  return row.state !== "Tombstoned" && row.extension_name !== "";
}

/** Live rows grouped by extension name. */
export function liveRowsByExtension(snapshot: Snapshot): Map<string, CatalogRow[]> {
  const out = new Map<string, CatalogRow[]>();
  if (snapshot.catalog.state !== "present") return out;
  for (const row of snapshot.catalog.rows) {
    if (!isLiveRow(row)) continue;
    const list = out.get(row.extension_name) ?? [];
    list.push(row);
    out.set(row.extension_name, list);
  }
  return out;
}

/** One extension's state in each layer: "absent", a version, "present" (no version known) or "mixed:..." */
export interface LayerState {
  files: string;
  lockfile: string;
  catalog: string;
}

/** The repo-relative dir of an extension's pulled tree. */
export function pulledDirOf(name: string): string {
  return `${PULLED_DIR}/${name}`;
}

/** The state of `name` in each layer of the snapshot. */
export function layerState(snapshot: Snapshot, name: string): LayerState {
  const dir = `${pulledDirOf(name)}/`;
  const hasFiles = snapshot.pulledFiles.some((f) => f.startsWith(dir));
  const manifest = snapshot.manifests[name];
  const files = !hasFiles
    ? "absent"
    : manifest === undefined || manifest === null
    ? "present"
    : manifest;

  let lockfile = "unknown";
  const entries = lockEntries(snapshot);
  if (entries.ok) lockfile = entries.entries[name]?.version ?? "absent";

  let catalog = "unknown";
  if (snapshot.catalog.state === "absent") catalog = "absent";
  else if (snapshot.catalog.state === "present") {
    const rows = liveRowsByExtension(snapshot).get(name) ?? [];
    const versions = [...new Set(rows.map((r) => r.extension_version))].sort();
    catalog = versions.length === 0
      ? "absent"
      : versions.length === 1
      ? versions[0]
      : `mixed:${versions.join(",")}`;
  }
  return { files, lockfile, catalog };
}

/** Whether an observed layer value matches an expected one ("absent", "present" or a version). */
export function layerMatches(observed: string, expected: string): boolean {
  if (expected === "present") return observed !== "absent" && observed !== "unknown";
  return observed === expected;
}

/** A compact label, e.g. `files=2026.01.01.1 lockfile=absent catalog=absent`. */
export function formatLayerState(state: LayerState): string {
  return `files=${state.files} lockfile=${state.lockfile} catalog=${state.catalog}`;
}

/** Every extension name that appears in any layer of the snapshot. */
export function extensionsInSnapshot(snapshot: Snapshot): string[] {
  const names = new Set<string>(Object.keys(snapshot.manifests));
  const entries = lockEntries(snapshot);
  if (entries.ok) { for (const name of Object.keys(entries.entries)) names.add(name); }
  for (const name of liveRowsByExtension(snapshot).keys()) names.add(name);
  return [...names].sort();
}
