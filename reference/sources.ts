/**
 * (kind, type) derivation from source files, without importing them.
 *
 * - Candidates are `.ts` files found recursively under a kind dir, skipping
 *   dirs whose name starts with `_`; a file without its kind's export is
 *   skipped silently.
 * - `models/`: `export const model` gives kind `model`, `export const
 *   extension` kind `extension`; the type is the ModelType normalisation of
 *   `type` (lower-case; `::`, whitespace and `.` become `/`; runs of slashes
 *   collapse; edge slashes trimmed). A model is valid iff it has a `type`, a
 *   CalVer `version` and a `methods` object.
 * - `vaults/` (`export const vault`), `datastores/` (`export const
 *   datastore`): `type`, lower-cased. `reports/` (`export const report`):
 *   `name`, lower-cased. `drivers/` are never indexed.
 *
 * @module
 */

import { join, relative } from "./posix_path.ts";
import { bundleDirOfKindDir, fnv1a32Hex, type RepoLayout, toRepoRelative } from "./paths.ts";
import { hexOf } from "./repo.ts";
import type { ExtensionAggregate, Source, SourceKind } from "./repository.ts";
import { listFiles, listFilesIn } from "./walk.ts";

/** The indexed kind dirs, in walk order. */
export const INDEXED_KIND_DIRS = ["models", "vaults", "datastores", "reports"] as const;

/** An indexed kind dir. */
export type IndexedKindDir = typeof INDEXED_KIND_DIRS[number];

/** swamp's CalVer: `YYYY.MM.DD.N`. */
export const CALVER_PATTERN = /^\d{4}\.\d{2}\.\d{2}\.\d+$/;

/** Orders two CalVer strings part by part, numerically (swamp's `CalVer.compare`). */
export function compareCalVer(a: string, b: string): number {
  const pa = a.split(".").map(Number);
  const pb = b.split(".").map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return 0;
}

/** What one source file declares. */
export interface DerivedSource {
  kind: SourceKind;
  typeNormalized: string;
  version: string;
  /** Why validation rejects the file, or null when it is valid. */
  error: string | null;
}

/** swamp's ModelType normalisation. */
export function normalizeModelType(type: string): string {
  return type
    .toLowerCase()
    .replace(/::|\s|\./g, "/")
    .replace(/\/+/g, "/")
    .replace(/^\/+|\/+$/g, "");
}

function stringProp(text: string, prop: string): string | null {
  const match = new RegExp(`\\b${prop}\\s*:\\s*(["'\`])((?:(?!\\1).)*)\\1`).exec(text);
  return match === null ? null : match[2];
}

const EXPORTS: Readonly<Record<IndexedKindDir, Array<[RegExp, SourceKind]>>> = {
  models: [[/export\s+const\s+model\b/, "model"], [/export\s+const\s+extension\b/, "extension"]],
  vaults: [[/export\s+const\s+vault\b/, "vault"]],
  datastores: [[/export\s+const\s+datastore\b/, "datastore"]],
  reports: [[/export\s+const\s+report\b/, "report"]],
};

/** Derives (kind, type) of one source file's text, or null when it has no matching export. */
export function deriveSource(kindDir: IndexedKindDir, text: string): DerivedSource | null {
  for (const [pattern, kind] of EXPORTS[kindDir]) {
    const match = pattern.exec(text);
    if (match === null) continue;
    const body = text.slice(match.index + match[0].length);
    if (kind === "model" || kind === "extension") return deriveModel(kind, body);
    const prop = kind === "report" ? "name" : "type";
    const value = stringProp(body, prop);
    return {
      kind,
      typeNormalized: value === null ? "" : value.toLowerCase(),
      version: stringProp(body, "version") ?? "",
      error: value === null || value === "" ? `${kind} "${prop}" is missing` : null,
    };
  }
  return null;
}

function deriveModel(kind: SourceKind, body: string): DerivedSource {
  const type = stringProp(body, "type");
  const version = stringProp(body, "version") ?? "";
  const typeNormalized = type === null ? "" : normalizeModelType(type);
  let error: string | null = null;
  if (typeNormalized === "") error = `${kind} "type" is missing`;
  else if (kind === "model" && !CALVER_PATTERN.test(version)) {
    error = `model "version" "${version}" is not CalVer (YYYY.MM.DD.N)`;
  } else if (!/\bmethods\s*:\s*\{/.test(body)) error = `${kind} "methods" is not an object`;
  return { kind, typeNormalized, version, error };
}

/** The `.ts` files under `dir` (recursive, `_*` dirs skipped), sorted; `[]` when `dir` is missing. */
export async function listSourceFiles(dir: string): Promise<string[]> {
  return await listFiles(dir, SOURCE_WALK);
}

const SOURCE_WALK = { suffix: ".ts", skipDirPrefix: "_" } as const;

/** A source file that failed validation. */
export interface InvalidSource {
  sourcePath: string;
  error: string;
}

/** Where to read sources from and where they are recorded. */
export interface AggregateInput {
  layout: RepoLayout;
  name: string;
  version: string;
  /** The dir holding the kind dirs to read. */
  readRoot: string;
  /** The dir the rows record (differs from `readRoot` when reading a staged copy). */
  recordRoot: string;
}

/**
 * Builds an aggregate from the kind dirs under `readRoot`. Valid sources are
 * Indexed; invalid ones are ValidationFailed and listed in `invalid`.
 */
export async function buildAggregate(
  input: AggregateInput,
): Promise<{ aggregate: ExtensionAggregate; invalid: InvalidSource[] }> {
  const sources: Source[] = [];
  const invalid: InvalidSource[] = [];
  const listed = await listFilesIn(input.readRoot, INDEXED_KIND_DIRS, SOURCE_WALK);
  for (const kindDir of INDEXED_KIND_DIRS) {
    const readDir = join(input.readRoot, kindDir);
    const recordDir = join(input.recordRoot, kindDir);
    const namespace = fnv1a32Hex(toRepoRelative(input.layout, recordDir));
    for (const file of listed.get(kindDir) ?? []) {
      const bytes = await Deno.readFile(file);
      const derived = deriveSource(kindDir, new TextDecoder().decode(bytes));
      if (derived === null) continue;
      const rel = relative(readDir, file);
      const sourcePath = join(recordDir, rel);
      const stat = await Deno.stat(file);
      const digest = await crypto.subtle.digest("SHA-256", bytes);
      const valid = derived.error === null;
      if (!valid) invalid.push({ sourcePath, error: derived.error ?? "" });
      sources.push({
        sourcePath,
        kind: derived.kind,
        typeNormalized: derived.typeNormalized,
        bundlePath: join(
          input.layout.swampDir,
          bundleDirOfKindDir(kindDir),
          namespace,
          rel.replace(/\.ts$/, ".js"),
        ),
        state: valid ? "Indexed" : "ValidationFailed",
        version: derived.version,
        description: "",
        extendsType: derived.kind === "extension" ? derived.typeNormalized : "",
        sourceMtime: stat.mtime === null ? "" : stat.mtime.toISOString(),
        sourceFingerprint: hexOf(new Uint8Array(digest)),
        lastError: derived.error ?? "",
      });
    }
  }
  return { aggregate: { name: input.name, version: input.version, sources }, invalid };
}
