/**
 * InstallExtensionService: filesystem, then lockfile, then catalog.
 *
 * - Phase 0: the prior lockfile entry, from the snapshot.
 * - Phases 1–7 ({@link installFiles}): registry lookup, download, checksum,
 *   extraction to a temp dir, manifest, safety, conflicts (unless force; the
 *   copied files, not the manifest), copy into place in swamp's order (every
 *   one of the seven scaffold dirs and five bundle namespace dirs created,
 *   empty or not; the previous read-only `manifest.yaml` deleted first, the
 *   new one chmod 0444, a chmod error ignored), `filesChecksum`, orphan prune
 *   BEFORE the lockfile write, `writeEntry` under the lock, then dependencies.
 * - Phase 8: aggregates built from disk, same-name-different-version
 *   aggregates tombstoned, ONE `saveAll([...tombstones, ...new])`. A
 *   {@link DuplicateTypeError} rolls back the extracted files and the lockfile
 *   entry and becomes a {@link DuplicateTypeUserError}; any other failure is
 *   "Install partially applied" with no rollback.
 *
 * @module
 */

import { dirname, join, relative } from "./posix_path.ts";
import { withExtractedArchive } from "./archive.ts";
import {
  ConflictError,
  DuplicateTypeError,
  DuplicateTypeUserError,
  errorMessage,
  UserError,
} from "./errors.ts";
import type { LockfileEntry, LockfileRepository } from "./lockfile.ts";
import { parseManifest, readOnlyManifestText, SCOPED_NAME_PATTERN } from "./manifest.ts";
import { isMutant } from "./mutants.ts";
import {
  BUNDLE_DIRS,
  bundleNamespaceDir,
  extensionRoot,
  isInsideRepo,
  type RepoLayout,
  toRepoRelative,
} from "./paths.ts";
import type { RegistryClient } from "./registry_client.ts";
import { notFoundMessage } from "./registry_client.ts";
import { hexOf } from "./repo.ts";
import { type ExtensionAggregate, type ExtensionRepository, tombstoneAll } from "./repository.ts";
import { analyzeSafety } from "./safety.ts";
import { buildAggregate } from "./sources.ts";
import { listFiles, listFilesIn, pathExists } from "./walk.ts";

/** Deepest dependency chain an install follows. */
export const MAX_DEPENDENCY_DEPTH = 10;

/** A parsed `@scope/name[@version]`. */
export interface ExtensionRef {
  name: string;
  version: string | null;
}

/** Something an install reports while it runs. */
export type InstallEvent =
  | { kind: "deprecated"; name: string; reason: string | null; supersededBy: string | null }
  | { kind: "orphans_pruned"; name: string; version: string; paths: string[] };

/** What an install needs. */
export interface InstallDeps {
  layout: RepoLayout;
  registry: RegistryClient;
  serverUrl: string;
  /** A lockfile snapshot taken for this install. */
  lockfile: LockfileRepository;
  repository: ExtensionRepository;
  force: boolean;
  /** A non-stable channel (`beta`, `rc`), or undefined for stable. */
  channel?: string;
  alreadyPulled: Set<string>;
  onEvent: (event: InstallEvent) => void;
}

/** The outcome of installing one extension (and its dependencies). */
export interface InstallResult {
  name: string;
  version: string;
  description: string;
  integrity: "verified" | "unverified";
  /** Repo-relative paths the pull wrote, in copy order ({@link COPY_ORDER}), the manifest last. */
  extractedFiles: string[];
  dependencies: string[];
  dependencyResults: InstallResult[];
  repository?: string;
  platforms: string[];
  binaries: string[];
}

/** Parses `@scope/name[@version]` (the name is validated separately). */
export function parseExtensionRef(ref: string): ExtensionRef {
  if (!ref.startsWith("@")) {
    throw new UserError(
      `Invalid extension name: "${ref}". Extension names must start with "@" (e.g., @collective/name).`,
    );
  }
  const at = ref.indexOf("@", 1);
  if (at === -1) return { name: ref, version: null };
  const version = ref.slice(at + 1);
  if (version === "") {
    throw new UserError(
      `Invalid extension reference: "${ref}". Version cannot be empty after "@".`,
    );
  }
  return { name: ref.slice(0, at), version };
}

/** Validates a scoped extension name. */
export function validateExtensionName(name: string): void {
  if (!SCOPED_NAME_PATTERN.test(name)) {
    throw new UserError(
      `Invalid extension name: "${name}". Must match @collective/name pattern (lowercase, alphanumeric, hyphens, underscores, additional /segments allowed).`,
    );
  }
}

async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return hexOf(new Uint8Array(digest));
}

/** SHA-256 over the sorted lines `relPath\0sha256(content)\n` of every file under `root`. */
export async function computeFilesChecksum(root: string): Promise<string> {
  const files = await listFiles(root);
  const lines: string[] = [];
  for (const file of files) {
    const rel = relative(root, file);
    lines.push(`${rel}\0${await sha256Hex(await Deno.readFile(file))}\n`);
  }
  lines.sort();
  return await sha256Hex(new TextEncoder().encode(lines.join("")));
}

interface CopyItem {
  src: string;
  dest: string;
}

/** One archive dir, the dir it is copied to, and its files. */
interface CopyDir {
  destDir: string;
  items: CopyItem[];
}

/**
 * The archive dirs pull copies, in swamp's order (swamp
 * `src/libswamp/extensions/pull.ts`: each kind dir followed by its bundle
 * dir, `files` last), each with the dir it lands in: kind dirs under the
 * extension root, bundle dirs in their namespace.
 */
export const COPY_ORDER = [
  "models",
  "workflows",
  "bundles",
  "vaults",
  "vault-bundles",
  "drivers",
  "driver-bundles",
  "datastores",
  "datastore-bundles",
  "reports",
  "report-bundles",
  "files",
] as const;

/** What the archive's dirs copy to, in {@link COPY_ORDER}. */
async function planCopy(root: string, layout: RepoLayout, name: string): Promise<CopyDir[]> {
  const extDir = extensionRoot(layout, name);
  const listed = await listFilesIn(root, COPY_ORDER);
  return COPY_ORDER.map((archiveDir) => {
    const destDir = archiveDir in BUNDLE_DIRS
      ? bundleNamespaceDir(layout, name, archiveDir)
      : join(extDir, archiveDir);
    const items = (listed.get(archiveDir) ?? []).map((src) => ({
      src,
      dest: join(destDir, relative(join(root, archiveDir), src)),
    }));
    return { destDir, items };
  });
}

async function resolveVersion(
  ref: ExtensionRef,
  deps: InstallDeps,
  latest: string | null,
): Promise<string> {
  if (ref.version !== null && !/^[><=^~!]/.test(ref.version)) return ref.version;
  if (ref.version === null && deps.channel !== undefined) {
    const version = await deps.registry.getLatestVersion(ref.name, deps.channel);
    if (version === null) {
      throw new UserError(`Extension ${ref.name} has no ${deps.channel} version.`);
    }
    return version;
  }
  if (latest === null) {
    throw new UserError(
      `Extension ${ref.name} has no stable version. Use --channel beta or --channel rc to pull a pre-release.`,
    );
  }
  return latest;
}

/** One extension to index: where its kind dirs are read and where they are recorded. */
interface CatalogItem {
  name: string;
  version: string;
  readRoot: string;
}

/**
 * Phase 8's catalog write: aggregates from disk, same-name-different-version
 * aggregates tombstoned, one `saveAll`. A source that fails validation throws.
 */
async function saveCatalog(items: readonly CatalogItem[], deps: InstallDeps): Promise<void> {
  const aggregates: ExtensionAggregate[] = [];
  for (const item of items) {
    const { aggregate, invalid } = await buildAggregate({
      layout: deps.layout,
      name: item.name,
      version: item.version,
      readRoot: item.readRoot,
      recordRoot: extensionRoot(deps.layout, item.name),
    });
    if (invalid.length > 0) {
      throw new Error(`Validation failed for ${invalid[0].sourcePath}: ${invalid[0].error}`);
    }
    aggregates.push(aggregate);
  }
  const tombstones: ExtensionAggregate[] = [];
  if (!isMutant("upgrade-no-tombstone")) {
    for (const aggregate of aggregates) {
      for (const existing of deps.repository.loadByName(aggregate.name)) {
        if (existing.version !== aggregate.version) tombstones.push(tombstoneAll(existing));
      }
    }
  }
  deps.repository.saveAll([...tombstones, ...aggregates]);
}

/** Phases 1–7 for one extension, then its dependencies. Null when already pulled in this run. */
export async function installFiles(
  ref: ExtensionRef,
  deps: InstallDeps,
  depth: number,
): Promise<InstallResult | null> {
  if (depth > MAX_DEPENDENCY_DEPTH) {
    throw new UserError(`Dependency depth exceeds maximum of ${MAX_DEPENDENCY_DEPTH}`);
  }
  if (deps.alreadyPulled.has(ref.name)) return null;
  deps.alreadyPulled.add(ref.name);
  const info = await deps.registry.getExtension(ref.name);
  if (info === null) throw new UserError(notFoundMessage(ref.name));
  const version = await resolveVersion(ref, deps, info.latestVersion);
  if (info.deprecatedAt) {
    deps.onEvent({
      kind: "deprecated",
      name: ref.name,
      reason: info.deprecationReason ?? null,
      supersededBy: info.supersededBy ?? null,
    });
  }
  const channel = depth === 0 ? deps.channel : undefined;
  const bytes = await deps.registry.download(ref.name, version, channel);
  const actual = await sha256Hex(bytes);
  const expected = await deps.registry.getChecksum(ref.name, version);
  if (expected !== null && expected.toLowerCase() !== actual) {
    throw new UserError(
      `Checksum mismatch for ${ref.name}@${version}: expected ${expected}, got ${actual}`,
    );
  }
  const { result, manifestDependencies } = await withExtractedArchive(bytes, async (archive) => {
    const manifest = parseManifest(archive.manifestText);
    await analyzeSafety(archive.root);
    const layout = deps.layout;
    const extDir = extensionRoot(layout, ref.name);
    const manifestPath = join(extDir, "manifest.yaml");
    const plan = await planCopy(archive.root, layout, ref.name);
    const planned = plan.flatMap((dir) => dir.items.map((item) => item.dest));
    const conflicts: string[] = [];
    for (const target of planned) {
      if (await pathExists(target)) conflicts.push(toRepoRelative(layout, target));
    }
    if (conflicts.length > 0 && !deps.force) throw new ConflictError(conflicts);
    if (isMutant("install-catalog-first")) {
      await saveCatalog([{ name: ref.name, version, readRoot: archive.root }], deps);
    }
    for (const dir of plan) {
      await Deno.mkdir(dir.destDir, { recursive: true });
      for (const item of dir.items) {
        await Deno.mkdir(dirname(item.dest), { recursive: true });
        await Deno.copyFile(item.src, item.dest);
      }
    }
    for (const binary of manifest.binaries) {
      const path = join(extDir, binary);
      if (isInsideRepo(layout.repoDir, path) && await pathExists(path)) {
        await Deno.chmod(path, 0o755);
      }
    }
    await Deno.remove(manifestPath).catch((error) => {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    });
    await Deno.writeTextFile(manifestPath, readOnlyManifestText(archive.manifestText));
    await chmodAdvisory(manifestPath, 0o444);
    const extractedFiles = [...planned, manifestPath].map((p) => toRepoRelative(layout, p));
    const filesChecksum = await computeFilesChecksum(extDir);
    const prior = deps.lockfile.getEntry(ref.name);
    const pruned = await pruneOrphans(layout, prior, new Set(extractedFiles));
    if (pruned.length > 0) {
      deps.onEvent({ kind: "orphans_pruned", name: ref.name, version, paths: pruned });
    }
    await deps.lockfile.writeEntry(ref.name, version, extractedFiles, {
      include: manifest.include,
      checksum: actual,
      filesChecksum,
      serverUrl: deps.serverUrl,
      ...(channel === undefined ? {} : { channel }),
      ...(prior !== null && prior.version === version ? { pulledAt: prior.pulledAt } : {}),
    });
    const installed: InstallResult = {
      name: ref.name,
      version,
      description: info.description || manifest.description,
      integrity: expected === null ? "unverified" : "verified",
      extractedFiles,
      dependencies: manifest.dependencies,
      dependencyResults: [],
      ...(manifest.repository === undefined ? {} : { repository: manifest.repository }),
      platforms: manifest.platforms,
      binaries: manifest.binaries,
    };
    return { result: installed, manifestDependencies: manifest.dependencies };
  });
  for (const dependency of manifestDependencies) {
    const at = dependency.indexOf("@", 1);
    const name = at === -1 ? dependency : dependency.slice(0, at);
    const pinned = at === -1 ? null : dependency.slice(at + 1) || null;
    // As swamp's pull: a dependency already in the lockfile (this install's own writes
    // included) is skipped. (Fixtures pin CalVer only, so swamp's version constraints never occur.)
    if (deps.alreadyPulled.has(name) || deps.lockfile.getEntry(name) !== null) continue;
    const depRef: ExtensionRef = { name, version: pinned };
    const installed = await installFiles(depRef, deps, depth + 1);
    if (installed !== null) result.dependencyResults.push(installed);
  }
  return result;
}

/**
 * Sets `mode` on `path`, ignoring any error: swamp treats the read-only mode
 * of `manifest.yaml` as advisory (`src/libswamp/extensions/pull.ts`), so a
 * manifest another pull removed between this pull's write and its chmod does
 * not fail this pull.
 */
export async function chmodAdvisory(path: string, mode: number): Promise<void> {
  try {
    await Deno.chmod(path, mode);
  } catch {
    // Advisory: the install goes on without the mode.
  }
}

/** Deletes the prior entry's files the new version lacks; returns those actually removed. */
async function pruneOrphans(
  layout: RepoLayout,
  prior: LockfileEntry | null,
  keep: ReadonlySet<string>,
): Promise<string[]> {
  const pruned: string[] = [];
  for (const rel of prior?.files ?? []) {
    if (keep.has(rel)) continue;
    const path = join(layout.repoDir, rel);
    if (!isInsideRepo(layout.repoDir, path)) continue;
    try {
      await Deno.remove(path, { recursive: true });
      pruned.push(rel);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
  }
  return pruned;
}

/** The top-level result followed by every dependency result, depth first. */
export function flattenResults(result: InstallResult): InstallResult[] {
  return [result, ...result.dependencyResults.flatMap(flattenResults)];
}

/**
 * Best-effort undo of an install that collided: delete every extracted path
 * of the extension and its fresh dependencies, restore the top-level entry
 * from `priorEntry` (channel lost, pulledAt now) or remove it, remove the
 * dependencies' entries.
 */
async function rollbackOnCollision(
  all: readonly InstallResult[],
  priorEntry: LockfileEntry | null,
  deps: InstallDeps,
): Promise<void> {
  for (const result of all) {
    for (const rel of result.extractedFiles) {
      await Deno.remove(join(deps.layout.repoDir, rel), { recursive: true }).catch(() => {});
    }
  }
  const [top, ...dependencies] = all;
  try {
    if (priorEntry === null) {
      await deps.lockfile.removeEntry(top.name);
    } else {
      await deps.lockfile.writeEntry(top.name, priorEntry.version, priorEntry.files ?? [], {
        include: priorEntry.include,
        checksum: priorEntry.checksum,
        filesChecksum: priorEntry.filesChecksum,
        serverUrl: priorEntry.serverUrl,
      });
    }
  } catch {
    // Best effort, as swamp's rollback.
  }
  for (const dependency of dependencies) {
    await deps.lockfile.removeEntry(dependency.name).catch(() => {});
  }
}

async function toDuplicateTypeUserError(
  error: DuplicateTypeError,
): Promise<DuplicateTypeUserError> {
  let isGhostRow = false;
  try {
    await Deno.stat(error.firstSource.canonicalPath);
  } catch (statError) {
    isGhostRow = statError instanceof Deno.errors.NotFound;
  }
  return new DuplicateTypeUserError({
    kind: error.kind,
    typeNormalized: error.typeNormalized,
    existing: error.firstSource,
    conflicting: error.secondSource,
    isGhostRow,
  });
}

/** The "partially applied" message of a phase-8 failure other than a type collision. */
export function partiallyAppliedMessage(name: string, cause: string): string {
  return `Install partially applied for ${name} — files extracted but the catalog write failed (${cause}). ` +
    `Run \`swamp doctor extensions\` to inspect, or retry \`swamp extension pull ${name}\` to reconcile.`;
}

/** Installs one extension: phases 0–8 with the error mapping of phase 8. */
export async function installExtension(
  ref: ExtensionRef,
  deps: InstallDeps,
): Promise<InstallResult> {
  const priorEntry = deps.lockfile.getEntry(ref.name);
  const result = await installFiles(ref, deps, 0);
  if (result === null) throw new Error(`Extension "${ref.name}" was already installed in this run`);
  if (isMutant("install-catalog-first")) return result;
  const all = flattenResults(result);
  try {
    await saveCatalog(
      all.map((r) => ({
        name: r.name,
        version: r.version,
        readRoot: extensionRoot(deps.layout, r.name),
      })),
      deps,
    );
  } catch (error) {
    if (error instanceof DuplicateTypeError) {
      if (!isMutant("no-duplicate-rollback")) await rollbackOnCollision(all, priorEntry, deps);
      throw await toDuplicateTypeUserError(error);
    }
    throw new UserError(partiallyAppliedMessage(ref.name, errorMessage(error)), { cause: error });
  }
  return result;
}
