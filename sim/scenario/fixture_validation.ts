/**
 * Whether swamp would accept a fixture: scoped unique names, CalVer versions
 * in strictly ascending order, safe file names that fit an archive entry,
 * types swamp accepts, `invalidModels` among the models, well-formed
 * dependencies. The loader refuses a scenario whose fixture has a problem;
 * the registry refuses to serve one.
 *
 * @module
 */

import {
  ARCHIVE_PATH_BYTES_MAX,
  bundleFileOf,
  CALVER_PATTERN,
  compareCalVer,
  EXTENSION_NAME_PATTERN,
  type FixtureSpec,
  type FixtureVersion,
  KIND_FIELDS,
  normalizeType,
  SOURCE_DIRS,
  SOURCE_KINDS,
  type SourceKind,
  sourcesOf,
} from "./fixture.ts";

/** A problem found in a fixture: the field path and what is wrong with it. */
export interface FixtureProblem {
  /** Field path, e.g. `extensions[1].versions[0].version`. */
  path: string;
  message: string;
}

/** Vault and datastore types: swamp's user type pattern (one collective, one name). */
const PROVIDER_TYPE_PATTERN = /^@?[a-z0-9_-]+\/[a-z0-9_-]+$/;

/** Report names: swamp's user report name pattern. */
const REPORT_NAME_PATTERN = /^@?[a-z0-9_-]+\/[a-z0-9_-]+(\/[a-z0-9_-]+)*$/;

/** Collectives reserved for swamp's built-in model types. */
const RESERVED_COLLECTIVES = ["swamp", "si"];

/** A safe path segment: no `..`, no hidden or `_`-prefixed names, no separators. */
const SEGMENT_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Characters that cannot sit inside a quoted type literal a regex deriver reads. */
const UNQUOTABLE_PATTERN = /["'`\\\r\n]/;

/**
 * Checks a fixture: scoped unique names; CalVer versions, unique and strictly
 * ascending; safe file names (`.ts` for sources) that fit an archive entry;
 * types swamp accepts; `invalidModels` naming files in `models`; well-formed
 * dependencies. Returns every problem found (empty when the fixture is valid).
 *
 * @example
 * ```ts
 * validateFixture({ extensions: [{ name: "bad", versions: [] }] })[0].path;
 * // "extensions[0].name"
 * ```
 */
export function validateFixture(spec: FixtureSpec): FixtureProblem[] {
  const problems: FixtureProblem[] = [];
  const report = (path: string, message: string) => problems.push({ path, message });
  const seenNames = new Set<string>();
  spec.extensions.forEach((extension, extensionIndex) => {
    const base = `extensions[${extensionIndex}]`;
    if (!EXTENSION_NAME_PATTERN.test(extension.name)) {
      report(`${base}.name`, `name "${extension.name}" is not a scoped name like @scope/name`);
    } else if (seenNames.has(extension.name)) {
      report(`${base}.name`, `name "${extension.name}" is listed twice`);
    }
    seenNames.add(extension.name);
    if (extension.versions.length === 0) {
      report(`${base}.versions`, "an extension needs at least one version");
    }
    extension.versions.forEach((version, versionIndex) => {
      const path = `${base}.versions[${versionIndex}]`;
      const previous = extension.versions[versionIndex - 1];
      problems.push(...versionStringProblems(`${path}.version`, version.version, previous));
      problems.push(...versionContentProblems(path, version, extension.name));
    });
  });
  return problems;
}

/**
 * {@link validateFixture}, throwing one error that lists every problem.
 *
 * @example
 * ```ts
 * assertValidFixture(spec); // throws when spec has problems
 * ```
 */
export function assertValidFixture(spec: FixtureSpec): void {
  const problems = validateFixture(spec);
  if (problems.length === 0) return;
  const lines = problems.map((problem) => `${problem.path}: ${problem.message}`);
  throw new Error(`Invalid fixture: ${lines.join("; ")}`);
}

function versionStringProblems(
  path: string,
  version: string,
  previous: FixtureVersion | undefined,
): FixtureProblem[] {
  if (!CALVER_PATTERN.test(version)) {
    return [{ path, message: `version "${version}" is not CalVer YYYY.MM.DD.N` }];
  }
  const [, month, day] = version.split(".").map(Number);
  if (month < 1 || month > 12 || day < 1 || day > 31) {
    return [{ path, message: `version "${version}" does not name a calendar date` }];
  }
  if (previous !== undefined && CALVER_PATTERN.test(previous.version)) {
    if (compareCalVer(previous.version, version) >= 0) {
      return [{
        path,
        message: `version "${version}" does not follow "${previous.version}": ` +
          "versions must be unique and strictly ascending",
      }];
    }
  }
  return [];
}

function versionContentProblems(
  path: string,
  version: FixtureVersion,
  extensionName: string,
): FixtureProblem[] {
  const problems: FixtureProblem[] = [];
  const report = (at: string, message: string) => problems.push({ path: at, message });
  for (const kind of SOURCE_KINDS) {
    const field = KIND_FIELDS[kind];
    for (const [name, type] of Object.entries(version[field] ?? {})) {
      const at = `${path}.${field}[${JSON.stringify(name)}]`;
      const nameProblem = relativePathProblem(`${SOURCE_DIRS[kind]}/${name}`, name) ??
        relativePathProblem(bundleFileOf({ kind, file: `${SOURCE_DIRS[kind]}/${name}` }), name);
      if (nameProblem !== undefined) report(at, nameProblem);
      else if (!name.endsWith(".ts")) report(at, `file "${name}" is a source and must end in .ts`);
      const typeProblem = typeProblemOf(kind, type);
      if (typeProblem !== undefined) report(at, typeProblem);
    }
  }
  const sources = sourcesOf(version, extensionName);
  if (sources.length === 0) report(path, "a version must ship at least one source");
  const sourceFiles = new Set(sources.flatMap((source) => [source.file, bundleFileOf(source)]));
  for (const name of Object.keys(version.files ?? {})) {
    const at = `${path}.files[${JSON.stringify(name)}]`;
    const nameProblem = relativePathProblem(name, name);
    if (nameProblem !== undefined) report(at, nameProblem);
    else if (name === "manifest.yaml" || sourceFiles.has(name)) {
      report(at, `file "${name}" collides with a generated file`);
    }
  }
  const modelNames = new Set(
    sources.filter((source) => source.kind === "model")
      .map((source) => source.file.slice(`${SOURCE_DIRS.model}/`.length)),
  );
  (version.invalidModels ?? []).forEach((name, index) => {
    if (!modelNames.has(name)) {
      report(`${path}.invalidModels[${index}]`, `file "${name}" is not one of the models`);
    }
  });
  (version.dependencies ?? []).forEach((dependency, index) => {
    const at = `${path}.dependencies[${index}]`;
    const split = dependency.lastIndexOf("@");
    const name = split > 0 ? dependency.slice(0, split) : dependency;
    const pinned = split > 0 ? dependency.slice(split + 1) : undefined;
    if (!EXTENSION_NAME_PATTERN.test(name)) {
      report(at, `dependency "${dependency}" does not name a scoped extension`);
    } else if (pinned !== undefined && !CALVER_PATTERN.test(pinned)) {
      report(at, `dependency "${dependency}" pins a version that is not CalVer`);
    }
  });
  return problems;
}

/** Why `archivePath` (relative to `extension/`) is unsafe, or `undefined`. */
function relativePathProblem(archivePath: string, shown: string): string | undefined {
  if (archivePath.startsWith("/")) return `file "${shown}" must not start with "/"`;
  const segments = archivePath.split("/");
  if (segments.some((segment) => segment === "..")) return `file "${shown}" must not contain ".."`;
  if (!segments.every((segment) => SEGMENT_PATTERN.test(segment))) {
    return `file "${shown}" has an empty, hidden, "_"-prefixed or unsafe path segment`;
  }
  const entryBytes = new TextEncoder().encode(`extension/${archivePath}`).length;
  if (entryBytes > ARCHIVE_PATH_BYTES_MAX) {
    return `file "${shown}" is too long: archive entry is ${entryBytes} bytes, ` +
      `limit ${ARCHIVE_PATH_BYTES_MAX}`;
  }
  return undefined;
}

/** Why swamp would reject (or a regex deriver misread) `type` for `kind`, or `undefined`. */
function typeProblemOf(kind: SourceKind, type: string): string | undefined {
  if (UNQUOTABLE_PATTERN.test(type)) return `type "${type}" contains a quote, backslash or newline`;
  if (kind === "vault" || kind === "datastore") {
    return PROVIDER_TYPE_PATTERN.test(type)
      ? undefined
      : `type "${type}" must match @collective/name (lower-case, one slash)`;
  }
  if (kind === "report") {
    return REPORT_NAME_PATTERN.test(type)
      ? undefined
      : `name "${type}" must match @collective/name with optional /segments (lower-case)`;
  }
  const normalized = normalizeType(kind, type);
  if (normalized.length === 0) return `type "${type}" normalises to an empty type`;
  const collective = normalized.replace(/^@/, "").split("/")[0];
  if (RESERVED_COLLECTIVES.includes(collective)) {
    return `type "${type}" uses the reserved collective "${collective}"`;
  }
  return undefined;
}
