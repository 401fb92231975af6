import assert from "node:assert/strict";
import type { InstallResult } from "./install.ts";
import { LockfileRepository } from "./lockfile.ts";
import type { ExtensionInfo } from "./registry_client.ts";
import { RegistryClient } from "./registry_client.ts";
import { runUpdate } from "./update.ts";

/** A registry answering from a table: name -> latest version, deprecation, or a failure. */
class TableRegistry extends RegistryClient {
  readonly #table: Record<string, { latest: string; deprecated?: boolean } | "error">;
  constructor(table: Record<string, { latest: string; deprecated?: boolean } | "error">) {
    super("http://127.0.0.1:1");
    this.#table = table;
  }
  override getExtension(name: string): Promise<ExtensionInfo | null> {
    const row = this.#table[name];
    if (row === undefined) return Promise.resolve(null);
    if (row === "error") return Promise.reject(new Error("registry down"));
    return Promise.resolve({
      name,
      description: "",
      latestVersion: row.latest,
      latestRc: null,
      latestBeta: null,
      deprecatedAt: row.deprecated ? "2026-01-01T00:00:00Z" : null,
      deprecationReason: row.deprecated ? "old" : null,
      supersededBy: null,
    });
  }
}

function entry(version: string) {
  return { version, pulledAt: "2026-01-01T00:00:00.000Z", files: [] };
}

Deno.test("runUpdate() answers each extension in swamp's shape for its status", async () => {
  const lockfile = new LockfileRepository("/nowhere/upstream_extensions.json", {
    "@fix/ahead": entry("2026.03.01.1"),
    "@fix/current": entry("2026.02.01.1"),
    "@fix/down": entry("2026.01.01.1"),
    "@fix/gone": entry("2026.01.01.1"),
    "@fix/old": entry("2026.02.01.1"),
    "@fix/up": entry("2026.01.01.1"),
  });
  const registry = new TableRegistry({
    "@fix/ahead": { latest: "2026.02.01.1" },
    "@fix/current": { latest: "2026.02.01.1" },
    "@fix/down": "error",
    "@fix/old": { latest: "2026.02.01.1", deprecated: true },
    "@fix/up": { latest: "2026.02.01.1" },
  });
  const documents: unknown[] = [];
  const installed: string[] = [];
  const report = await runUpdate(undefined, false, {
    lockfile,
    registry,
    output: { json: true, data: (d) => documents.push(d), info: () => {} },
    install: (ref) => {
      installed.push(`${ref.name}@${ref.version}`);
      const result: InstallResult = {
        name: ref.name,
        version: ref.version ?? "",
        description: "",
        integrity: "verified",
        extractedFiles: [],
        dependencies: [],
        dependencyResults: [],
        platforms: [],
        binaries: [],
      };
      return Promise.resolve(result);
    },
  });
  assert.deepEqual(installed, ["@fix/up@2026.02.01.1"]);
  assert.deepEqual(documents, [
    { status: "updating", name: "@fix/up", from: "2026.01.01.1", to: "2026.02.01.1" },
  ]);
  assert.deepEqual(JSON.parse(JSON.stringify(report.extensions)), [
    // A newer installed version is up to date (CalVer order), not an "update" backwards.
    {
      status: "up_to_date",
      name: "@fix/ahead",
      installedVersion: "2026.03.01.1",
      latestVersion: "2026.02.01.1",
    },
    {
      status: "up_to_date",
      name: "@fix/current",
      installedVersion: "2026.02.01.1",
      latestVersion: "2026.02.01.1",
    },
    {
      status: "failed",
      name: "@fix/down",
      installedVersion: "2026.01.01.1",
      error: "Update failed: registry down",
    },
    {
      status: "not_found",
      name: "@fix/gone",
      installedVersion: "2026.01.01.1",
      error: "Failed to fetch registry info for @fix/gone.",
    },
    {
      status: "deprecated",
      name: "@fix/old",
      installedVersion: "2026.02.01.1",
      deprecationReason: "old",
      supersededBy: null,
    },
    {
      status: "updated",
      name: "@fix/up",
      previousVersion: "2026.01.01.1",
      newVersion: "2026.02.01.1",
    },
  ]);
  assert.deepEqual(report.summary, { total: 6, upToDate: 2, updated: 1, failed: 1 });
});
