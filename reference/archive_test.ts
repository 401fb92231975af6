import assert from "node:assert/strict";
import { createTar, createTarGzip } from "nanotar";
import { safeEntryName, withExtractedArchive } from "./archive.ts";
import { UserError } from "./errors.ts";
import { gunzipSync } from "./inflate.ts";
import { parseTar } from "./tar.ts";

Deno.test("safeEntryName() rejects '..' segments and absolute names, strips './'", () => {
  assert.equal(safeEntryName("./extension/models/a.ts"), "extension/models/a.ts");
  assert.throws(() => safeEntryName("extension/../../etc/passwd"), UserError);
  assert.throws(() => safeEntryName("/etc/passwd"), UserError);
  assert.equal(safeEntryName("extension/a..b.ts"), "extension/a..b.ts");
});

Deno.test("parseTar() keeps raw entry names and file contents", () => {
  const tar = createTar([
    { name: "extension/manifest.yaml", data: "manifestVersion: 1\n" },
    { name: "../escape.ts", data: "x" },
  ]);
  const entries = parseTar(tar);
  assert.deepEqual(entries.map((e) => [e.name, e.type]), [
    ["extension/manifest.yaml", "file"],
    ["../escape.ts", "file"],
  ]);
  assert.equal(new TextDecoder().decode(entries[0].data), "manifestVersion: 1\n");
});

Deno.test("withExtractedArchive() skips ._* files, requires the manifest and removes its temp dir", async () => {
  const bytes = await createTarGzip([
    { name: "extension/manifest.yaml", data: "manifestVersion: 1\n" },
    { name: "extension/models/._main.ts", data: "resource fork" },
    { name: "extension/models/main.ts", data: "export const model = {};" },
  ]);
  assert.equal(parseTar(gunzipSync(bytes)).length, 3);
  let tempRoot = "";
  const names = await withExtractedArchive(bytes, async (archive) => {
    tempRoot = archive.root;
    assert.equal(archive.manifestText, "manifestVersion: 1\n");
    return (await Array.fromAsync(Deno.readDir(`${archive.root}/models`))).map((e) => e.name);
  });
  assert.deepEqual(names, ["main.ts"]);
  assert.match(tempRoot, /\/swamp_pull_[^/]+\/x\/extension$/);
  await assert.rejects(() => Deno.stat(tempRoot), Deno.errors.NotFound);

  const noManifest = await createTarGzip([{ name: "extension/models/main.ts", data: "x" }]);
  await assert.rejects(
    () => withExtractedArchive(noManifest, () => Promise.resolve()),
    /missing extension\/manifest\.yaml/,
  );
  const unsafe = await createTarGzip([{ name: "extension/../../x.ts", data: "x" }]);
  await assert.rejects(
    () => withExtractedArchive(unsafe, () => Promise.resolve()),
    /Unsafe path in archive/,
  );
});
