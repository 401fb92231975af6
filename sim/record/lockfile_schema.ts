/**
 * swamp's lockfile format (contract §2.2) as the simulator checks it.
 *
 * @module
 */

import { z } from "zod";
import { CALVER_PATTERN, EXTENSION_NAME_PATTERN } from "../scenario/fixture.ts";

const HEX64 = /^[0-9a-f]{64}$/;

/** One lockfile entry, fields in swamp's write order. */
export const lockEntrySchema = z.strictObject({
  version: z.string().regex(CALVER_PATTERN, { error: "must be a CalVer version" }),
  pulledAt: z.iso.datetime({ offset: true, error: "must be an ISO timestamp" }),
  files: z.array(z.string().min(1)).optional(),
  include: z.array(z.string()).min(1).optional(),
  checksum: z.string().regex(HEX64, { error: "must be a hex sha256 without prefix" }).optional(),
  filesChecksum: z.string().regex(HEX64, { error: "must be a hex sha256" }).optional(),
  serverUrl: z.string().min(1).optional(),
  channel: z.enum(["beta", "rc"]).optional(),
});

/** One lockfile entry. */
export type LockEntry = z.infer<typeof lockEntrySchema>;

/** The whole lockfile: extension name -> entry. */
export const lockfileSchema = z.record(
  z.string().regex(EXTENSION_NAME_PATTERN, { error: "must be a scoped extension name" }),
  lockEntrySchema,
);

/** Problems with a parsed lockfile beyond its schema: order and serialisation. */
export function lockfileFormatProblems(raw: string, data: Record<string, LockEntry>): string[] {
  const problems: string[] = [];
  for (const [name, entry] of Object.entries(data)) {
    const files = entry.files ?? [];
    const sorted = [...files].sort();
    if (files.some((f, i) => f !== sorted[i])) problems.push(`${name}: files are not sorted`);
    if (new Set(files).size !== files.length) problems.push(`${name}: files has duplicates`);
  }
  if (raw !== `${JSON.stringify(data, null, 2)}\n`) {
    problems.push("not serialised as 2-space JSON with a trailing newline");
  }
  return problems;
}
