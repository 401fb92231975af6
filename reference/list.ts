/**
 * `swamp extension list|ls`: the lockfile only, sorted with `localeCompare`.
 *
 * @module
 */

import type { LockfileMap } from "./lockfile.ts";

/** One listed extension. */
export interface ListEntry {
  name: string;
  version: string;
  pulledAt: string;
  files: string[];
  channel?: string;
}

/** The list document of a lockfile map. */
export function listExtensions(map: LockfileMap): { extensions: ListEntry[] } {
  const extensions = Object.entries(map)
    .map(([name, entry]): ListEntry => ({
      name,
      version: entry.version,
      pulledAt: entry.pulledAt ?? "",
      files: entry.files ?? [],
      ...(entry.channel === undefined ? {} : { channel: entry.channel }),
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
  return { extensions };
}
