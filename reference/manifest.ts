/**
 * The archive's `manifest.yaml` (parsed with js-yaml) and its validation:
 * `manifestVersion: 1`, a scoped `name`, a CalVer `version`, at least one
 * non-empty content list, dependencies that each contain a `/`. Pull never
 * checks the manifest's name or version against the ref.
 *
 * @module
 */

import yaml from "js-yaml";
import { UserError } from "./errors.ts";
import { CALVER_PATTERN } from "./sources.ts";

/** The scoped extension name pattern. */
export const SCOPED_NAME_PATTERN = /^@[a-z0-9_-]+\/[a-z0-9_-]+(\/[a-z0-9_-]+)*$/;

/** The content lists of which at least one must be non-empty. */
export const CONTENT_KEYS = [
  "models",
  "workflows",
  "vaults",
  "drivers",
  "datastores",
  "reports",
  "skills",
] as const;

/** The fields install reads. */
export interface ExtensionManifest {
  manifestVersion: 1;
  name: string;
  version: string;
  description: string;
  include: string[];
  binaries: string[];
  dependencies: string[];
  platforms: string[];
  repository?: string;
}

function stringList(value: unknown, field: string): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) {
    throw new UserError(`Invalid manifest: "${field}" must be a list of strings`);
  }
  return value as string[];
}

/** Parses and validates manifest text. */
export function parseManifest(text: string): ExtensionManifest {
  let parsed: unknown;
  try {
    parsed = yaml.load(text);
  } catch (error) {
    throw new UserError(`Invalid manifest: ${error instanceof Error ? error.message : error}`);
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new UserError("Invalid manifest: expected a mapping");
  }
  const data = parsed as Record<string, unknown>;
  if (data.manifestVersion !== 1) {
    throw new UserError(
      `Invalid manifest: "manifestVersion" must be 1, got "${data.manifestVersion}"`,
    );
  }
  if (typeof data.name !== "string" || !SCOPED_NAME_PATTERN.test(data.name)) {
    throw new UserError(`Invalid manifest: "name" must be a scoped name, got "${data.name}"`);
  }
  const version = typeof data.version === "number" ? String(data.version) : data.version;
  if (typeof version !== "string" || !CALVER_PATTERN.test(version)) {
    throw new UserError(`Invalid manifest: "version" must be CalVer, got "${data.version}"`);
  }
  const hasContent = CONTENT_KEYS.some((key) => {
    const value = data[key];
    return Array.isArray(value) ? value.length > 0 : value !== undefined && value !== null;
  });
  if (!hasContent) {
    throw new UserError(
      `Invalid manifest: at least one of ${CONTENT_KEYS.join(", ")} must be non-empty`,
    );
  }
  const dependencies = stringList(data.dependencies, "dependencies");
  for (const dependency of dependencies) {
    if (!dependency.includes("/")) {
      throw new UserError(`Invalid manifest: dependency "${dependency}" must be a scoped name`);
    }
  }
  let repository: string | undefined;
  if (data.repository !== undefined && data.repository !== null) {
    if (typeof data.repository !== "string" || !URL.canParse(data.repository)) {
      throw new UserError(`Invalid manifest: "repository" must be a URL, got "${data.repository}"`);
    }
    repository = data.repository;
  }
  return {
    manifestVersion: 1,
    name: data.name,
    version,
    description: typeof data.description === "string" ? data.description : "",
    include: stringList(data.include, "include"),
    binaries: stringList(data.binaries, "binaries"),
    dependencies,
    platforms: stringList(data.platforms, "platforms"),
    ...(repository === undefined ? {} : { repository }),
  };
}

/** The manifest as pull writes it: the archive text behind a one-line read-only comment. */
export function readOnlyManifestText(text: string): string {
  return `# Managed by swamp: read-only copy of the pulled extension's manifest; do not edit.\n${text}`;
}
