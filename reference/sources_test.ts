import assert from "node:assert/strict";
import { deriveSource, normalizeModelType } from "./sources.ts";

Deno.test("normalizeModelType() lower-cases and maps ::, whitespace and . to single slashes", () => {
  assert.equal(normalizeModelType("AWS::EC2.Vpc"), "aws/ec2/vpc");
  assert.equal(normalizeModelType("/@Fix//Alpha Main/"), "@fix/alpha/main");
  assert.equal(normalizeModelType("  a .. b  "), "a/b");
});

Deno.test("deriveSource() reads models, extensions, vaults, datastores and reports", () => {
  const model = `import { z } from "zod";\nexport const model = {\n  type: "@Fix/Alpha.Main",\n` +
    `  version: "2026.01.02.3",\n  methods: { run: { description: "r" } },\n};\n`;
  assert.deepEqual(deriveSource("models", model), {
    kind: "model",
    typeNormalized: "@fix/alpha/main",
    version: "2026.01.02.3",
    error: null,
  });
  const extension = `export const extension = { type: "aws::thing", methods: {} };`;
  assert.equal(deriveSource("models", extension)?.kind, "extension");
  assert.equal(
    deriveSource("vaults", `export const vault = { type: "@Fix/Keys", name: "k" };`)
      ?.typeNormalized,
    "@fix/keys",
  );
  assert.equal(
    deriveSource("datastores", `export const datastore = { type: "@F/S" };`)?.typeNormalized,
    "@f/s",
  );
  assert.equal(
    deriveSource("reports", `export const report = { name: "@Fix/Rep", scope: "model" };`)
      ?.typeNormalized,
    "@fix/rep",
  );
  assert.equal(deriveSource("models", `export const helper = 1;`), null);
  assert.equal(deriveSource("vaults", model), null);
});

Deno.test("deriveSource() rejects a model without a CalVer version or a methods object", () => {
  const noCalver = `export const model = { type: "t", version: "invalid", methods: {} };`;
  assert.match(deriveSource("models", noCalver)?.error ?? "", /not CalVer/);
  const noMethods =
    `export const model = {\n  type: "t",\n  version: "2026.01.01.1",\n  description: "x",\n};`;
  assert.match(deriveSource("models", noMethods)?.error ?? "", /methods/);
  assert.match(
    deriveSource("models", `export const model = { version: "2026.01.01.1" };`)?.error ?? "",
    /type/,
  );
});
