/**
 * A minimal reader of gzip'd tar archives that keeps every entry's RAW name,
 * so unsafe names (`..` segments, a leading `/`) can be rejected rather than
 * silently rewritten. Handles ustar prefixes, PAX `path` records and GNU long
 * names; PAX/GNU meta entries are consumed, never returned.
 *
 * @module
 */

/** One archive entry. */
export interface TarEntry {
  /** The raw name, as the archive spells it. */
  name: string;
  /** `file`, `directory`, `symlink`, `hardlink` or `other`. */
  type: "file" | "directory" | "symlink" | "hardlink" | "other";
  /** The content of a file entry (empty for others). */
  data: Uint8Array;
}

/** Most entries one archive may hold. */
export const TAR_ENTRY_COUNT_MAX = 100_000;

const BLOCK_BYTES = 512;

function readString(block: Uint8Array, offset: number, length: number): string {
  let end = offset;
  while (end < offset + length && block[end] !== 0) end++;
  return new TextDecoder().decode(block.subarray(offset, end));
}

function readOctal(block: Uint8Array, offset: number, length: number): number {
  const text = readString(block, offset, length).trim();
  if (text === "") return 0;
  const value = Number.parseInt(text, 8);
  if (!Number.isFinite(value) || value < 0) throw new Error(`Invalid tar number: "${text}"`);
  return value;
}

function paxPath(data: Uint8Array): string | null {
  const text = new TextDecoder().decode(data);
  let path: string | null = null;
  for (const line of text.split("\n")) {
    const match = /^\d+ path=(.*)$/.exec(line);
    if (match !== null) path = match[1];
  }
  return path;
}

/** Parses an uncompressed tar archive. */
export function parseTar(tar: Uint8Array): TarEntry[] {
  const entries: TarEntry[] = [];
  let offset = 0;
  let nextName: string | null = null;
  while (offset + BLOCK_BYTES <= tar.length) {
    const header = tar.subarray(offset, offset + BLOCK_BYTES);
    if (header.every((b) => b === 0)) break;
    const size = readOctal(header, 124, 12);
    const typeFlag = String.fromCharCode(header[156] || 48);
    const dataStart = offset + BLOCK_BYTES;
    if (dataStart + size > tar.length) throw new Error("Truncated tar archive");
    const data = tar.subarray(dataStart, dataStart + size);
    offset = dataStart + Math.ceil(size / BLOCK_BYTES) * BLOCK_BYTES;
    if (typeFlag === "x") {
      nextName = paxPath(data) ?? nextName;
      continue;
    }
    if (typeFlag === "L") {
      nextName = readString(data, 0, data.length);
      continue;
    }
    if (typeFlag === "g" || typeFlag === "K") continue;
    let name = readString(header, 0, 100);
    const magic = readString(header, 257, 6);
    const prefix = magic.startsWith("ustar") ? readString(header, 345, 155) : "";
    if (prefix !== "") name = `${prefix}/${name}`;
    if (nextName !== null) name = nextName;
    nextName = null;
    const type = typeFlag === "0" || typeFlag === "7"
      ? "file"
      : typeFlag === "5"
      ? "directory"
      : typeFlag === "2"
      ? "symlink"
      : typeFlag === "1"
      ? "hardlink"
      : "other";
    entries.push({ name, type, data: type === "file" ? data.slice() : new Uint8Array() });
    if (entries.length > TAR_ENTRY_COUNT_MAX) {
      throw new Error(`Tar archive has more than ${TAR_ENTRY_COUNT_MAX} entries`);
    }
  }
  return entries;
}
