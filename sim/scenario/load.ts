/**
 * Scenario loading: YAML text in, a validated {@link Scenario} with every
 * default resolved out. This module parses the YAML (one document, no
 * unresolvable or runaway aliases), validates it with the zod schema, and
 * places every problem at its line and column as a {@link ScenarioError}
 * naming file, line, column and field path; `resolve.ts` applies the
 * defaults and the cross-field checks. Nothing is spawned before a scenario
 * loads cleanly.
 *
 * @module
 */

import {
  type Document,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseDocument,
  visit,
} from "yaml";
import type { z } from "zod";
import { INVARIANT_IDS } from "../shared/invariant_ids.ts";
import { type FieldErrors, type PathSegment, resolveScenario, type Scenario } from "./resolve.ts";
import { scenarioSchema } from "./schema.ts";
import { closestKey, knownKeysAt } from "./spelling.ts";

export type { OpSpec, PhaseExpectation, RecoveryStep } from "./schema.ts";
export type {
  PlannedOpSpec,
  ResolvedTarget,
  Scenario,
  ScenarioFault,
  SweepCase,
  Workload,
} from "./resolve.ts";

/** A scenario that does not load; the message is one line naming file, line and field. */
export class ScenarioError extends Error {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly fieldPath: string;
  readonly detail: string;
  constructor(file: string, line: number, column: number, fieldPath: string, detail: string) {
    const where = line > 0 ? `${file}:${line}:${column}` : file;
    const oneLine = detail.replace(/\r?\n/g, "\\n");
    super(`${where}: error: ${fieldPath === "" ? "" : `${fieldPath}: `}${oneLine}`);
    this.name = "ScenarioError";
    this.file = file;
    this.line = line;
    this.column = column;
    this.fieldPath = fieldPath;
    this.detail = detail;
  }
}

/** A path segment that reads unambiguously after a dot; anything else is quoted in brackets. */
const PLAIN_SEGMENT = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

function formatPath(path: readonly PathSegment[]): string {
  let out = "";
  for (const seg of path) {
    if (typeof seg === "number") out += `[${seg}]`;
    else if (!PLAIN_SEGMENT.test(seg)) out += `[${JSON.stringify(seg)}]`;
    else out += out === "" ? seg : `.${seg}`;
  }
  return out;
}

/**
 * Finds the YAML node at a field path: the deepest node that exists; `key`
 * picks the key node, and so does a mapping or list value.
 */
function locate(root: Node | null, path: readonly PathSegment[], key: boolean): Node | null {
  let node: Node | null = root;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i];
    const last = i === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
      if (pair === undefined) return node;
      // A whole section (a block mapping or list) is reported at its key's line.
      const section = isMap(pair.value) || isSeq(pair.value);
      if (last && (key || section) && isScalar(pair.key)) return pair.key;
      node = (pair.value as Node | null) ?? (pair.key as Node);
    } else if (isSeq(node) && typeof seg === "number") {
      const item = node.items[seg] as Node | undefined;
      if (item === undefined) return node;
      node = item;
    } else {
      return node;
    }
  }
  return node;
}

/** Places the error of a field path at its node in the parsed document. */
class Locator implements FieldErrors {
  readonly #root: Node | null;
  readonly #lines: LineCounter;
  readonly #file: string;
  constructor(root: Node | null, lines: LineCounter, file: string) {
    this.#root = root;
    this.#lines = lines;
    this.#file = file;
  }
  error(path: readonly PathSegment[], detail: string, key = false): ScenarioError {
    const node = locate(this.#root, path, key);
    const offset = node?.range?.[0];
    // An empty document has no node at all: point at its start.
    const pos = offset === undefined ? { line: 1, col: 1 } : this.#lines.linePos(offset);
    return new ScenarioError(this.#file, pos.line, pos.col, formatPath(path), detail);
  }
}

/** Records keyed by a fixed vocabulary: an unknown key names the vocabulary, not a field. */
const KEYED_RECORDS: Readonly<Record<string, { noun: string; known: readonly string[] }>> = {
  invariants: { noun: "invariant", known: INVARIANT_IDS },
  outcomes: { noun: "op", known: ["pull", "rm", "update", "list", "doctor"] },
};

const TYPE_NAMES: Readonly<Record<string, string>> = {
  int: "an integer",
  number: "a number",
  string: "a string",
  boolean: "true or false",
  array: "a list",
  object: "a mapping",
};

function valueAt(data: unknown, path: readonly PathSegment[]): unknown {
  let value = data;
  for (const seg of path) {
    if (typeof value !== "object" || value === null) return undefined;
    value = (value as Record<string, unknown>)[seg];
  }
  return value;
}

function shown(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  return JSON.stringify(value) ?? String(value);
}

function boundDetail(issue: z.core.$ZodIssueTooBig | z.core.$ZodIssueTooSmall): string {
  const small = issue.code === "too_small";
  const bound = small ? issue.minimum : issue.maximum;
  const inclusive = issue.inclusive ?? true;
  const relation = small
    ? (inclusive ? "at least" : "more than")
    : (inclusive ? "at most" : "less than");
  if (issue.origin === "array") return `needs ${relation} ${bound} item(s)`;
  if (issue.origin === "string") return `needs ${relation} ${bound} character(s)`;
  return `must be ${relation} ${bound}, got ${shown(issue.input)}`;
}

function segmentsOf(path: readonly PropertyKey[]): PathSegment[] {
  return path.filter((p): p is PathSegment => typeof p !== "symbol");
}

/** Whether a union branch rejected the value as a whole (wrong type or other kind/op). */
function rejectsWhole(issue: z.core.$ZodIssue): boolean {
  if (issue.path.length === 0) return issue.code !== "unrecognized_keys";
  const discriminator = issue.path.length === 1 &&
    (issue.path[0] === "kind" || issue.path[0] === "op");
  return discriminator && issue.code === "invalid_value";
}

/**
 * The issue to report for a union: the first issue of the branch that took
 * the value's kind (or op) and failed least, when any did; else the union's own.
 */
function unionIssue(
  issue: z.core.$ZodIssue,
  path: PathSegment[],
): { issue: z.core.$ZodIssue; path: PathSegment[] } {
  if (issue.code !== "invalid_union") return { issue, path };
  const branches = issue.errors.filter((b) => b.length > 0 && !b.some(rejectsWhole));
  if (branches.length === 0) return { issue, path };
  const best = branches.reduce((a, b) => (b.length < a.length ? b : a));
  return unionIssue(best[0], [...path, ...segmentsOf(best[0].path)]);
}

function zodDetail(
  topIssue: z.core.$ZodIssue,
  data: unknown,
): { path: PathSegment[]; detail: string; key: boolean } {
  const { issue, path } = unionIssue(topIssue, segmentsOf(topIssue.path));
  const value = valueAt(data, path);
  if (value === undefined && issue.code !== "unrecognized_keys") {
    return { path, detail: "required field is missing", key: false };
  }
  // zod's own messages start with a capitalised summary; a schema's custom message is kept as is.
  const custom = !/^(Invalid input|Invalid option|Too small|Too big)\b/.test(issue.message);
  if (custom && issue.code === "invalid_union") {
    const kind = typeof value === "object" && value !== null && "kind" in value
      ? `kind ${shown(value.kind)}`
      : shown(value);
    return { path, detail: `${issue.message}, got ${kind}`, key: false };
  }
  if (custom && issue.code !== "unrecognized_keys" && issue.code !== "invalid_key") {
    return { path, detail: issue.message, key: false };
  }
  switch (issue.code) {
    case "unrecognized_keys": {
      const first = issue.keys[0];
      const keyed = KEYED_RECORDS[String(path.at(-1))];
      const known = keyed?.known ?? knownKeysAt(scenarioSchema, path);
      const meant = closestKey(first, known);
      const hint = meant === undefined ? "" : `; did you mean ${JSON.stringify(meant)}?`;
      const detail = keyed === undefined
        ? `unknown field ${JSON.stringify(first)}${hint}`
        : `unknown ${keyed.noun} ${JSON.stringify(first)}${hint} (known: ${
          keyed.known.join(", ")
        })`;
      return { path: [...path, first], detail, key: true };
    }
    case "invalid_type":
      return {
        path,
        detail: `must be ${TYPE_NAMES[issue.expected] ?? issue.expected}, got ${shown(value)}`,
        key: false,
      };
    case "invalid_value":
      return {
        path,
        detail: `must be one of ${issue.values.map((v) => shown(v)).join(", ")}, got ${
          shown(value)
        }`,
        key: false,
      };
    case "too_big":
    case "too_small":
      return { path, detail: boundDetail({ ...issue, input: value }), key: false };
    case "invalid_key": {
      const inner = issue.issues[0]?.message ?? "invalid key";
      return { path, detail: `key ${shown(path.at(-1))} ${inner}`, key: true };
    }
    default:
      return { path, detail: issue.message.replace(/^Invalid input: /, ""), key: false };
  }
}

/**
 * The issue to report: a misspelt key first (it usually explains a missing
 * required field, as `sed: 7` explains a missing `seed`), else the first.
 */
function reportedIssue(issues: readonly z.core.$ZodIssue[]): z.core.$ZodIssue {
  const misspelt = issues.find((issue) => {
    if (issue.code !== "unrecognized_keys") return false;
    const path = segmentsOf(issue.path);
    const known = KEYED_RECORDS[String(path.at(-1))]?.known ?? knownKeysAt(scenarioSchema, path);
    return closestKey(issue.keys[0], known) !== undefined;
  });
  return misspelt ?? issues[0];
}

/** The document as plain data; an alias that does not resolve (or resolves too often) is an error. */
function documentData(doc: Document, lines: LineCounter, file: string): unknown {
  try {
    return doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    let offset: number | undefined;
    visit(doc, {
      Alias(_key, alias) {
        if (alias.resolve(doc) !== undefined) return undefined;
        offset = alias.range?.[0];
        return visit.BREAK;
      },
    });
    const pos = offset === undefined ? { line: 1, col: 1 } : lines.linePos(offset);
    const detail = (error as Error).message.split("\n")[0];
    throw new ScenarioError(file, pos.line, pos.col, "", `invalid YAML: ${detail}`);
  }
}

/** Parses and validates scenario text; `file` names it in errors. Pure apart from path resolution. */
export function parseScenario(text: string, file: string, absPath: string): Scenario {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const error = doc.errors[0];
    const pos = error.linePos?.[0] ?? lines.linePos(error.pos[0]);
    const detail = error.code === "MULTIPLE_DOCS"
      ? "a scenario file holds one YAML document"
      : error.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");
    throw new ScenarioError(file, pos.line, pos.col, "", `invalid YAML: ${detail}`);
  }
  const at = new Locator(doc.contents as Node | null, lines, file);
  const data = documentData(doc, lines, file);
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    throw at.error([], "a scenario must be a YAML mapping");
  }
  const parsed = scenarioSchema.safeParse(data);
  if (!parsed.success) {
    const { path, detail, key } = zodDetail(reportedIssue(parsed.error.issues), data);
    throw at.error(path, detail, key);
  }
  return resolveScenario(parsed.data, at, file, absPath);
}

/** Reads and parses a scenario file. */
export async function loadScenario(file: string): Promise<Scenario> {
  const absPath = file.startsWith("/") ? file : `${Deno.cwd()}/${file}`;
  let text: string;
  try {
    text = await Deno.readTextFile(absPath);
  } catch (error) {
    throw new ScenarioError(file, 0, 0, "", `cannot read the file: ${(error as Error).message}`);
  }
  return parseScenario(text, file, absPath);
}
