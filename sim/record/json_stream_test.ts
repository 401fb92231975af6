import { strict as assert } from "node:assert";
import { parseJsonStream } from "./json_stream.ts";

/** What `pull --json` prints: several pretty-printed documents, one after another. */
const PULL_DOCS: unknown[] = [
  { name: "@fix/gamma", version: "2026.01.01.1", description: "Fixture {extension} [gamma]" },
  { integrity: "verified", name: "@fix/gamma", version: "2026.01.01.1" },
  { dependencies: ["@fix/delta"] },
  {
    name: "@fix/gamma",
    version: "2026.01.01.1",
    extractedFiles: [".swamp/pulled-extensions/@fix/gamma/manifest.yaml"],
  },
  { status: "pulling_dependency", name: "@fix/delta", version: "2026.01.01.1" },
];
const PULL_STDOUT = PULL_DOCS.map((d) => `${JSON.stringify(d, null, 2)}\n`).join("");

Deno.test("parseJsonStream() splits pull's pretty-printed documents", () => {
  assert.deepEqual(parseJsonStream(PULL_STDOUT), { values: PULL_DOCS, rest: "" });
});

Deno.test("parseJsonStream() reads nothing from empty or blank output", () => {
  assert.deepEqual(parseJsonStream(""), { values: [], rest: "" });
  assert.deepEqual(parseJsonStream(" \n\t\n"), { values: [], rest: "" });
});

Deno.test("parseJsonStream() is not fooled by brackets and escapes inside strings", () => {
  const text = String.raw`{"a": "}{\"]", "b": ["[", "\\"]}[1, {"c": "C:\\"}]{"d":"é\u00e9"}`;
  assert.deepEqual(parseJsonStream(text), {
    values: [{ a: '}{"]', b: ["[", "\\"] }, [1, { c: "C:\\" }], { d: "éé" }],
    rest: "",
  });
});

Deno.test("parseJsonStream() returns the documents before garbage, and the garbage", () => {
  const garbage = 'Download progress: 100%\n{"x": 1}\n';
  assert.deepEqual(parseJsonStream(garbage), { values: [], rest: garbage });
  assert.deepEqual(parseJsonStream(`${PULL_STDOUT}FATAL boom\n`), {
    values: PULL_DOCS,
    rest: "FATAL boom\n",
  });
  assert.deepEqual(parseJsonStream("42\n"), { values: [], rest: "42\n" });
});

Deno.test("parseJsonStream() keeps what came before a document cut short by a kill", () => {
  const cut = PULL_STDOUT.slice(0, PULL_STDOUT.lastIndexOf('"version"'));
  const parsed = parseJsonStream(cut);
  assert.deepEqual(parsed.values, PULL_DOCS.slice(0, -1));
  assert.ok(parsed.rest.startsWith('{\n  "status": "pulling_dependency"'), parsed.rest);
});

Deno.test("parseJsonStream() stops at a balanced piece that is not JSON", () => {
  assert.deepEqual(parseJsonStream('{"ok": true}\n{name: "x"}\n{"late": 1}'), {
    values: [{ ok: true }],
    rest: '{name: "x"}\n{"late": 1}',
  });
  assert.deepEqual(parseJsonStream("{]"), { values: [], rest: "{]" });
});
