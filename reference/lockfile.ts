/**
 * The lockfile `upstream_extensions.json` and its repository.
 *
 * - Reads take no lock and validate nothing: a missing file reads as `{}`,
 *   malformed JSON throws the raw SyntaxError.
 * - {@link LockfileRepository.create} reads the file once; reads answer from
 *   that snapshot, and a write refreshes only the writer's own cache.
 * - Writes create the parent dir, take the advisory lock, RE-READ the file,
 *   set or delete one key, write atomically, update the cache and unlock.
 *   Serialisation is 2-space JSON with a trailing newline; key order is the
 *   re-read map's, so new keys are appended.
 *
 * @module
 */

import { dirname } from "./posix_path.ts";
import { atomicWriteTextFile, renameOver, writeTmpBeside } from "./atomic_write.ts";
import { acquireLock, releaseLock } from "./lock.ts";
import { isMutant } from "./mutants.ts";

/** One lockfile entry, fields in write order. */
export interface LockfileEntry {
  version: string;
  pulledAt: string;
  files?: string[];
  include?: string[];
  checksum?: string;
  filesChecksum?: string;
  serverUrl?: string;
  channel?: string;
}

/** The whole lockfile: extension name -> entry. */
export type LockfileMap = Record<string, LockfileEntry>;

/** Optional fields of {@link LockfileRepository.writeEntry}. */
export interface WriteEntryOptions {
  include?: string[];
  checksum?: string;
  filesChecksum?: string;
  serverUrl?: string;
  channel?: string;
  /** Keep this `pulledAt` (the caller passes it only when the version is unchanged). */
  pulledAt?: string;
}

/** Reads the lockfile: `{}` when missing, the raw SyntaxError when malformed. */
export async function readLockfile(lockfilePath: string): Promise<LockfileMap> {
  let text: string;
  try {
    text = await Deno.readTextFile(lockfilePath);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return {};
    throw error;
  }
  return JSON.parse(text) as LockfileMap;
}

/** The lockfile text for a map: 2-space JSON and a trailing newline. */
export function serializeLockfile(map: LockfileMap): string {
  return JSON.stringify(map, null, 2) + "\n";
}

/** Builds an entry in swamp's field order; `files` sorted with the default JS sort. */
export function buildEntry(
  version: string,
  files: readonly string[],
  options: WriteEntryOptions = {},
  now: () => string = () => new Date().toISOString(),
): LockfileEntry {
  const entry: LockfileEntry = {
    version,
    pulledAt: options.pulledAt ?? now(),
    files: [...files].sort(),
  };
  if (options.include !== undefined && options.include.length > 0) entry.include = options.include;
  if (options.checksum) entry.checksum = options.checksum;
  if (options.filesChecksum) entry.filesChecksum = options.filesChecksum;
  if (options.serverUrl) entry.serverUrl = options.serverUrl;
  if (options.channel) entry.channel = options.channel;
  return entry;
}

/** Snapshot reads and locked read-merge-write updates of the lockfile. */
export class LockfileRepository {
  readonly lockfilePath: string;
  readonly lockPath: string;
  private cache: LockfileMap;

  /** Reads the lockfile once; later reads answer from this snapshot. */
  static async create(lockfilePath: string): Promise<LockfileRepository> {
    return new LockfileRepository(lockfilePath, await readLockfile(lockfilePath));
  }

  /** Wraps an explicit snapshot. */
  constructor(lockfilePath: string, cache: LockfileMap = {}) {
    this.lockfilePath = lockfilePath;
    this.lockPath = `${lockfilePath}.lock`;
    this.cache = cache;
  }

  /** The snapshot entry of `name`, or null. */
  getEntry(name: string): LockfileEntry | null {
    return this.cache[name] ?? null;
  }

  /** A deep copy of the snapshot. */
  getAllEntries(): LockfileMap {
    return structuredClone(this.cache);
  }

  /** The snapshot version of `name`, or null. */
  getLockedVersion(name: string): string | null {
    return this.cache[name]?.version ?? null;
  }

  /** Sets the entry of `name` under the lock, re-reading the file first. */
  async writeEntry(
    name: string,
    version: string,
    files: readonly string[],
    options?: WriteEntryOptions,
  ): Promise<void> {
    await this.mutate((current) => {
      current[name] = buildEntry(version, files, options);
    });
  }

  /** Deletes the entry of `name` under the lock (a no-op when absent). */
  async removeEntry(name: string): Promise<void> {
    await this.mutate((current) => {
      delete current[name];
    });
  }

  private async mutate(change: (current: LockfileMap) => void): Promise<void> {
    await Deno.mkdir(dirname(this.lockfilePath), { recursive: true });
    if (isMutant("lockfile-unlocked-write")) {
      const current = await readLockfile(this.lockfilePath);
      change(current);
      await this.writeMap(current);
      this.cache = current;
      return;
    }
    const handle = await acquireLock(this.lockPath);
    let released = false;
    try {
      const current = await readLockfile(this.lockfilePath);
      change(current);
      if (isMutant("lock-early-release")) {
        const tmpPath = await writeTmpBeside(this.lockfilePath, serializeLockfile(current));
        await releaseLock(handle, this.lockPath);
        released = true;
        await renameOver(tmpPath, this.lockfilePath);
      } else {
        await this.writeMap(current);
      }
      this.cache = current;
    } finally {
      if (!released) await releaseLock(handle, this.lockPath);
    }
  }

  private async writeMap(map: LockfileMap): Promise<void> {
    if (isMutant("lockfile-in-place-write")) {
      await Deno.writeTextFile(this.lockfilePath, serializeLockfile(map));
      return;
    }
    await atomicWriteTextFile(this.lockfilePath, serializeLockfile(map));
  }
}
