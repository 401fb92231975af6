import assert from "node:assert/strict";
import {
  bundleFileOf,
  compareCalVer,
  findVersion,
  type FixtureExtension,
  type FixtureSpec,
  latestVersion,
  normalizeType,
  publishedAtOf,
  sourcesOf,
  typeConflicts,
} from "./fixture.ts";

const ALPHA: FixtureExtension = {
  name: "@fix/alpha",
  versions: [{ version: "2026.01.01.1" }, { version: "2026.01.02.1" }],
};

/** A spec with one valid extension plus `extra`. */
function specWith(...extra: FixtureExtension[]): FixtureSpec {
  return { extensions: [ALPHA, ...extra] };
}

Deno.test("normalizeType() follows ModelType for models", () => {
  assert.equal(normalizeType("model", "AWS::EC2::VPC"), "aws/ec2/vpc");
  assert.equal(normalizeType("model", " Docker  run "), "docker/run");
  assert.equal(normalizeType("model", "Microsoft.Resources//x/"), "microsoft/resources/x");
  assert.equal(normalizeType("model", "@Fix/Alpha/Main"), "@fix/alpha/main");
});

Deno.test("normalizeType() only lower-cases vault, datastore and report types", () => {
  assert.equal(normalizeType("vault", "@Fix/Keys.Store"), "@fix/keys.store");
  assert.equal(normalizeType("datastore", "@FIX/S3::x"), "@fix/s3::x");
  assert.equal(normalizeType("report", "@Fix/Daily Report"), "@fix/daily report");
});

Deno.test("sourcesOf() defaults to one model main.ts typed <name>/main", () => {
  assert.deepEqual(sourcesOf({ version: "2026.01.01.1" }, "@fix/alpha"), [{
    kind: "model",
    file: "models/main.ts",
    type: "@fix/alpha/main",
    typeNormalized: "@fix/alpha/main",
    invalid: false,
  }]);
  const invalid = sourcesOf({ version: "2026.01.01.1", invalidModels: ["main.ts"] }, "@fix/a");
  assert.equal(invalid[0].invalid, true);
});

Deno.test("sourcesOf() lists every kind map in kind order, files sorted", () => {
  const sources = sourcesOf({
    version: "2026.01.01.1",
    reports: { "daily.ts": "@fix/Daily" },
    models: { "z.ts": "@fix/z", "a.ts": "@Fix/A" },
    vaults: { "keys.ts": "@fix/keys" },
    invalidModels: ["z.ts"],
  }, "@fix/alpha");
  assert.deepEqual(
    sources.map((source) => [source.kind, source.file, source.typeNormalized, source.invalid]),
    [
      ["model", "models/a.ts", "@fix/a", false],
      ["model", "models/z.ts", "@fix/z", true],
      ["vault", "vaults/keys.ts", "@fix/keys", false],
      ["report", "reports/daily.ts", "@fix/daily", false],
    ],
  );
});

Deno.test("sourcesOf() ships no default model when any kind map is given", () => {
  const sources = sourcesOf({ version: "2026.01.01.1", vaults: { "v.ts": "@fix/v" } }, "@fix/a");
  assert.deepEqual(sources.map((source) => source.file), ["vaults/v.ts"]);
});

Deno.test("latestVersion() picks the last listed version and rejects none", () => {
  assert.equal(latestVersion(ALPHA).version, "2026.01.02.1");
  assert.throws(() => latestVersion({ name: "@fix/x", versions: [] }), /"@fix\/x": it has no/);
});

Deno.test("findVersion() finds the latest or a named version, else undefined", () => {
  const spec = specWith();
  assert.equal(findVersion(spec, "@fix/alpha")?.version.version, "2026.01.02.1");
  assert.equal(findVersion(spec, "@fix/alpha", "2026.01.01.1")?.version.version, "2026.01.01.1");
  assert.equal(findVersion(spec, "@fix/alpha", "2026.01.01.1")?.extension, ALPHA);
  assert.equal(findVersion(spec, "@fix/alpha", "2026.09.09.9"), undefined);
  assert.equal(findVersion(spec, "@fix/nope"), undefined);
});

Deno.test("compareCalVer() orders numerically, not lexically", () => {
  assert.ok(compareCalVer("2026.01.02.9", "2026.01.02.10") < 0);
  assert.ok(compareCalVer("2026.02.01.1", "2026.01.31.1") > 0);
  assert.equal(compareCalVer("2026.01.01.1", "2026.01.01.1"), 0);
});

Deno.test("publishedAtOf() derives the time from the CalVer date and micro", () => {
  assert.equal(publishedAtOf("2026.03.04.1"), "2026-03-04T00:00:01.000Z");
  assert.equal(publishedAtOf("2026.03.04.120"), "2026-03-04T00:02:00.000Z");
  assert.throws(() => publishedAtOf("v1"), /Cannot date version "v1"/);
});

Deno.test("typeConflicts() finds a type claimed by two different extensions", () => {
  const spec = specWith(
    {
      name: "@fix/beta",
      versions: [{ version: "2026.01.01.1", models: { "m.ts": "@Fix/Shared" } }],
    },
    {
      name: "@fix/gamma",
      versions: [
        { version: "2026.01.01.1", models: { "own.ts": "@fix/gamma/own" } },
        { version: "2026.01.02.1", models: { "x.ts": "@fix/shared", "y.ts": "@fix//shared" } },
      ],
    },
  );
  assert.deepEqual(typeConflicts(spec), [{
    kind: "model",
    type: "@fix/shared",
    first: { extensionName: "@fix/beta", versions: ["2026.01.01.1"], files: ["models/m.ts"] },
    second: {
      extensionName: "@fix/gamma",
      versions: ["2026.01.02.1"],
      files: ["models/x.ts", "models/y.ts"],
    },
  }]);
});

Deno.test("typeConflicts() ignores an extension's own versions and other kinds", () => {
  const spec = specWith(
    {
      name: "@fix/beta",
      versions: [
        { version: "2026.01.01.1", vaults: { "k.ts": "@fix/keys" } },
        { version: "2026.01.02.1", vaults: { "k.ts": "@fix/keys" } },
      ],
    },
    {
      name: "@fix/gamma",
      versions: [{ version: "2026.01.01.1", datastores: { "k.ts": "@fix/keys" } }],
    },
  );
  assert.deepEqual(typeConflicts(spec), []);
});

Deno.test("bundleFileOf() maps a source to its kind's bundle dir with .js", () => {
  assert.equal(
    bundleFileOf({ kind: "model", file: "models/sub/widget.ts" }),
    "bundles/sub/widget.js",
  );
  assert.equal(bundleFileOf({ kind: "vault", file: "vaults/keys.ts" }), "vault-bundles/keys.js");
  assert.equal(
    bundleFileOf({ kind: "datastore", file: "datastores/s.ts" }),
    "datastore-bundles/s.js",
  );
  assert.equal(bundleFileOf({ kind: "report", file: "reports/d.ts" }), "report-bundles/d.js");
});
