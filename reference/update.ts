/**
 * `swamp extension update [name]`: the plan comes from ONE lockfile snapshot;
 * each `update_available` extension is then installed with force from a
 * fresh snapshot over one catalog connection shared by the run. A failure is
 * recorded as `failed` and the command still exits 0. `--check` stops after
 * the plan.
 *
 * @module
 */

import { errorMessage, UserError } from "./errors.ts";
import { type ExtensionRef, type InstallEvent, type InstallResult } from "./install.ts";
import type { LockfileEntry, LockfileRepository } from "./lockfile.ts";
import type { Output } from "./output.ts";
import type { RegistryClient } from "./registry_client.ts";

/** One extension's update status. */
export type UpdateStatus =
  | "up_to_date"
  | "update_available"
  | "updated"
  | "not_found"
  | "failed"
  | "deprecated";

/** One row of the final JSON document. */
export interface UpdateEntry {
  name: string;
  currentVersion: string;
  latestVersion: string | null;
  status: UpdateStatus;
  error?: string;
}

/** The final JSON document. */
export interface UpdateReport {
  extensions: UpdateEntry[];
  summary: { total: number; upToDate: number; updated: number; failed: number };
}

/** What an update needs. */
export interface UpdateDeps {
  /** The plan's snapshot. */
  lockfile: LockfileRepository;
  registry: RegistryClient;
  output: Output;
  /** Installs one extension with force from a fresh snapshot over the shared catalog connection. */
  install: (
    ref: ExtensionRef,
    channel: string | undefined,
    onEvent: (e: InstallEvent) => void,
  ) => Promise<InstallResult>;
}

async function planOne(
  name: string,
  entry: LockfileEntry,
  registry: RegistryClient,
): Promise<UpdateEntry> {
  const base = { name, currentVersion: entry.version };
  try {
    const info = await registry.getExtension(name);
    if (info === null) return { ...base, latestVersion: null, status: "not_found" };
    const latest = entry.channel !== undefined
      ? await registry.getLatestVersion(name, entry.channel)
      : info.latestVersion;
    if (latest === null) return { ...base, latestVersion: null, status: "not_found" };
    if (latest === entry.version) {
      return {
        ...base,
        latestVersion: latest,
        status: info.deprecatedAt ? "deprecated" : "up_to_date",
      };
    }
    return { ...base, latestVersion: latest, status: "update_available" };
  } catch (error) {
    return {
      ...base,
      latestVersion: null,
      status: "failed",
      error: `Update failed: ${errorMessage(error)}`,
    };
  }
}

/** Runs the update and returns the final report. */
export async function runUpdate(
  name: string | undefined,
  check: boolean,
  deps: UpdateDeps,
): Promise<UpdateReport> {
  const entries = deps.lockfile.getAllEntries();
  let names = Object.keys(entries);
  if (name !== undefined) {
    if (entries[name] === undefined) {
      deps.output.data({ error: `Extension ${name} is not installed.` });
      throw new UserError(
        `Extension ${name} is not installed. Use 'swamp extension pull ${name}' to install it.`,
      );
    }
    names = [name];
  }
  const plan: UpdateEntry[] = [];
  for (const each of names) plan.push(await planOne(each, entries[each], deps.registry));
  if (!check) {
    for (const item of plan) {
      if (item.status !== "update_available" || item.latestVersion === null) continue;
      deps.output.data({
        status: "updating",
        name: item.name,
        from: item.currentVersion,
        to: item.latestVersion,
      });
      deps.output.info(`Updating ${item.name} ${item.currentVersion} -> ${item.latestVersion}`);
      try {
        await deps.install(
          { name: item.name, version: item.latestVersion },
          entries[item.name].channel,
          (event) => {
            if (event.kind === "orphans_pruned") {
              deps.output.data({
                status: "orphans_pruned",
                name: event.name,
                version: event.version,
                paths: event.paths,
              });
            }
          },
        );
        item.status = "updated";
      } catch (error) {
        item.status = "failed";
        item.error = `Update failed: ${errorMessage(error)}`;
      }
    }
  }
  return {
    extensions: plan,
    summary: {
      total: plan.length,
      upToDate: plan.filter((p) => p.status === "up_to_date").length,
      updated: plan.filter((p) => p.status === "updated").length,
      failed: plan.filter((p) => p.status === "failed").length,
    },
  };
}
