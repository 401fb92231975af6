/**
 * The registry client: global `fetch` against `SWAMP_CLUB_URL` (default
 * `https://swamp.club`). Names and versions are `encodeURIComponent`-ed and
 * joined by a literal `@`. The download endpoint must answer 301/302: it is
 * fetched with `redirect: "manual"` and its `Location` fetched next (no host
 * check). API calls time out after 15 s, the archive fetch after 120 s.
 *
 * @module
 */

import { UserError } from "./errors.ts";

/** The registry used when `SWAMP_CLUB_URL` is unset. */
export const DEFAULT_SWAMP_CLUB_URL = "https://swamp.club";

/** Timeout of every API request. */
export const API_TIMEOUT_MS = 15_000;

/** Timeout of the archive fetch. */
export const DOWNLOAD_TIMEOUT_MS = 120_000;

/** What the registry says about one extension. */
export interface ExtensionInfo {
  name: string;
  description: string;
  latestVersion: string | null;
  latestRc?: string | null;
  latestBeta?: string | null;
  deprecatedAt?: string | null;
  deprecationReason?: string | null;
  supersededBy?: string | null;
}

/** The registry URL from the environment. */
export function resolveServerUrl(): string {
  const fromEnv = Deno.env.get("SWAMP_CLUB_URL");
  return fromEnv !== undefined && fromEnv !== "" ? fromEnv : DEFAULT_SWAMP_CLUB_URL;
}

/** The "not found" UserError message. */
export function notFoundMessage(name: string): string {
  return `Extension ${name} not found in the registry.`;
}

function statusError(status: number, what: string): UserError {
  switch (status) {
    case 401:
      return new UserError(`Unauthorized while ${what}. Run 'swamp auth login' and retry.`);
    case 403:
      return new UserError(`Access denied while ${what}.`);
    case 409:
      return new UserError(`Conflict while ${what}.`);
    case 422:
      return new UserError(`The registry rejected the request while ${what}.`);
    case 429:
      return new UserError(`Rate limited by the registry while ${what}. Please wait and retry.`);
    default:
      return new UserError(`Registry request failed while ${what}: HTTP ${status}`);
  }
}

/** A client bound to one registry URL. */
export class RegistryClient {
  readonly baseUrl: string;

  /** Creates a client for `baseUrl` (no trailing slash needed). */
  constructor(baseUrl: string) {
    this.baseUrl = baseUrl.replace(/\/+$/, "");
  }

  private url(path: string): string {
    return `${this.baseUrl}/api/v1/extensions/${path}`;
  }

  private async request(url: string, init: RequestInit, timeoutMs: number): Promise<Response> {
    try {
      return await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    } catch (error) {
      throw new UserError(
        `Could not connect to ${this.baseUrl}: ${error instanceof Error ? error.message : error}`,
      );
    }
  }

  private async json(url: string, what: string): Promise<unknown | null> {
    const response = await this.request(url, {}, API_TIMEOUT_MS);
    if (response.status === 404) {
      await response.body?.cancel();
      return null;
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw statusError(response.status, what);
    }
    return await response.json();
  }

  /** `GET /api/v1/extensions/{name}`; null on 404. */
  async getExtension(name: string): Promise<ExtensionInfo | null> {
    const body = await this.json(this.url(encodeURIComponent(name)), `looking up ${name}`);
    if (body === null) return null;
    if (typeof body !== "object") throw new UserError(`Invalid registry answer for ${name}`);
    const data = body as Record<string, unknown>;
    return {
      name: typeof data.name === "string" ? data.name : name,
      description: typeof data.description === "string" ? data.description : "",
      latestVersion: typeof data.latestVersion === "string" ? data.latestVersion : null,
      latestRc: typeof data.latestRc === "string" ? data.latestRc : null,
      latestBeta: typeof data.latestBeta === "string" ? data.latestBeta : null,
      deprecatedAt: typeof data.deprecatedAt === "string" ? data.deprecatedAt : null,
      deprecationReason: typeof data.deprecationReason === "string" ? data.deprecationReason : null,
      supersededBy: typeof data.supersededBy === "string" ? data.supersededBy : null,
    };
  }

  /** `GET /api/v1/extensions/{name}/latest?channel=`; null on 404. */
  async getLatestVersion(name: string, channel: string): Promise<string | null> {
    const url = `${this.url(encodeURIComponent(name))}/latest?channel=${
      encodeURIComponent(channel)
    }`;
    const body = await this.json(url, `resolving the ${channel} version of ${name}`);
    if (body === null || typeof body !== "object") return null;
    const data = body as Record<string, unknown>;
    if (typeof data.latestVersion === "string") return data.latestVersion;
    const detail = data.latestVersionDetail;
    if (detail !== null && typeof detail === "object") {
      const version = (detail as Record<string, unknown>).version;
      if (typeof version === "string") return version;
    }
    return null;
  }

  /** `GET /api/v1/extensions/{name}@{version}/checksum`; null on 404 (unverified). */
  async getChecksum(name: string, version: string): Promise<string | null> {
    const url = `${
      this.url(`${encodeURIComponent(name)}@${encodeURIComponent(version)}`)
    }/checksum`;
    const body = await this.json(url, `fetching the checksum of ${name}@${version}`);
    if (body === null || typeof body !== "object") return null;
    const checksum = (body as Record<string, unknown>).checksum;
    return typeof checksum === "string" ? checksum : null;
  }

  /** Downloads the archive: the endpoint's 301/302, then its `Location`. */
  async download(name: string, version: string, channel?: string): Promise<Uint8Array> {
    const query = channel === undefined ? "" : `?channel=${encodeURIComponent(channel)}`;
    const url = `${
      this.url(`${encodeURIComponent(name)}@${encodeURIComponent(version)}`)
    }/download${query}`;
    const what = `downloading ${name}@${version}`;
    const response = await this.request(url, { redirect: "manual" }, API_TIMEOUT_MS);
    await response.body?.cancel();
    if (response.status === 404) throw new UserError(notFoundMessage(name));
    if (response.status !== 301 && response.status !== 302) {
      throw response.ok
        ? new UserError(
          `Unexpected registry answer while ${what}: HTTP ${response.status}, expected a redirect`,
        )
        : statusError(response.status, what);
    }
    const location = response.headers.get("location");
    if (location === null) {
      throw new UserError(`Registry redirect without a Location while ${what}`);
    }
    const archive = await this.request(new URL(location, url).href, {}, DOWNLOAD_TIMEOUT_MS);
    if (archive.status === 404) {
      await archive.body?.cancel();
      throw new UserError(notFoundMessage(name));
    }
    if (!archive.ok) {
      await archive.body?.cancel();
      throw statusError(archive.status, what);
    }
    return new Uint8Array(await archive.arrayBuffer());
  }
}
