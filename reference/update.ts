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
import { compareCalVer } from "./sources.ts";

/** One extension's update status. */
export type UpdateStatus =
  | "up_to_date"
  | "update_available"
  | "updated"
  | "not_found"
  | "failed"
  | "deprecated";

/**
 * One row of the final JSON document, shaped per status as swamp's
 * (`src/domain/extensions/extension_update_service.ts`): `installedVersion`
 * and `latestVersion` for up_to_date and update_available,
 * `previousVersion` and `newVersion` for updated, `installedVersion` and
 * `error` for not_found and failed, `installedVersion` with the deprecation
 * for deprecated; `channel` only for a non-stable channel.
 */
export type UpdateEntry =
  | {
    status: "up_to_date" | "update_available";
    name: string;
    installedVersion: string;
    latestVersion: string;
    channel?: string;
  }
  | {
    status: "updated";
    name: string;
    previousVersion: string;
    newVersion: string;
    channel?: string;
  }
  | {
    status: "not_found" | "failed";
    name: string;
    installedVersion: string;
    error: string;
    channel?: string;
  }
  | {
    status: "deprecated";
    name: string;
    installedVersion: string;
    deprecationReason: string | null;
    supersededBy: string | null;
    channel?: string;
  };

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
  const base = { name, installedVersion: entry.version, channel: entry.channel };
  try {
    const info = await registry.getExtension(name);
    if (info === null) {
      return { status: "not_found", ...base, error: `Failed to fetch registry info for ${name}.` };
    }
    const latest = entry.channel !== undefined
      ? await registry.getLatestVersion(name, entry.channel)
      : info.latestVersion;
    if (latest === null) {
      return {
        status: "not_found",
        ...base,
        error: `Extension ${name} not found in the registry.`,
      };
    }
    // As swamp's checkExtensionVersion: a newer version wins over deprecation.
    if (compareCalVer(entry.version, latest) < 0) {
      return { status: "update_available", ...base, latestVersion: latest };
    }
    if (info.deprecatedAt) {
      return {
        status: "deprecated",
        ...base,
        deprecationReason: info.deprecationReason ?? null,
        supersededBy: null,
      };
    }
    return { status: "up_to_date", ...base, latestVersion: latest };
  } catch (error) {
    return { status: "failed", ...base, error: `Update failed: ${errorMessage(error)}` };
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
  const final = check ? plan : [];
  for (const item of check ? [] : plan) {
    if (item.status !== "update_available") {
      final.push(item);
      continue;
    }
    const { name: itemName, installedVersion: from, latestVersion: to, channel } = item;
    deps.output.data({ status: "updating", name: itemName, from, to });
    deps.output.info(`Updating ${itemName} ${from} -> ${to}`);
    try {
      await deps.install({ name: itemName, version: to }, channel, (event) => {
        if (event.kind === "orphans_pruned") {
          deps.output.data({
            status: "orphans_pruned",
            name: event.name,
            from,
            to,
            paths: event.paths,
          });
        }
      });
      final.push({
        status: "updated",
        name: itemName,
        previousVersion: from,
        newVersion: to,
        channel,
      });
    } catch (error) {
      final.push({
        status: "failed",
        name: itemName,
        installedVersion: from,
        error: `Update failed: ${errorMessage(error)}`,
        channel,
      });
    }
  }
  return {
    extensions: final,
    summary: {
      total: final.length,
      upToDate: final.filter((p) => p.status === "up_to_date").length,
      updated: final.filter((p) => p.status === "updated").length,
      failed: final.filter((p) => p.status === "failed").length,
    },
  };
}
