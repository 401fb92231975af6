/**
 * Deterministic swamp archives for fixture versions, shaped as `swamp
 * extension push` packages them (swamp `src/libswamp/extensions/push.ts`,
 * `createArchive`): a gzip tar with the top dir `extension/` holding the
 * thirteen dirs push stages (empty ones included), a valid `manifest.yaml`,
 * one `.ts` module per source, its prebuilt bundle, and the version's extra
 * files. Entries are sorted and carry fixed attributes (mode 755/644, uid/gid
 * 0, mtime = the version's CalVer date), so the same input gives the same
 * bytes in every run and every process.
 *
 * The bundles matter to real swamp: pull's catalog step bundles every source
 * it indexes, and a pulled source with a bare specifier (`import { z } from
 * "zod"`) and no `deno.json` is only loadable from the prebuilt bundle (swamp
 * `src/domain/extensions/extension_loader.ts`, `bundleWithCache`, and
 * `isExpectedBundleFailure` in `src/domain/models/bundle.ts`); without one,
 * pull ends "Install partially applied ... deno bundle failed". Each bundle is
 * what `deno bundle` emits for the source with zod externalised, after
 * push's rewrite of the zod import to `globalThis.__swamp_zod`.
 *
 * Source module shapes (what a regex-based deriver can rely on; every
 * module's first `type:` or `name:` field is its identity):
 *
 * - Model (`models/*.ts`, valid):
 *   ```ts
 *   import { z } from "zod";
 *   export const model = {
 *     type: "<type>",
 *     version: "<extension version, CalVer>",
 *     methods: {
 *       run: { description: "...", arguments: z.object({}), execute: async () => ({}) },
 *     },
 *   };
 *   ```
 * - Model listed in `invalidModels`: still `export const model = {` with
 *   `type: "<type>"` first, but `version: "invalid"` (not CalVer) and no
 *   `methods` key, so swamp's UserModelSchema rejects it. A deriver detects
 *   it as: the `version` value fails `^\d{4}\.\d{2}\.\d{2}\.\d+$`, or the
 *   text has no `methods:`.
 * - Vault: `export const vault = { type, name, description, createProvider }`.
 * - Datastore: `export const datastore = { type, name, description, createProvider }`.
 * - Report: `export const report = { name, description, scope: "model", execute }`;
 *   the report's identity is its `name`.
 *
 * @module
 */

import { createTar, type TarFileInput } from "nanotar";
import {
  ARCHIVE_PATH_BYTES_MAX,
  bundleFileOf,
  type FixtureExtension,
  type FixtureSource,
  type FixtureVersion,
  publishedAtMsOf,
  SOURCE_DIRS,
  SOURCE_KINDS,
  sourcesOf,
} from "../scenario/fixture.ts";

/** The top-level dir of every swamp archive. */
export const ARCHIVE_ROOT = "extension";

/**
 * The dirs `swamp extension push` stages under `extension/` before it tars
 * them, so every published archive carries them, empty or not.
 */
export const ARCHIVE_DIRS = [
  "models",
  "bundles",
  "workflows",
  "vaults",
  "vault-bundles",
  "drivers",
  "driver-bundles",
  "datastores",
  "datastore-bundles",
  "reports",
  "report-bundles",
  "skills",
  "files",
] as const;

/** The export each source kind's module declares. */
const EXPORT_NAMES: Readonly<Record<FixtureSource["kind"], string>> = {
  model: "model",
  vault: "vault",
  datastore: "datastore",
  report: "report",
};

/** The `version` an invalid model declares (not CalVer). */
export const INVALID_MODEL_VERSION = "invalid";

/** Tar record size: archives are padded to a multiple of it. */
const TAR_RECORD_BYTES = 10240;

/** Tar block size. */
const TAR_BLOCK_BYTES = 512;

/** The end-of-archive marker: two zero blocks after the last entry. */
const TAR_END_BYTES = 2 * TAR_BLOCK_BYTES;

/** A built archive and the hex sha256 of its bytes. */
export interface BuiltArchive {
  bytes: Uint8Array<ArrayBuffer>;
  checksum: string;
}

/** One archive entry: a dir (path ends in `/`, no content) or a file. */
export interface ArchiveEntry {
  /** Full entry path, starting with `extension/`. */
  path: string;
  /** UTF-8 content; `undefined` for dirs. */
  content?: string;
}

/**
 * Builds the gzip tar of one fixture version and its sha256 (hex).
 *
 * @example
 * ```ts
 * const { bytes, checksum } = await buildArchive(ext, ext.versions[0]);
 * ```
 */
export async function buildArchive(
  extension: FixtureExtension,
  version: FixtureVersion,
): Promise<BuiltArchive> {
  const tar = buildTar(extension, version);
  const gzipped = ReadableStream.from([tar]).pipeThrough(
    new CompressionStream("gzip"),
  );
  const bytes = new Uint8Array(await new Response(gzipped).arrayBuffer());
  return { bytes, checksum: await sha256Hex(bytes) };
}

/**
 * The uncompressed tar of one fixture version, ending with the two zero
 * blocks that strict readers (`@std/tar`'s UntarStream) require.
 *
 * @example
 * ```ts
 * const tar = buildTar(ext, ext.versions[0]);
 * ```
 */
export function buildTar(
  extension: FixtureExtension,
  version: FixtureVersion,
): Uint8Array<ArrayBuffer> {
  const mtime = publishedAtMsOf(version.version);
  const entries = archiveEntries(extension, version);
  const inputs: TarFileInput[] = entries.map((entry) => ({
    name: entry.path,
    data: entry.content,
    attrs: {
      mode: entry.content === undefined ? "755" : "644",
      uid: 0,
      gid: 0,
      mtime,
      user: "",
      group: "",
    },
  }));
  const tar = createTar(inputs);
  const dataBytes = entries.reduce((total, entry) => total + entryBytes(entry), 0);
  const paddingBytes = tar.length - dataBytes >= TAR_END_BYTES ? 0 : TAR_RECORD_BYTES;
  const complete = new Uint8Array(tar.length + paddingBytes);
  complete.set(tar);
  return complete;
}

/**
 * The sorted entries of one fixture version's archive: `extension/`, the
 * {@link ARCHIVE_DIRS}, the manifest, the sources and their bundles, the
 * extra files, and every dir that holds them.
 *
 * @example
 * ```ts
 * archiveEntries(ext, ext.versions[0]).map((entry) => entry.path);
 * // ["extension/", "extension/bundles/", "extension/bundles/main.js", ...]
 * ```
 */
export function archiveEntries(
  extension: FixtureExtension,
  version: FixtureVersion,
): ArchiveEntry[] {
  const files = new Map<string, string>();
  files.set("manifest.yaml", renderManifest(extension, version));
  for (const source of sourcesOf(version, extension.name)) {
    files.set(source.file, renderSource(source, version));
    files.set(bundleFileOf(source), renderBundle(source, version));
  }
  for (const [path, content] of Object.entries(version.files ?? {})) {
    if (files.has(path)) {
      throw new Error(`Cannot add file "${path}" to "${extension.name}": it is generated`);
    }
    files.set(path, content);
  }
  const dirs = new Set<string>([
    `${ARCHIVE_ROOT}/`,
    ...ARCHIVE_DIRS.map((dir) => `${ARCHIVE_ROOT}/${dir}/`),
  ]);
  for (const path of files.keys()) {
    const segments = path.split("/");
    for (let depth = 1; depth < segments.length; depth++) {
      dirs.add(`${ARCHIVE_ROOT}/${segments.slice(0, depth).join("/")}/`);
    }
  }
  const entries: ArchiveEntry[] = [
    ...[...dirs].map((path) => ({ path })),
    ...[...files].map(([path, content]) => ({ path: `${ARCHIVE_ROOT}/${path}`, content })),
  ];
  for (const entry of entries) {
    const bytes = new TextEncoder().encode(entry.path).length;
    if (bytes > ARCHIVE_PATH_BYTES_MAX || entry.path.split("/").includes("..")) {
      throw new Error(
        `Cannot archive "${entry.path}": unsafe or longer than ${ARCHIVE_PATH_BYTES_MAX} bytes`,
      );
    }
  }
  return entries.sort((a, b) => a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
}

/**
 * The `manifest.yaml` of one fixture version: `manifestVersion: 1`, `name`,
 * quoted `version`, `description`, the non-empty per-kind lists (file names
 * relative to each kind's dir) and `dependencies` when given. Every scalar
 * is a double-quoted string, so YAML 1.1 and 1.2 parsers read it alike.
 *
 * @example
 * ```ts
 * renderManifest({ name: "@fix/a", versions: [] }, { version: "2026.01.01.1" });
 * ```
 */
export function renderManifest(extension: FixtureExtension, version: FixtureVersion): string {
  const quote = (value: string) => JSON.stringify(value);
  const lines = [
    "manifestVersion: 1",
    `name: ${quote(extension.name)}`,
    `version: ${quote(version.version)}`,
    `description: ${quote(descriptionOf(extension))}`,
  ];
  const sources = sourcesOf(version, extension.name);
  for (const kind of SOURCE_KINDS) {
    const dir = SOURCE_DIRS[kind];
    const names = sources.filter((source) => source.kind === kind)
      .map((source) => source.file.slice(dir.length + 1));
    if (names.length === 0) continue;
    lines.push(`${dir}:`, ...names.map((name) => `  - ${quote(name)}`));
  }
  const dependencies = version.dependencies ?? [];
  if (dependencies.length > 0) {
    lines.push("dependencies:", ...dependencies.map((name) => `  - ${quote(name)}`));
  }
  return `${lines.join("\n")}\n`;
}

/**
 * The TypeScript module of one source, in the shapes documented on this
 * module. String values are JSON-quoted.
 *
 * @example
 * ```ts
 * renderSource(sourcesOf(version, "@fix/a")[0], version);
 * ```
 */
export function renderSource(source: FixtureSource, version: FixtureVersion): string {
  const quote = (value: string) => JSON.stringify(value);
  const label = source.file.slice(source.file.lastIndexOf("/") + 1).replace(/\.ts$/, "");
  switch (source.kind) {
    case "model":
      if (source.invalid) {
        return [
          "export const model = {",
          `  type: ${quote(source.type)},`,
          `  version: ${quote(INVALID_MODEL_VERSION)},`,
          `  description: ${quote(`Invalid fixture model ${label}`)},`,
          "};",
          "",
        ].join("\n");
      }
      return [
        'import { z } from "zod";',
        "",
        "export const model = {",
        `  type: ${quote(source.type)},`,
        `  version: ${quote(version.version)},`,
        "  methods: {",
        "    run: {",
        `      description: ${quote(`Runs ${label}`)},`,
        "      arguments: z.object({}),",
        "      execute: async () => ({}),",
        "    },",
        "  },",
        "};",
        "",
      ].join("\n");
    case "vault":
    case "datastore":
      return [
        `export const ${source.kind} = {`,
        `  type: ${quote(source.type)},`,
        `  name: ${quote(label)},`,
        `  description: ${quote(`Fixture ${source.kind} ${label}`)},`,
        "  createProvider: () => {",
        `    throw new Error(${quote(`Fixture ${source.kind} "${label}" has no provider`)});`,
        "  },",
        "};",
        "",
      ].join("\n");
    case "report":
      return [
        "export const report = {",
        `  name: ${quote(source.type)},`,
        `  description: ${quote(`Fixture report ${label}`)},`,
        '  scope: "model",',
        '  execute: async () => ({ markdown: "", json: {} }),',
        "};",
        "",
      ].join("\n");
  }
}

/**
 * The prebuilt bundle of one source, as `swamp extension push` ships it:
 * `deno bundle`'s output for the module (a path comment, the declaration as
 * `var`, an `export { ... }` list) with the zod import rewritten to swamp's
 * shared instance, `const { z } = globalThis.__swamp_zod;`. It exports the
 * same object as the source, so the model's `type` is the source's.
 *
 * @example
 * ```ts
 * renderBundle(sourcesOf(version, "@fix/a")[0], version);
 * // "// models/main.ts\nconst { z } = globalThis.__swamp_zod;\n\nvar model = {..."
 * ```
 */
export function renderBundle(source: FixtureSource, version: FixtureVersion): string {
  const name = EXPORT_NAMES[source.kind];
  const body = renderSource(source, version)
    .replace('import { z } from "zod";', "const { z } = globalThis.__swamp_zod;")
    .replace(`export const ${name} = {`, `var ${name} = {`);
  return `// ${source.file}\n${body}export {\n  ${name}\n};\n`;
}

/**
 * Hex sha256 of `bytes`, as the checksum endpoint and swamp's lockfile use.
 *
 * @example
 * ```ts
 * await sha256Hex(new Uint8Array()); // "e3b0c442..."
 * ```
 */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const copy = new Uint8Array(bytes);
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", copy));
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** The description served and written to the manifest. */
export function descriptionOf(extension: FixtureExtension): string {
  return extension.description ?? `Fixture extension ${extension.name}`;
}

/** Bytes one entry occupies in the tar: header plus content padded to blocks. */
function entryBytes(entry: ArchiveEntry): number {
  const size = entry.content === undefined ? 0 : new TextEncoder().encode(entry.content).length;
  return TAR_BLOCK_BYTES + Math.ceil(size / TAR_BLOCK_BYTES) * TAR_BLOCK_BYTES;
}
