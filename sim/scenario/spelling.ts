/**
 * Spelling hints for scenario errors: the keys a schema knows at a field
 * path, and the known key a misspelt one most likely meant.
 *
 * @module
 */

import type { z } from "zod";
import type { PathSegment } from "./resolve.ts";

/** How far (in single-character edits) a key may be from a known one to be suggested. */
export const SUGGEST_DISTANCE_MAX = 2;

/** Levenshtein distance between two short strings. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        previous[j] + 1,
        current[j - 1] + 1,
        previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length];
}

/** The known key closest to `key` within {@link SUGGEST_DISTANCE_MAX}, if one is unambiguous. */
export function closestKey(key: string, known: readonly string[]): string | undefined {
  const scored = known
    .map((k) => ({ k, d: editDistance(key.toLowerCase(), k.toLowerCase()) }))
    .filter((s) => s.d > 0 && s.d <= distanceMaxFor(s.k))
    .sort((x, y) => x.d - y.d);
  if (scored.length === 0) return undefined;
  if (scored.length > 1 && scored[1].d === scored[0].d) return undefined;
  return scored[0].k;
}

/** A key of up to four letters is suggested only within one edit, so `at` never suggests `op`. */
function distanceMaxFor(known: string): number {
  return known.length <= 4 ? 1 : SUGGEST_DISTANCE_MAX;
}

interface ZodDef {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  element?: z.ZodType;
  options?: readonly z.ZodType[];
  valueType?: z.ZodType;
  in?: z.ZodType;
  getter?: () => z.ZodType;
}

function defOf(schema: z.ZodType): ZodDef {
  return (schema as unknown as { _zod: { def: ZodDef } })._zod.def;
}

/** The schemas a value at this schema may take, with wrappers (optional, default, pipe) removed. */
function branches(schema: z.ZodType, depth = 0): z.ZodType[] {
  if (depth > 16) return [];
  const def = defOf(schema);
  switch (def.type) {
    case "optional":
    case "default":
    case "nullable":
    case "prefault":
    case "readonly":
      return def.innerType === undefined ? [] : branches(def.innerType, depth + 1);
    case "pipe":
      return def.in === undefined ? [] : branches(def.in, depth + 1);
    case "lazy":
      return def.getter === undefined ? [] : branches(def.getter(), depth + 1);
    case "union":
      return (def.options ?? []).flatMap((o) => branches(o, depth + 1));
    default:
      return [schema];
  }
}

/**
 * The keys the schema knows for the mapping at `path` (every branch of a
 * union counted), or an empty list when the path does not lead to a mapping.
 */
export function knownKeysAt(schema: z.ZodType, path: readonly PathSegment[]): string[] {
  let current = branches(schema);
  for (const seg of path) {
    current = current.flatMap((s) => {
      const def = defOf(s);
      if (def.type === "object" && typeof seg === "string" && def.shape?.[seg] !== undefined) {
        return branches(def.shape[seg]);
      }
      if (def.type === "array" && typeof seg === "number" && def.element !== undefined) {
        return branches(def.element);
      }
      if (def.type === "record" && def.valueType !== undefined) return branches(def.valueType);
      return [];
    });
  }
  const keys = current.flatMap((s) => {
    const def = defOf(s);
    return def.type === "object" ? Object.keys(def.shape ?? {}) : [];
  });
  return [...new Set(keys)];
}
