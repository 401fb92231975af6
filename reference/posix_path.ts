/**
 * POSIX path arithmetic. The reference imports no `node:path` (it costs
 * ~10 ms of start-up, `node:fs` ~30 ms), so these few functions stand in.
 * Paths are `/`-separated; the reference target runs on POSIX systems only.
 *
 * @module
 */

/** The path separator. */
export const SEP = "/";

function normalizeParts(path: string): string {
  const absolute = path.startsWith("/");
  const parts: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (parts.length > 0 && parts[parts.length - 1] !== "..") parts.pop();
      else if (!absolute) parts.push("..");
      continue;
    }
    parts.push(part);
  }
  const joined = parts.join("/");
  if (absolute) return `/${joined}`;
  return joined === "" ? "." : joined;
}

/** Whether `path` is absolute. */
export function isAbsolute(path: string): boolean {
  return path.startsWith("/");
}

/** Joins and normalises segments. */
export function join(...segments: string[]): string {
  const parts = segments.filter((s) => s !== "");
  return parts.length === 0 ? "." : normalizeParts(parts.join("/"));
}

/** Resolves segments right to left against the cwd into an absolute, normalised path. */
export function resolve(...segments: string[]): string {
  let path = "";
  for (let i = segments.length - 1; i >= 0 && !isAbsolute(path); i--) {
    const segment = segments[i];
    if (segment === "") continue;
    path = path === "" ? segment : `${segment}/${path}`;
  }
  if (!isAbsolute(path)) path = path === "" ? Deno.cwd() : `${Deno.cwd()}/${path}`;
  return normalizeParts(path);
}

/** The parent dir of `path`. */
export function dirname(path: string): string {
  const normalized = normalizeParts(path);
  const index = normalized.lastIndexOf("/");
  if (index === -1) return ".";
  if (index === 0) return "/";
  return normalized.slice(0, index);
}

/** The last segment of `path`. */
export function basename(path: string): string {
  const normalized = normalizeParts(path);
  return normalized.slice(normalized.lastIndexOf("/") + 1);
}

/** The relative path from `from` to `to` (both resolved first). */
export function relative(from: string, to: string): string {
  const fromParts = resolve(from).split("/").filter((p) => p !== "");
  const toParts = resolve(to).split("/").filter((p) => p !== "");
  let common = 0;
  while (
    common < fromParts.length && common < toParts.length && fromParts[common] === toParts[common]
  ) {
    common++;
  }
  const up = fromParts.slice(common).map(() => "..");
  return [...up, ...toParts.slice(common)].join("/");
}
