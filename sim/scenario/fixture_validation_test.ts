import assert from "node:assert/strict";
import type { FixtureExtension, FixtureSpec, FixtureVersion } from "./fixture.ts";
import { assertValidFixture, validateFixture } from "./fixture_validation.ts";

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
