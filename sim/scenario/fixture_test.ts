import assert from "node:assert/strict";
import {
  assertValidFixture,
  bundleFileOf,
  compareCalVer,
  findVersion,
  type FixtureExtension,
  type FixtureSpec,
  type FixtureVersion,
  latestVersion,
  normalizeType,
  publishedAtOf,
  sourcesOf,
  typeConflicts,
  validateFixture,
} from "./fixture.ts";

const ALPHA: FixtureExtension = {
  name: "@fix/alpha",
  versions: [{ version: "2026.01.01.1" }, { version: "2026.01.02.1" }],
};

/** A spec with one valid extension plus `extra`. */
function specWith(...extra: FixtureExtension[]): FixtureSpec {
  return { extensions: [ALPHA, ...extra] };
}

/** A spec whose second extension has the single version `version`. */
function specWithVersion(version: FixtureVersion): FixtureSpec {
  return specWith({ name: "@fix/beta", versions: [version] });
}

function problemPaths(spec: FixtureSpec): string[] {
  return validateFixture(spec).map((problem) => problem.path);
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

Deno.test("validateFixture() accepts a valid fixture", () => {
  const spec = specWith({
    name: "@fix/beta/sub",
    description: "Beta",
    versions: [{
      version: "2026.01.01.1",
      models: { "main.ts": "@fix/beta/main", "nested/more.ts": "@fix/beta/more" },
      vaults: { "keys.ts": "@fix/keys" },
      datastores: { "store.ts": "@fix/store" },
      reports: { "daily.ts": "@fix/daily/report" },
      files: { "files/readme.txt": "hello" },
      invalidModels: ["nested/more.ts"],
      dependencies: ["@fix/alpha", "@fix/alpha@2026.01.01.1"],
      publishChecksum: false,
    }],
  });
  assert.deepEqual(validateFixture(spec), []);
  assertValidFixture(spec);
});

Deno.test("validateFixture() rejects bad and duplicate names", () => {
  assert.deepEqual(problemPaths(specWith({ name: "fix/beta", versions: ALPHA.versions })), [
    "extensions[1].name",
  ]);
  assert.deepEqual(problemPaths(specWith({ name: "@Fix/beta", versions: ALPHA.versions })), [
    "extensions[1].name",
  ]);
  assert.deepEqual(problemPaths(specWith(ALPHA)), ["extensions[1].name"]);
  assert.deepEqual(problemPaths(specWith({ name: "@fix/beta", versions: [] })), [
    "extensions[1].versions",
  ]);
});

Deno.test("validateFixture() rejects non-CalVer, duplicate and descending versions", () => {
  assert.deepEqual(problemPaths(specWithVersion({ version: "1.0.0" })), [
    "extensions[1].versions[0].version",
  ]);
  assert.deepEqual(problemPaths(specWithVersion({ version: "2026.13.01.1" })), [
    "extensions[1].versions[0].version",
  ]);
  const twice = specWith({
    name: "@fix/beta",
    versions: [{ version: "2026.01.02.1" }, { version: "2026.01.02.1" }],
  });
  assert.deepEqual(problemPaths(twice), ["extensions[1].versions[1].version"]);
  const descending = specWith({
    name: "@fix/beta",
    versions: [{ version: "2026.01.01.10" }, { version: "2026.01.01.9" }],
  });
  assert.deepEqual(problemPaths(descending), ["extensions[1].versions[1].version"]);
});

Deno.test("validateFixture() rejects unsafe and non-.ts source file names", () => {
  const cases: Array<[Record<string, string>, string]> = [
    [{ "../escape.ts": "@fix/x" }, '"../escape.ts"'],
    [{ "/abs.ts": "@fix/x" }, '"/abs.ts"'],
    [{ "main.js": "@fix/x" }, '"main.js"'],
    [{ "_lib/x.ts": "@fix/x" }, '"_lib/x.ts"'],
    [{ [`${"a".repeat(90)}.ts`]: "@fix/x" }, `"${"a".repeat(90)}.ts"`],
  ];
  for (const [models, key] of cases) {
    assert.deepEqual(problemPaths(specWithVersion({ version: "2026.01.01.1", models })), [
      `extensions[1].versions[0].models[${key}]`,
    ], key);
  }
});

Deno.test("validateFixture() rejects a source whose bundle's archive entry is too long", () => {
  const name = `${"a".repeat(76)}.ts`;
  assert.equal(`extension/datastores/${name}`.length, 100, "the source itself fits");
  const problems = validateFixture(
    specWithVersion({ version: "2026.01.01.1", datastores: { [name]: "@fix/store" } }),
  );
  assert.deepEqual(problems.map((problem) => problem.path), [
    `extensions[1].versions[0].datastores["${name}"]`,
  ]);
  assert.match(problems[0].message, /archive entry is 107 bytes/);
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

Deno.test("validateFixture() rejects unsafe or colliding extra files", () => {
  const cases: Array<[string, string]> = [
    ["files/../../x", "must not contain"],
    ["/etc/passwd", "must not start"],
    ["manifest.yaml", "collides"],
    ["models/main.ts", "collides"],
    ["bundles/main.js", "collides"],
    ["files/._meta", "hidden"],
  ];
  for (const [name, fragment] of cases) {
    const problems = validateFixture(
      specWithVersion({ version: "2026.01.01.1", files: { [name]: "x" } }),
    );
    assert.equal(problems.length, 1, name);
    assert.equal(problems[0].path, `extensions[1].versions[0].files[${JSON.stringify(name)}]`);
    assert.ok(problems[0].message.includes(fragment), problems[0].message);
  }
});

Deno.test("validateFixture() rejects types swamp would refuse", () => {
  const cases: Array<[FixtureVersion, string]> = [
    [{ version: "2026.01.01.1", vaults: { "v.ts": "@fix/a/b" } }, 'vaults["v.ts"]'],
    [{ version: "2026.01.01.1", datastores: { "d.ts": "@Fix/store" } }, 'datastores["d.ts"]'],
    [{ version: "2026.01.01.1", reports: { "r.ts": "daily" } }, 'reports["r.ts"]'],
    [{ version: "2026.01.01.1", models: { "m.ts": " :: " } }, 'models["m.ts"]'],
    [{ version: "2026.01.01.1", models: { "m.ts": "@swamp/echo" } }, 'models["m.ts"]'],
    [{ version: "2026.01.01.1", models: { "m.ts": '@fix/"quoted' } }, 'models["m.ts"]'],
  ];
  for (const [version, field] of cases) {
    assert.deepEqual(problemPaths(specWithVersion(version)), [
      `extensions[1].versions[0].${field}`,
    ], field);
  }
});

Deno.test("validateFixture() rejects invalidModels outside models and sourceless versions", () => {
  const stray = specWithVersion({
    version: "2026.01.01.1",
    models: { "main.ts": "@fix/beta/main" },
    invalidModels: ["main.ts", "other.ts"],
  });
  assert.deepEqual(problemPaths(stray), ["extensions[1].versions[0].invalidModels[1]"]);
  const empty = specWithVersion({ version: "2026.01.01.1", models: {} });
  assert.deepEqual(problemPaths(empty), ["extensions[1].versions[0]"]);
});

Deno.test("validateFixture() rejects malformed dependencies", () => {
  const spec = specWithVersion({
    version: "2026.01.01.1",
    dependencies: ["@fix/alpha", "alpha", "@fix/alpha@latest"],
  });
  assert.deepEqual(problemPaths(spec), [
    "extensions[1].versions[0].dependencies[1]",
    "extensions[1].versions[0].dependencies[2]",
  ]);
});

Deno.test("assertValidFixture() throws one error naming every problem", () => {
  assert.throws(
    () => assertValidFixture(specWith({ name: "bad", versions: [{ version: "x" }] })),
    (error: unknown) => {
      assert.ok(error instanceof Error);
      assert.match(error.message, /^Invalid fixture: extensions\[1\]\.name: name "bad"/);
      assert.match(error.message, /extensions\[1\]\.versions\[0\]\.version: version "x"/);
      return true;
    },
  );
});
