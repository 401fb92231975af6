/**
 * The loopback fixture registry: an in-process HTTP server that speaks the
 * extension API swamp's client uses (`SWAMP_CLUB_URL`) and serves the
 * fixture's archives.
 *
 * Endpoints (names arrive `encodeURIComponent`-ed, e.g. `%40a%2Fb`, joined to
 * a version by a literal `@`; unencoded names are accepted too):
 *
 * - `GET /api/v1/extensions/{name}` -> `{name, description, latestVersion}`
 * - `GET /api/v1/extensions/{name}/latest[?channel=]` ->
 *   `{latestVersion, latestVersionDetail: {version, publishedAt}}`
 * - `GET /api/v1/extensions/{name}/versions` -> `{versions: [{version, publishedAt}]}`, newest first
 * - `GET /api/v1/extensions/{name}@{version}/download[?channel=]` -> 302 to
 *   `<url>/archives/<encoded name>/<version>.tar.gz`
 * - `GET /archives/<encoded name>/<version>.tar.gz` -> the archive (`application/gzip`)
 * - `GET /api/v1/extensions/{name}@{version}/checksum` -> `{checksum}` (hex
 *   sha256); 404 when the version has `publishChecksum: false`
 *
 * Unknown extensions or versions, other paths and other methods get 404 with
 * `{error}`. Channels are ignored: every fixture version is stable.
 *
 * @module
 */

import { buildArchive, type BuiltArchive, descriptionOf } from "./archive.ts";
import { assertValidFixture } from "../scenario/fixture_validation.ts";
import {
  findVersion,
  type FixtureRef,
  type FixtureSpec,
  latestVersion,
  publishedAtOf,
} from "../scenario/fixture.ts";

/** One request the registry answered. */
export interface RegistryRequest {
  method: string;
  /** Path and query as received, e.g. `/api/v1/extensions/%40fix%2Falpha`. */
  path: string;
  status: number;
  /** Milliseconds since the registry started listening. */
  atMs: number;
}

/** A running loopback registry. */
export interface Registry {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:40123`. */
  url: string;
  port: number;
  /** Every answered request, in answer order. */
  requests: RegistryRequest[];
  /** Stops the server and waits until the port is released. */
  close(): Promise<void>;
}

/** Options of {@link startRegistry}. */
export interface RegistryOptions {
  /** Interface to bind (default `127.0.0.1`). */
  hostname?: string;
  /** Port to bind (default `0`: an ephemeral port). */
  port?: number;
}

const API_PREFIX = "/api/v1/extensions/";
const ARCHIVE_PREFIX = "/archives/";
const ARCHIVE_SUFFIX = ".tar.gz";
const ACTIONS = ["latest", "versions", "download", "checksum"] as const;

/**
 * Validates `spec` (throwing at once when it has problems) and serves it on
 * loopback; the registry is listening when the promise resolves. Archives
 * are built lazily, once per (name, version).
 *
 * @example
 * ```ts
 * const registry = await startRegistry(spec);
 * try {
 *   const response = await fetch(`${registry.url}/api/v1/extensions/%40fix%2Falpha`);
 * } finally {
 *   await registry.close();
 * }
 * ```
 */
export function startRegistry(
  spec: FixtureSpec,
  options: RegistryOptions = {},
): Promise<Registry> {
  assertValidFixture(spec);
  const archives = new Map<string, Promise<BuiltArchive>>();
  const requests: RegistryRequest[] = [];
  let baseUrl = "";
  let startedAtMs = 0;

  const archiveOf = (ref: FixtureRef): Promise<BuiltArchive> => {
    const key = `${ref.extension.name}@${ref.version.version}`;
    let archive = archives.get(key);
    if (archive === undefined) {
      archive = buildArchive(ref.extension, ref.version);
      archives.set(key, archive);
      // A failed build is not cached; the caller still sees the rejection.
      archive.catch(() => archives.delete(key));
    }
    return archive;
  };

  const server = Deno.serve({
    hostname: options.hostname ?? "127.0.0.1",
    port: options.port ?? 0,
    onListen: () => {},
  }, async (request) => {
    const url = new URL(request.url);
    let response: Response;
    try {
      response = request.method === "GET"
        ? await route(spec, url.pathname, baseUrl, archiveOf)
        : notFound(`Method "${request.method}" is not supported`);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      response = json({ error: `Registry failed: ${message}` }, 500);
    }
    requests.push({
      method: request.method,
      path: `${url.pathname}${url.search}`,
      status: response.status,
      atMs: performance.now() - startedAtMs,
    });
    return response;
  });
  startedAtMs = performance.now();
  const port = server.addr.port;
  const host = server.addr.hostname.includes(":")
    ? `[${server.addr.hostname}]`
    : server.addr.hostname;
  baseUrl = `http://${host}:${port}`;

  let closing: Promise<void> | undefined;
  return Promise.resolve({
    url: baseUrl,
    port,
    requests,
    close: () => {
      closing ??= (async () => {
        await server.shutdown();
        await server.finished;
      })();
      return closing;
    },
  });
}

/**
 * Splits `name@version` at its last `@` after the first character.
 *
 * @example
 * ```ts
 * splitRef("@fix/alpha@2026.01.01.1"); // { name: "@fix/alpha", version: "2026.01.01.1" }
 * ```
 */
export function splitRef(ref: string): { name: string; version: string } | undefined {
  const at = ref.lastIndexOf("@");
  if (at <= 0) return undefined;
  return { name: ref.slice(0, at), version: ref.slice(at + 1) };
}

async function route(
  spec: FixtureSpec,
  pathname: string,
  baseUrl: string,
  archiveOf: (ref: FixtureRef) => Promise<BuiltArchive>,
): Promise<Response> {
  if (pathname.startsWith(ARCHIVE_PREFIX) && pathname.endsWith(ARCHIVE_SUFFIX)) {
    const rest = pathname.slice(ARCHIVE_PREFIX.length, -ARCHIVE_SUFFIX.length);
    const slash = rest.lastIndexOf("/");
    const name = slash > 0 ? decode(rest.slice(0, slash)) : undefined;
    const ref = name === undefined ? undefined : findVersion(spec, name, rest.slice(slash + 1));
    if (ref === undefined) return notFound(`Archive "${pathname}" not found`);
    const archive = await archiveOf(ref);
    return new Response(archive.bytes, {
      status: 200,
      headers: { "content-type": "application/gzip" },
    });
  }
  if (!pathname.startsWith(API_PREFIX)) return notFound(`Path "${pathname}" not found`);
  const rest = pathname.slice(API_PREFIX.length);

  const slash = rest.lastIndexOf("/");
  const rawHead = slash > 0 ? rest.slice(0, slash) : "";
  const action = slash > 0 ? rest.slice(slash + 1) : "";
  const isAction = (ACTIONS as readonly string[]).includes(action);
  // An encoded name has no literal "/", so "<encoded>/<action>" is never a bare name.
  if (!isAction || rawHead.includes("/")) {
    const whole = decode(rest);
    const ref = whole === undefined ? undefined : findVersion(spec, whole);
    if (ref !== undefined) {
      return json({
        name: ref.extension.name,
        description: descriptionOf(ref.extension),
        latestVersion: ref.version.version,
      });
    }
    if (!isAction) return notFound(`Extension "${whole ?? rest}" not found`);
  }
  const head = decode(rawHead);
  if (head === undefined) return notFound(`Extension "${rawHead}" not found`);

  if (action === "latest" || action === "versions") {
    const found = findVersion(spec, head);
    if (found === undefined) return notFound(`Extension "${head}" not found`);
    if (action === "latest") {
      const latest = latestVersion(found.extension).version;
      return json({
        latestVersion: latest,
        latestVersionDetail: { version: latest, publishedAt: publishedAtOf(latest) },
      });
    }
    const versions = found.extension.versions
      .map((version) => ({ version: version.version, publishedAt: publishedAtOf(version.version) }))
      .reverse();
    return json({ name: head, versions });
  }

  if (action === "download" || action === "checksum") {
    const split = splitRef(head);
    const target = split === undefined ? undefined : findVersion(spec, split.name, split.version);
    if (split === undefined || target === undefined) {
      return notFound(`Extension "${head}" not found in the registry`);
    }
    if (action === "download") {
      const location = `${baseUrl}${ARCHIVE_PREFIX}${encodeURIComponent(split.name)}/` +
        `${encodeURIComponent(split.version)}${ARCHIVE_SUFFIX}`;
      return new Response(null, { status: 302, headers: { location } });
    }
    if (target.version.publishChecksum === false) {
      return notFound(`No checksum published for "${head}"`);
    }
    return json({ checksum: (await archiveOf(target)).checksum });
  }
  return notFound(`Path "${pathname}" not found`);
}

function decode(encoded: string): string | undefined {
  try {
    return decodeURIComponent(encoded);
  } catch {
    return undefined;
  }
}

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json" },
  });
}

function notFound(error: string): Response {
  return json({ error }, 404);
}
