/**
 * Which point a runtime call is, from its arguments and the config's path
 * patterns alone (pure; the shim's patches call these on every call).
 *
 * @module
 */

import type { PointPatterns } from "../rule.ts";
import type { Point } from "../vocabulary.ts";

/** A call recognised as a point: which one, and the absolute path or URL it touches. */
export interface PointMatch {
  point: Point;
  /** Absolute path (or URL) for the event log. */
  target: string;
}

/**
 * The path of a `string | URL` argument, made absolute against `cwd` (kept
 * relative when `cwd` is unknown); `undefined` for anything else (the runtime
 * will reject it itself).
 */
export function pathOf(value: unknown, cwd: () => string | undefined): string | undefined {
  let path: string;
  if (typeof value === "string") path = value;
  else if (value instanceof URL) {
    if (value.protocol !== "file:") return undefined;
    path = decodeURIComponent(value.pathname);
  } else return undefined;
  if (path.startsWith("/")) return path;
  const base = cwd();
  if (base === undefined) return path;
  return base.endsWith("/") ? `${base}${path}` : `${base}/${path}`;
}

/** The last segment of a path, ignoring trailing slashes. */
export function basename(path: string): string {
  let end = path.length;
  while (end > 1 && path[end - 1] === "/") end--;
  return path.slice(path.lastIndexOf("/", end - 1) + 1, end);
}

/** Whether `Deno.open` options open the file for writing. */
export function opensForWriting(options: unknown): boolean {
  if (typeof options !== "object" || options === null) return false;
  const o = options as Record<string, unknown>;
  return o.write === true || o.append === true || o.create === true || o.truncate === true ||
    o.createNew === true;
}

/** A whole-file write (`writeFile`, `create`, or `open` for writing) of `path`. */
export function writePoint(path: string, patterns: PointPatterns): Point | undefined {
  if (basename(path) === patterns.lockfile) return "lockfile.write";
  if (path.includes(patterns.extractDir)) return "fs.extract";
  return undefined;
}

/** `Deno.open(path, options)`: a lock attempt, or a write. */
export function openPoint(
  path: string,
  options: unknown,
  patterns: PointPatterns,
): Point | undefined {
  if (!opensForWriting(options)) return undefined;
  const createNew = (options as Record<string, unknown>).createNew === true;
  if (createNew && basename(path) === patterns.lock) return "lock.acquire";
  return writePoint(path, patterns);
}

/** `Deno.rename(from, to)`: the atomic replacement of the lockfile. */
export function renamePoint(to: string, patterns: PointPatterns): Point | undefined {
  return basename(to) === patterns.lockfile ? "lockfile.write" : undefined;
}

/** `Deno.copyFile(from, to)`: a file copied into the pulled-extensions tree. */
export function copyPoint(to: string, patterns: PointPatterns): Point | undefined {
  return to.includes(patterns.extractDir) ? "fs.extract" : undefined;
}

/** `Deno.remove(path)`: the lock release, or a removal under the pulled-extensions tree. */
export function removePoint(path: string, patterns: PointPatterns): Point | undefined {
  if (basename(path) === patterns.lock) return "lock.release";
  if (path.includes(patterns.extractDir)) return "fs.remove";
  return undefined;
}

const TRANSACTION_SQL = /^\s*(BEGIN|COMMIT|END|ROLLBACK)\b/i;
const SAVEPOINT_ROLLBACK = /^\s*ROLLBACK\s+(TRANSACTION\s+)?TO\b/i;

/**
 * The catalog point of a SQL text by its first keyword: BEGIN, COMMIT or END,
 * ROLLBACK. `ROLLBACK TO <savepoint>` ends no transaction and is no point.
 */
export function sqlPoint(sql: unknown): Point | undefined {
  if (typeof sql !== "string") return undefined;
  const match = TRANSACTION_SQL.exec(sql);
  if (match === null) return undefined;
  switch (match[1].toUpperCase()) {
    case "BEGIN":
      return "catalog.begin";
    case "COMMIT":
    case "END":
      return "catalog.commit";
    default:
      return SAVEPOINT_ROLLBACK.test(sql) ? undefined : "catalog.rollback";
  }
}

/** The URL string of a `fetch` input (string, URL or Request); `undefined` otherwise. */
export function urlOf(input: unknown): string | undefined {
  if (typeof input === "string") return input;
  if (input instanceof URL) return input.href;
  if (input instanceof Request) return input.url;
  return undefined;
}

/**
 * Whether `url` goes to the registry at `registryUrl`: it starts with it, or
 * it is on the same origin (the archive download a registry redirects to).
 */
export function isRegistryUrl(url: string, registryUrl: string | undefined): boolean {
  if (registryUrl === undefined || registryUrl === "") return false;
  if (url.startsWith(registryUrl)) return true;
  try {
    return new URL(url).origin === new URL(registryUrl).origin;
  } catch {
    return false;
  }
}
