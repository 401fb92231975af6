/**
 * Archive extraction into an OS temp dir `swamp_pull_*` (removed in
 * `finally`): the archive bytes are written there, entries with a `..`
 * segment or a leading `/` are rejected, PAX/GNU meta entries and `._*`
 * files are skipped, and `extension/manifest.yaml` is required. Symlinks and
 * hard links are not materialised.
 *
 * @module
 */

import { dirname, join } from "./posix_path.ts";
import { UserError } from "./errors.ts";
import { gunzipSync } from "./inflate.ts";
import { parseTar } from "./tar.ts";

/** An archive extracted into a temp dir. */
export interface ExtractedArchive {
  /** The archive's `extension/` dir inside the temp dir. */
  root: string;
  /** The text of `extension/manifest.yaml`. */
  manifestText: string;
}

/** The archive's top-level dir. */
export const ARCHIVE_TOP_DIR = "extension";

/** Validates one raw entry name; returns it without a leading `./`. */
export function safeEntryName(raw: string): string {
  if (raw.startsWith("/")) throw new UserError(`Unsafe path in archive: "${raw}"`);
  const name = raw.replace(/^(\.\/)+/, "");
  if (name.split("/").includes("..")) throw new UserError(`Unsafe path in archive: "${raw}"`);
  return name;
}

/** Extracts `bytes` to a temp dir, runs `use` on it, and removes the temp dir. */
export async function withExtractedArchive<T>(
  bytes: Uint8Array,
  use: (archive: ExtractedArchive) => Promise<T>,
): Promise<T> {
  const tempDir = await Deno.makeTempDir({ prefix: "swamp_pull_" });
  try {
    await Deno.writeFile(join(tempDir, "archive.tar.gz"), bytes);
    let tar: Uint8Array;
    try {
      tar = gunzipSync(bytes);
    } catch (error) {
      throw new UserError(
        `Could not read the extension archive: ${error instanceof Error ? error.message : error}`,
      );
    }
    const entries = parseTar(tar);
    const outDir = join(tempDir, "x");
    for (const entry of entries) {
      const name = safeEntryName(entry.name);
      const base = name.split("/").filter((p) => p !== "").pop() ?? "";
      if (base === "" || base.startsWith("._")) continue;
      const target = join(outDir, name);
      if (entry.type === "directory") {
        await Deno.mkdir(target, { recursive: true });
      } else if (entry.type === "file") {
        await Deno.mkdir(dirname(target), { recursive: true });
        await Deno.writeFile(target, entry.data);
      }
    }
    const root = join(outDir, ARCHIVE_TOP_DIR);
    let manifestText: string;
    try {
      manifestText = await Deno.readTextFile(join(root, "manifest.yaml"));
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) {
        throw new UserError("Invalid extension archive: missing extension/manifest.yaml");
      }
      throw error;
    }
    return await use({ root, manifestText });
  } finally {
    await Deno.remove(tempDir, { recursive: true }).catch(() => {});
  }
}
