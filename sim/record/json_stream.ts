/**
 * Parsing a stream of concatenated JSON documents, as swamp's `pull --json`
 * prints several pretty-printed objects one after another on stdout.
 *
 * @module
 */

/** The documents of a JSON stream, and any trailing text that is not JSON. */
export interface JsonStream {
  values: unknown[];
  /** Text that could not be parsed as a JSON document (empty when all parsed). */
  rest: string;
}

/**
 * Splits `text` into top-level JSON objects and arrays by bracket depth
 * (aware of strings and escapes), and parses each. Stops at the first piece
 * that does not parse and returns it as `rest`.
 */
export function parseJsonStream(text: string): JsonStream {
  const values: unknown[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    while (i < n && /\s/.test(text[i])) i++;
    if (i >= n) break;
    const open = text[i];
    if (open !== "{" && open !== "[") return { values, rest: text.slice(i) };
    let depth = 0;
    let inString = false;
    let end = -1;
    for (let j = i; j < n; j++) {
      const c = text[j];
      if (inString) {
        if (c === "\\") j++;
        else if (c === '"') inString = false;
        continue;
      }
      if (c === '"') inString = true;
      else if (c === "{" || c === "[") depth++;
      else if (c === "}" || c === "]") {
        depth--;
        if (depth === 0) {
          end = j + 1;
          break;
        }
      }
    }
    if (end === -1) return { values, rest: text.slice(i) };
    try {
      values.push(JSON.parse(text.slice(i, end)));
    } catch {
      return { values, rest: text.slice(i) };
    }
    i = end;
  }
  return { values, rest: "" };
}
