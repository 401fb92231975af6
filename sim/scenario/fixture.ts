/**
 * The fixture: what the loopback registry serves and what the repo holds
 * before a run. A fixture is declarative data (it lives in a scenario file);
 * `archive.ts` turns one version into a real swamp archive and `registry.ts`
 * serves them. This module holds the fixture's types and what follows from
 * them (sources, types as swamp normalises them, versions, type conflicts);
 * whether swamp would accept a fixture is `fixture_validation.ts`.
 *
 * @module
 */

/** Source kinds that swamp indexes (drivers are never indexed). */
export const SOURCE_KINDS = ["model", "vault", "datastore", "report"] as const;

/** A source kind that swamp indexes. */
export type SourceKind = typeof SOURCE_KINDS[number];

/** The archive directory of each source kind. */
export const SOURCE_DIRS: Readonly<Record<SourceKind, string>> = {
  model: "models",
  vault: "vaults",
  datastore: "datastores",
  report: "reports",
};

/**
 * The archive directory of each source kind's prebuilt bundles. `swamp
 * extension push` bundles every entry point and ships `<kind dir>/<name>.ts`
 * as `<bundle dir>/<name>.js` (swamp `src/libswamp/extensions/push.ts`,
 * `createArchive`); pull copies each bundle dir to `.swamp/<bundle dir>/<ns>/`
 * and the loader looks a source's bundle up at the same relative path with
 * `.js`.
 */
export const BUNDLE_DIRS: Readonly<Record<SourceKind, string>> = {
  model: "bundles",
  vault: "vault-bundles",
  datastore: "datastore-bundles",
  report: "report-bundles",
};

/** One published version of a fixture extension. */
export interface FixtureVersion {
  /** CalVer, `YYYY.MM.DD.N`. */
  version: string;
  /**
   * Sources per kind: file name (relative to the kind's dir, `.ts`) -> type.
   * When no kind is given, the version ships one model `main.ts` of type
   * `<name>/main`.
   */
  models?: Record<string, string>;
  vaults?: Record<string, string>;
  datastores?: Record<string, string>;
  reports?: Record<string, string>;
  /** Extra files, path relative to the archive's `extension/` dir -> UTF-8 content. */
  files?: Record<string, string>;
  /** Model files (names within `models`) written so that swamp's validation rejects them. */
  invalidModels?: string[];
  /** Manifest `dependencies` (names, optionally `@version`). */
  dependencies?: string[];
  /** Whether the registry answers the checksum endpoint (default true). */
  publishChecksum?: boolean;
}

/** One extension the registry knows. */
export interface FixtureExtension {
  /** Scoped name, e.g. `@fix/alpha`. */
  name: string;
  description?: string;
  /** Published versions, oldest first; the last one is `latestVersion`. */
  versions: FixtureVersion[];
}

/** Everything the loopback registry serves. */
export interface FixtureSpec {
  extensions: FixtureExtension[];
}

/** One source file a fixture version ships, resolved from its kind maps. */
export interface FixtureSource {
  kind: SourceKind;
  /** Path relative to the archive's `extension/` dir, e.g. `models/main.ts`. */
  file: string;
  /** The type (for reports: the name) as written into the source. */
  type: string;
  /** `type` as swamp normalises it for the catalog (see {@link normalizeType}). */
  typeNormalized: string;
  /** Whether the file is written so that swamp's validation rejects it (models only). */
  invalid: boolean;
}

/** One side of a {@link TypeConflict}: an extension and where it claims the type. */
export interface TypeClaimant {
  extensionName: string;
  /** Versions of the extension that claim the type, oldest first. */
  versions: string[];
  /** Files (relative to `extension/`) that claim it, sorted. */
  files: string[];
}

/** A (kind, type) claimed by two different extensions. */
export interface TypeConflict {
  kind: SourceKind;
  /** The normalised type both sides claim. */
  type: string;
  /** The side whose name sorts first. */
  first: TypeClaimant;
  second: TypeClaimant;
}

/** An extension together with one of its versions. */
export interface FixtureRef {
  extension: FixtureExtension;
  version: FixtureVersion;
}

/** Scoped extension name, as swamp's manifest schema requires it. */
export const EXTENSION_NAME_PATTERN = /^@[a-z0-9_-]+\/[a-z0-9_-]+(\/[a-z0-9_-]+)*$/;

/** CalVer `YYYY.MM.DD.N`, as swamp requires it for extension and model versions. */
export const CALVER_PATTERN = /^\d{4}\.\d{2}\.\d{2}\.\d+$/;

/** The longest archive entry path nanotar can write (ustar `name` field, no prefix split). */
export const ARCHIVE_PATH_BYTES_MAX = 100;

/** The kind map field of each source kind. */
export const KIND_FIELDS = {
  model: "models",
  vault: "vaults",
  datastore: "datastores",
  report: "reports",
} as const satisfies Record<SourceKind, keyof FixtureVersion>;

/**
 * The type swamp stores in the catalog for a source of `kind` declaring `raw`.
 * Models follow `ModelType`: trimmed, lower-cased; `::`, whitespace and `.`
 * become `/`; runs of slashes collapse; edge slashes are trimmed. Vault,
 * datastore and report types (a report's name) are lower-cased.
 *
 * @example
 * ```ts
 * normalizeType("model", "AWS::EC2.Vpc"); // "aws/ec2/vpc"
 * normalizeType("vault", "@Fix/Keys"); // "@fix/keys"
 * ```
 */
export function normalizeType(kind: SourceKind, raw: string): string {
  if (kind !== "model") return raw.toLowerCase();
  return raw.trim()
    .toLowerCase()
    .replace(/::/g, "/")
    .replace(/\s+/g, "/")
    .replace(/\./g, "/")
    .replace(/\/+/g, "/")
    .replace(/^\/|\/$/g, "");
}

/**
 * The archive path (relative to `extension/`) of a source's prebuilt bundle:
 * the source's path under its kind dir, in the kind's bundle dir, `.ts`
 * replaced by `.js`.
 *
 * @example
 * ```ts
 * bundleFileOf({ kind: "model", file: "models/sub/widget.ts" }); // "bundles/sub/widget.js"
 * ```
 */
export function bundleFileOf(source: Pick<FixtureSource, "kind" | "file">): string {
  const name = source.file.slice(SOURCE_DIRS[source.kind].length + 1);
  return `${BUNDLE_DIRS[source.kind]}/${name.replace(/\.ts$/, ".js")}`;
}

/**
 * Orders two CalVer strings numerically, part by part.
 *
 * @example
 * ```ts
 * compareCalVer("2026.01.02.1", "2026.01.10.1") < 0; // true
 * ```
 */
export function compareCalVer(a: string, b: string): number {
  const left = a.split(".").map(Number);
  const right = b.split(".").map(Number);
  for (let index = 0; index < Math.max(left.length, right.length); index++) {
    const difference = (left[index] ?? 0) - (right[index] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

/**
 * The deterministic publication time of a CalVer version: midnight UTC of its
 * date plus `N` seconds, as an ISO string. No clock is read.
 *
 * @example
 * ```ts
 * publishedAtOf("2026.01.02.3"); // "2026-01-02T00:00:03.000Z"
 * ```
 */
export function publishedAtOf(version: string): string {
  return new Date(publishedAtMsOf(version)).toISOString();
}

/** {@link publishedAtOf} in milliseconds since the epoch. */
export function publishedAtMsOf(version: string): number {
  if (!CALVER_PATTERN.test(version)) {
    throw new Error(`Cannot date version "${version}": not CalVer YYYY.MM.DD.N`);
  }
  const [year, month, day, micro] = version.split(".").map(Number);
  return Date.UTC(year, month - 1, day) + micro * 1000;
}

/**
 * The sources a version ships, sorted by kind (in {@link SOURCE_KINDS} order)
 * then by file. With no kind map at all, the version ships one model
 * `models/main.ts` of type `<extensionName>/main`.
 *
 * @example
 * ```ts
 * sourcesOf({ version: "2026.01.01.1" }, "@fix/alpha");
 * // [{ kind: "model", file: "models/main.ts", type: "@fix/alpha/main", ... }]
 * ```
 */
export function sourcesOf(version: FixtureVersion, extensionName: string): FixtureSource[] {
  const hasKindMap = SOURCE_KINDS.some((kind) => version[KIND_FIELDS[kind]] !== undefined);
  if (!hasKindMap) {
    const type = `${extensionName}/main`;
    return [{
      kind: "model",
      file: `${SOURCE_DIRS.model}/main.ts`,
      type,
      typeNormalized: normalizeType("model", type),
      invalid: (version.invalidModels ?? []).includes("main.ts"),
    }];
  }
  const invalidModels = new Set(version.invalidModels ?? []);
  const sources: FixtureSource[] = [];
  for (const kind of SOURCE_KINDS) {
    const map = version[KIND_FIELDS[kind]] ?? {};
    for (const name of Object.keys(map).sort(compareCodeUnits)) {
      sources.push({
        kind,
        file: `${SOURCE_DIRS[kind]}/${name}`,
        type: map[name],
        typeNormalized: normalizeType(kind, map[name]),
        invalid: kind === "model" && invalidModels.has(name),
      });
    }
  }
  return sources;
}

/**
 * The newest version of an extension (the last one listed).
 *
 * @example
 * ```ts
 * latestVersion({ name: "@fix/a", versions: [{ version: "2026.01.01.1" }] }).version;
 * ```
 */
export function latestVersion(extension: FixtureExtension): FixtureVersion {
  const latest = extension.versions.at(-1);
  if (latest === undefined) {
    throw new Error(`Cannot pick the latest version of "${extension.name}": it has no versions`);
  }
  return latest;
}

/**
 * Finds an extension by name and one of its versions (the latest when
 * `version` is omitted); `undefined` when either is unknown.
 *
 * @example
 * ```ts
 * findVersion(spec, "@fix/alpha", "2026.01.01.1")?.version.version;
 * ```
 */
export function findVersion(
  spec: FixtureSpec,
  name: string,
  version?: string,
): FixtureRef | undefined {
  const extension = spec.extensions.find((candidate) => candidate.name === name);
  if (extension === undefined || extension.versions.length === 0) return undefined;
  const found = version === undefined
    ? latestVersion(extension)
    : extension.versions.find((candidate) => candidate.version === version);
  return found === undefined ? undefined : { extension, version: found };
}

/**
 * Every (kind, normalised type) claimed by two different extensions across
 * any of their versions, one entry per pair of extensions, sorted. An
 * extension's own versions never conflict with each other. Invalid models
 * count as claims: their type is declared in the file all the same.
 *
 * @example
 * ```ts
 * typeConflicts(spec).map((c) => `${c.first.extensionName} vs ${c.second.extensionName}`);
 * ```
 */
export function typeConflicts(spec: FixtureSpec): TypeConflict[] {
  const claims = new Map<string, Map<string, TypeClaimant>>();
  for (const extension of spec.extensions) {
    for (const version of extension.versions) {
      for (const source of sourcesOf(version, extension.name)) {
        const key = `${source.kind}\u0000${source.typeNormalized}`;
        const byExtension = claims.get(key) ?? new Map<string, TypeClaimant>();
        claims.set(key, byExtension);
        const claimant = byExtension.get(extension.name) ??
          { extensionName: extension.name, versions: [], files: [] };
        byExtension.set(extension.name, claimant);
        if (!claimant.versions.includes(version.version)) claimant.versions.push(version.version);
        if (!claimant.files.includes(source.file)) claimant.files.push(source.file);
      }
    }
  }
  const conflicts: TypeConflict[] = [];
  for (const [key, byExtension] of [...claims].sort(([a], [b]) => compareCodeUnits(a, b))) {
    const [kind, type] = key.split("\u0000") as [SourceKind, string];
    const claimants = [...byExtension.values()]
      .sort((a, b) => compareCodeUnits(a.extensionName, b.extensionName));
    for (const claimant of claimants) claimant.files.sort(compareCodeUnits);
    for (let i = 0; i < claimants.length; i++) {
      for (let j = i + 1; j < claimants.length; j++) {
        conflicts.push({ kind, type, first: claimants[i], second: claimants[j] });
      }
    }
  }
  return conflicts;
}

function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
