import assert from "node:assert/strict";
import { join } from "node:path";
import jsYaml from "js-yaml";
import { parseTarGzip } from "nanotar";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import {
  archiveEntries,
  buildArchive,
  buildTar,
  INVALID_MODEL_VERSION,
  renderBundle,
  renderSource,
  sha256Hex,
} from "./archive.ts";
import { CALVER_PATTERN, type FixtureExtension, sourcesOf } from "../scenario/fixture.ts";

const ALPHA: FixtureExtension = {
  name: "@fix/alpha",
  description: "Alpha fixture",
  versions: [{ version: "2026.01.01.1", files: { "files/readme.txt": "hello\n" } }],
};

const RICH: FixtureExtension = {
  name: "@fix/rich",
  versions: [{
    version: "2026.02.03.4",
    models: { "main.ts": "@fix/rich/main", "broken.ts": "@fix/rich/broken" },
    vaults: { "keys.ts": "@fix/keys" },
    datastores: { "store.ts": "@fix/store" },
    reports: { "daily.ts": "@fix/rich/daily" },
    invalidModels: ["broken.ts"],
    dependencies: ["@fix/alpha", "@fix/beta@2026.01.01.1"],
  }],
};

/** sha256 of the uncompressed tar of ALPHA; changes only when the format changes. */
const ALPHA_TAR_SHA256 = "7d0f114d474ef8556ec0b3096883a24c8bb9d0245cd9595e93e3a0f3c58e9190";

const TAR_BLOCK_BYTES = 512;

/**
 * Walks a tar as strictly as `@std/tar`'s UntarStream: every header checksum
 * must match, and the entries must be followed by two zero blocks.
 */
function strictTarNames(tar: Uint8Array): string[] {
  const decoder = new TextDecoder();
  const names: string[] = [];
  let offset = 0;
  while (true) {
    assert.ok(offset + 2 * TAR_BLOCK_BYTES <= tar.length, "tar ends without two zero blocks");
    const header = tar.subarray(offset, offset + TAR_BLOCK_BYTES);
    if (header.every((byte) => byte === 0)) {
      const next = tar.subarray(offset + TAR_BLOCK_BYTES, offset + 2 * TAR_BLOCK_BYTES);
      assert.ok(next.every((byte) => byte === 0), "a lone zero block ends the tar");
      return names;
    }
    const recorded = parseInt(decoder.decode(header.subarray(148, 156)), 8);
    const copy = new Uint8Array(header);
    copy.fill(32, 148, 156);
    assert.equal(copy.reduce((sum, byte) => sum + byte, 0), recorded, "header checksum");
    assert.equal(decoder.decode(header.subarray(257, 265)), "ustar\u000000");
    names.push(decoder.decode(header.subarray(0, 100)).split("\0")[0]);
    const size = parseInt(decoder.decode(header.subarray(124, 136)), 8);
    offset += TAR_BLOCK_BYTES + Math.ceil(size / TAR_BLOCK_BYTES) * TAR_BLOCK_BYTES;
  }
}

async function gunzip(bytes: Uint8Array<ArrayBuffer>): Promise<Uint8Array> {
  const stream = ReadableStream.from([bytes]).pipeThrough(new DecompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

async function extractedText(bytes: Uint8Array<ArrayBuffer>, path: string): Promise<string> {
  const entry = (await parseTarGzip(bytes)).find((candidate) => candidate.name === path);
  assert.ok(entry !== undefined, `archive has no "${path}"`);
  return entry.text;
}

/** Mirrors swamp's manifest schema (extension_manifest.ts). */
const ManifestSchema = z.object({
  manifestVersion: z.literal(1),
  name: z.string().regex(/^@[a-z0-9_-]+\/[a-z0-9_-]+(\/[a-z0-9_-]+)*$/),
  version: z.string().regex(CALVER_PATTERN),
  description: z.string().optional(),
  models: z.array(z.string()).optional(),
  vaults: z.array(z.string()).optional(),
  datastores: z.array(z.string()).optional(),
  reports: z.array(z.string()).optional(),
  dependencies: z.array(z.string().includes("/")).optional(),
}).strict().refine((manifest) =>
  [manifest.models, manifest.vaults, manifest.datastores, manifest.reports]
    .some((list) => list !== undefined && list.length > 0)
);

const isFunction = (value: unknown) => typeof value === "function";
const isZodLike = (value: unknown) =>
  typeof value === "object" && value !== null && "safeParse" in value;

/** Mirrors swamp's UserModelSchema (the parts a fixture model exercises). */
const UserModelSchema = z.object({
  type: z.string(),
  version: z.string().regex(CALVER_PATTERN),
  methods: z.record(
    z.string(),
    z.object({
      description: z.string(),
      arguments: z.custom(isZodLike),
      execute: z.custom(isFunction),
    }),
  ),
});

/** Mirrors swamp's vault and datastore schemas. */
const ProviderSchema = z.object({
  type: z.string().regex(/^@?[a-z0-9_-]+\/[a-z0-9_-]+$/),
  name: z.string(),
  description: z.string(),
  createProvider: z.custom(isFunction),
});

/** Mirrors swamp's report schema. */
const ReportSchema = z.object({
  name: z.string(),
  description: z.string(),
  scope: z.enum(["method", "model", "workflow"]),
  execute: z.custom(isFunction),
});

Deno.test("buildArchive() gives identical bytes and checksum for the same input", async () => {
  const first = await buildArchive(RICH, RICH.versions[0]);
  const second = await buildArchive(structuredClone(RICH), structuredClone(RICH.versions[0]));
  assert.deepEqual(second.bytes, first.bytes);
  assert.equal(second.checksum, first.checksum);
  assert.equal(first.checksum, await sha256Hex(first.bytes));
  assert.match(first.checksum, /^[0-9a-f]{64}$/);
  const other = await buildArchive(ALPHA, ALPHA.versions[0]);
  assert.notEqual(other.checksum, first.checksum);
});

Deno.test("buildArchive() gives the same checksum in another process", async () => {
  const inProcess = await buildArchive(RICH, RICH.versions[0]);
  const moduleUrl = new URL("./archive.ts", import.meta.url).href;
  const code = `const { buildArchive } = await import(${JSON.stringify(moduleUrl)});\n` +
    `const ext = ${JSON.stringify(RICH)};\n` +
    "console.log((await buildArchive(ext, ext.versions[0])).checksum);";
  const configPath = new URL("../../deno.json", import.meta.url).pathname;
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--config", configPath, code],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
  assert.equal(new TextDecoder().decode(output.stdout).trim(), inProcess.checksum);
});

Deno.test("buildTar() has a known digest for a known fixture", async () => {
  assert.equal(await sha256Hex(buildTar(ALPHA, ALPHA.versions[0])), ALPHA_TAR_SHA256);
});

Deno.test("buildArchive() lists sorted entries under extension/ with fixed attributes", async () => {
  const { bytes } = await buildArchive(RICH, RICH.versions[0]);
  const entries = await parseTarGzip(bytes);
  assert.deepEqual(entries.map((entry) => entry.name), [
    "extension/",
    "extension/bundles/",
    "extension/bundles/broken.js",
    "extension/bundles/main.js",
    "extension/datastore-bundles/",
    "extension/datastore-bundles/store.js",
    "extension/datastores/",
    "extension/datastores/store.ts",
    "extension/driver-bundles/",
    "extension/drivers/",
    "extension/files/",
    "extension/manifest.yaml",
    "extension/models/",
    "extension/models/broken.ts",
    "extension/models/main.ts",
    "extension/report-bundles/",
    "extension/report-bundles/daily.js",
    "extension/reports/",
    "extension/reports/daily.ts",
    "extension/skills/",
    "extension/vault-bundles/",
    "extension/vault-bundles/keys.js",
    "extension/vaults/",
    "extension/vaults/keys.ts",
    "extension/workflows/",
  ]);
  const mtimeSeconds = Date.UTC(2026, 1, 3, 0, 0, 4) / 1000;
  for (const entry of entries) {
    const isDir = entry.name.endsWith("/");
    assert.equal(entry.type, isDir ? "directory" : "file", entry.name);
    assert.equal(entry.attrs?.mode, isDir ? "0000755" : "0000644", entry.name);
    assert.equal(entry.attrs?.uid, 0);
    assert.equal(entry.attrs?.gid, 0);
    assert.equal(entry.attrs?.mtime, mtimeSeconds);
  }
});

Deno.test("buildArchive() includes extra files verbatim", async () => {
  const { bytes } = await buildArchive(ALPHA, ALPHA.versions[0]);
  assert.equal(await extractedText(bytes, "extension/files/readme.txt"), "hello\n");
});

Deno.test("buildArchive() ends the tar with two zero blocks even when nanotar leaves none", async () => {
  const recordBytes = 10240;
  let padded: FixtureExtension | undefined;
  let paddedDataBytes = 0;
  for (let size = 0; size < recordBytes && padded === undefined; size += 1) {
    const candidate: FixtureExtension = {
      name: "@fix/pad",
      versions: [{ version: "2026.01.01.1", files: { "files/pad.txt": "x".repeat(size) } }],
    };
    const dataBytes = archiveEntries(candidate, candidate.versions[0]).reduce(
      (total, entry) =>
        total + TAR_BLOCK_BYTES +
        Math.ceil((entry.content?.length ?? 0) / TAR_BLOCK_BYTES) * TAR_BLOCK_BYTES,
      0,
    );
    if (dataBytes % recordBytes === 0) {
      padded = candidate;
      paddedDataBytes = dataBytes;
    }
  }
  assert.ok(padded !== undefined, "no pad size fills whole records exactly");
  const { bytes } = await buildArchive(padded, padded.versions[0]);
  const tar = await gunzip(bytes);
  assert.equal(tar.length, paddedDataBytes + recordBytes);
  assert.equal(strictTarNames(tar).length, archiveEntries(padded, padded.versions[0]).length);
});

Deno.test("buildArchive() output passes a strict tar reader and GNU tar", async () => {
  const { bytes } = await buildArchive(RICH, RICH.versions[0]);
  const names = strictTarNames(await gunzip(bytes));
  assert.equal(names.length, 25);
  const dir = await Deno.makeTempDir({ prefix: "archive_test_" });
  try {
    const archivePath = join(dir, "rich.tar.gz");
    await Deno.writeFile(archivePath, bytes);
    const output = await new Deno.Command("tar", {
      args: ["-tzf", archivePath],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(new TextDecoder().decode(output.stderr), "");
    assert.equal(output.code, 0);
    assert.deepEqual(new TextDecoder().decode(output.stdout).trim().split("\n"), names);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("buildArchive() writes a manifest that js-yaml and yaml parse alike", async () => {
  const { bytes } = await buildArchive(RICH, RICH.versions[0]);
  const text = await extractedText(bytes, "extension/manifest.yaml");
  const viaJsYaml = jsYaml.load(text);
  const viaYaml = parseYaml(text);
  assert.deepEqual(viaYaml, viaJsYaml);
  assert.deepEqual(ManifestSchema.parse(viaJsYaml), {
    manifestVersion: 1,
    name: "@fix/rich",
    version: "2026.02.03.4",
    description: "Fixture extension @fix/rich",
    models: ["broken.ts", "main.ts"],
    vaults: ["keys.ts"],
    datastores: ["store.ts"],
    reports: ["daily.ts"],
    dependencies: ["@fix/alpha", "@fix/beta@2026.01.01.1"],
  });
  const alpha = jsYaml.load(
    await extractedText(
      (await buildArchive(ALPHA, ALPHA.versions[0])).bytes,
      "extension/manifest.yaml",
    ),
  );
  assert.deepEqual(ManifestSchema.parse(alpha), {
    manifestVersion: 1,
    name: "@fix/alpha",
    version: "2026.01.01.1",
    description: "Alpha fixture",
    models: ["main.ts"],
  });
});

Deno.test("renderSource() writes a model in the documented shape", () => {
  const version = ALPHA.versions[0];
  assert.equal(
    renderSource(sourcesOf(version, ALPHA.name)[0], version),
    [
      'import { z } from "zod";',
      "",
      "export const model = {",
      '  type: "@fix/alpha/main",',
      '  version: "2026.01.01.1",',
      "  methods: {",
      "    run: {",
      '      description: "Runs main",',
      "      arguments: z.object({}),",
      "      execute: async () => ({}),",
      "    },",
      "  },",
      "};",
      "",
    ].join("\n"),
  );
});

Deno.test("renderSource() writes an invalid model a regex deriver can spot", () => {
  const version = RICH.versions[0];
  const broken = sourcesOf(version, RICH.name).find((source) => source.file === "models/broken.ts");
  assert.ok(broken !== undefined);
  const text = renderSource(broken, version);
  assert.match(text, /export\s+const\s+model\s*=/);
  assert.equal(text.match(/type\s*:\s*["']([^"']+)["']/)?.[1], "@fix/rich/broken");
  const declared = text.match(/version\s*:\s*["']([^"']+)["']/)?.[1];
  assert.equal(declared, INVALID_MODEL_VERSION);
  assert.doesNotMatch(declared, CALVER_PATTERN);
  assert.doesNotMatch(text, /methods\s*:/);
});

Deno.test("buildArchive() sources import and validate like swamp's schemas", async () => {
  const { bytes } = await buildArchive(RICH, RICH.versions[0]);
  const dir = await Deno.makeTempDir({ prefix: "archive_test_" });
  try {
    for (const entry of await parseTarGzip(bytes)) {
      if (!entry.name.endsWith(".ts")) continue;
      const path = join(dir, entry.name);
      await Deno.mkdir(join(path, ".."), { recursive: true });
      await Deno.writeTextFile(path, entry.text);
    }
    const load = async (file: string): Promise<Record<string, unknown>> =>
      await import(`file://${join(dir, "extension", file)}`);
    const main = (await load("models/main.ts")).model;
    assert.equal(UserModelSchema.parse(main).type, "@fix/rich/main");
    assert.equal(UserModelSchema.safeParse((await load("models/broken.ts")).model).success, false);
    assert.equal(ProviderSchema.parse((await load("vaults/keys.ts")).vault).type, "@fix/keys");
    const store = (await load("datastores/store.ts")).datastore;
    assert.equal(ProviderSchema.parse(store).type, "@fix/store");
    assert.equal(
      ReportSchema.parse((await load("reports/daily.ts")).report).name,
      "@fix/rich/daily",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("buildArchive() ships a bundle per source that imports like swamp's loader does", async () => {
  const { bytes } = await buildArchive(RICH, RICH.versions[0]);
  const dir = await Deno.makeTempDir({ prefix: "archive_test_" });
  const shared = globalThis as { __swamp_zod?: unknown };
  shared.__swamp_zod = { z };
  try {
    const bundles = (await parseTarGzip(bytes)).filter((entry) => entry.name.endsWith(".js"));
    assert.deepEqual(bundles.map((entry) => entry.name), [
      "extension/bundles/broken.js",
      "extension/bundles/main.js",
      "extension/datastore-bundles/store.js",
      "extension/report-bundles/daily.js",
      "extension/vault-bundles/keys.js",
    ]);
    for (const entry of bundles) {
      assert.doesNotMatch(entry.text, /\bimport\b/, `${entry.name} has no import left`);
      const path = join(dir, entry.name);
      await Deno.mkdir(join(path, ".."), { recursive: true });
      await Deno.writeTextFile(path, entry.text);
    }
    const load = async (file: string): Promise<Record<string, unknown>> =>
      await import(`file://${join(dir, "extension", file)}`);
    assert.equal(
      UserModelSchema.parse((await load("bundles/main.js")).model).type,
      "@fix/rich/main",
    );
    const broken = (await load("bundles/broken.js")).model;
    assert.equal(UserModelSchema.safeParse(broken).success, false);
    assert.equal(
      ProviderSchema.parse((await load("vault-bundles/keys.js")).vault).type,
      "@fix/keys",
    );
    const store = (await load("datastore-bundles/store.js")).datastore;
    assert.equal(ProviderSchema.parse(store).type, "@fix/store");
    const daily = (await load("report-bundles/daily.js")).report;
    assert.equal(ReportSchema.parse(daily).name, "@fix/rich/daily");
  } finally {
    delete shared.__swamp_zod;
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("renderBundle() is the source as deno bundle emits it, zod rewritten to swamp's instance", () => {
  const version = ALPHA.versions[0];
  assert.equal(
    renderBundle(sourcesOf(version, ALPHA.name)[0], version),
    [
      "// models/main.ts",
      "const { z } = globalThis.__swamp_zod;",
      "",
      "var model = {",
      '  type: "@fix/alpha/main",',
      '  version: "2026.01.01.1",',
      "  methods: {",
      "    run: {",
      '      description: "Runs main",',
      "      arguments: z.object({}),",
      "      execute: async () => ({}),",
      "    },",
      "  },",
      "};",
      "export {",
      "  model",
      "};",
      "",
    ].join("\n"),
  );
});

Deno.test("archiveEntries() refuses an extra file that shadows a generated one", () => {
  const shadow: FixtureExtension = {
    name: "@fix/shadow",
    versions: [{ version: "2026.01.01.1", files: { "manifest.yaml": "x" } }],
  };
  assert.throws(
    () => archiveEntries(shadow, shadow.versions[0]),
    /Cannot add file "manifest.yaml" to "@fix\/shadow": it is generated/,
  );
  const bundle: FixtureExtension = {
    name: "@fix/shadow",
    versions: [{ version: "2026.01.01.1", files: { "bundles/main.js": "x" } }],
  };
  assert.throws(
    () => archiveEntries(bundle, bundle.versions[0]),
    /Cannot add file "bundles\/main.js" to "@fix\/shadow": it is generated/,
  );
});
