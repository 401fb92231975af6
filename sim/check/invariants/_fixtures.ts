/**
 * Test support for the invariant suite: hand-built snapshots, history ops and
 * check contexts, and real repos left by the simulator, copied so that a test
 * can break them on disk. Imported by tests only.
 *
 * @module
 */

import { strict as assert } from "node:assert";
import { DatabaseSync } from "node:sqlite";
import type { ShimRule } from "../../../faults/rule.ts";
import { findVersion, type FixtureSpec, sourcesOf } from "../../scenario/fixture.ts";
import type { History, HistoryOp, HistoryOpSpec, HistoryPhase } from "../../record/history.ts";
import { CATALOG_PATH, PULLED_DIR } from "../../shared/layout.ts";
import type { LockEntry } from "../../record/lockfile_schema.ts";
import type { OutcomeClass, OutcomeType } from "../../shared/outcome.ts";
import { simulate } from "../../drive/simulate.ts";
import type { CatalogRow, LockfileSnapshot, Snapshot } from "../../record/snapshot.ts";
import type { CheckContext, Invariant, Verdict } from "./verdict.ts";

/** The repo dir of hand-built snapshots (absolute, as catalog rows store it). */
export const REPO_DIR = "/ws/repo";
/** The workload's t0 in hand-built contexts; op times are given relative to it. */
export const T0_MS = 1_000_000;

/** Fixture versions. */
export const V1 = "2026.01.01.1";
export const V2 = "2026.02.01.1";
export const V3 = "2026.03.01.1";

/** Fixture extension names. */
export const ALPHA = "@fix/alpha";
export const BETA = "@fix/beta";
export const GAMMA = "@fix/gamma";
export const DELTA = "@fix/delta";
export const CLASH = "@fix/clash";

/**
 * The fixture of hand-built cases: alpha at V1 (one model), V2 (two models)
 * and V3; beta at V1 (a model and a vault); gamma at V1, which depends on
 * delta at V1. No two extensions share a type.
 */
export function testFixture(): FixtureSpec {
  return {
    extensions: [
      {
        name: ALPHA,
        versions: [
          { version: V1 },
          { version: V2, models: { "main.ts": "@fix/alpha/main", "extra.ts": "@fix/alpha/extra" } },
          { version: V3 },
        ],
      },
      {
        name: BETA,
        versions: [{
          version: V1,
          models: { "main.ts": "@fix/beta/main" },
          vaults: { "keys.ts": "@fix/keys" },
        }],
      },
      { name: GAMMA, versions: [{ version: V1, dependencies: [DELTA] }] },
      { name: DELTA, versions: [{ version: V1 }] },
    ],
  };
}

/** {@link testFixture} plus `@fix/clash`, whose model claims alpha's type: a genuine conflict. */
export function conflictFixture(): FixtureSpec {
  const spec = testFixture();
  spec.extensions.push({
    name: CLASH,
    versions: [{ version: V1, models: { "main.ts": "@fix/alpha/main" } }],
  });
  return spec;
}

function versionOf(spec: FixtureSpec, name: string, version: string) {
  const found = findVersion(spec, name, version);
  assert.ok(found !== undefined, `test fixture has no "${name}@${version}"`);
  return found.version;
}

/** The repo-relative files an install of `name@version` leaves: manifest and sources, sorted. */
export function pulledFilesOf(name: string, version: string, spec = testFixture()): string[] {
  const dir = `${PULLED_DIR}/${name}`;
  return [
    `${dir}/manifest.yaml`,
    ...sourcesOf(versionOf(spec, name, version), name).map((s) => `${dir}/${s.file}`),
  ].sort();
}

/** A lockfile entry as swamp writes it for `name@version`, fields in write order. */
export function lockEntryOf(name: string, version: string, spec = testFixture()): LockEntry {
  return {
    version,
    pulledAt: "2026-11-01T10:00:00.000Z",
    files: pulledFilesOf(name, version, spec),
    checksum: "a".repeat(64),
    filesChecksum: "b".repeat(64),
    serverUrl: "http://127.0.0.1:4000",
  };
}

/** Lockfile text as swamp serialises it: 2-space JSON and a trailing newline. */
export function lockfileText(entries: Record<string, unknown>): string {
  return `${JSON.stringify(entries, null, 2)}\n`;
}

/** A catalog row; unset columns take the table's defaults. */
export function catalogRow(
  fields: Partial<CatalogRow> & Pick<CatalogRow, "source_path">,
): CatalogRow {
  return {
    type_normalized: "",
    kind: "model",
    bundle_path: "",
    version: "",
    extension_name: "",
    extension_version: "",
    state: "Indexed",
    last_error: "",
    ...fields,
  };
}

/** The Indexed rows an install of `name@version` leaves, one per source. */
export function catalogRowsOf(
  name: string,
  version: string,
  spec = testFixture(),
  repoDir = REPO_DIR,
): CatalogRow[] {
  return sourcesOf(versionOf(spec, name, version), name).map((s) =>
    catalogRow({
      source_path: `${repoDir}/${PULLED_DIR}/${name}/${s.file}`,
      type_normalized: s.typeNormalized,
      kind: s.kind,
      bundle_path: `${repoDir}/.swamp/bundles/00000000/${s.file.replace(/\.ts$/, ".js")}`,
      version,
      extension_name: name,
      extension_version: version,
    })
  );
}

function parseLockfile(raw: string): LockfileSnapshot {
  try {
    return { state: "present", raw, data: JSON.parse(raw) };
  } catch (error) {
    return { state: "malformed", raw, error: (error as Error).message };
  }
}

function listedPaths(lockfile: LockfileSnapshot): string[] {
  if (lockfile.state !== "present" || typeof lockfile.data !== "object" || lockfile.data === null) {
    return [];
  }
  const out = new Set<string>();
  for (const entry of Object.values(lockfile.data as Record<string, unknown>)) {
    const files = (entry as { files?: unknown } | null)?.files;
    if (Array.isArray(files)) { for (const f of files) if (typeof f === "string") out.add(f); }
  }
  return [...out];
}

/** Recomputes what a snapshot derives from its file tree and lockfile, as takeSnapshot would. */
function derive(snapshot: Snapshot): Snapshot {
  const listedExists: Record<string, boolean> = {};
  for (const path of listedPaths(snapshot.lockfile)) {
    listedExists[path] = snapshot.pulledFiles.some((f) => f === path || f.startsWith(`${path}/`));
  }
  const manifests: Record<string, string | null> = {};
  for (const file of snapshot.pulledFiles) {
    if (!file.endsWith("/manifest.yaml")) continue;
    const dir = file.slice(PULLED_DIR.length + 1, -"/manifest.yaml".length);
    manifests[dir] = snapshot.manifests[dir] ?? null;
  }
  return { ...snapshot, listedExists, manifests };
}

/**
 * A consistent snapshot of a repo with `installed` (name -> version) pulled:
 * files, a 2-space lockfile, and one Indexed catalog row per source. With
 * nothing installed there is no lockfile and an empty catalog.
 */
export function installedSnapshot(
  installed: Record<string, string>,
  options: { spec?: FixtureSpec; repoDir?: string } = {},
): Snapshot {
  const spec = options.spec ?? testFixture();
  const repoDir = options.repoDir ?? REPO_DIR;
  const names = Object.keys(installed);
  const entries = Object.fromEntries(names.map((n) => [n, lockEntryOf(n, installed[n], spec)]));
  const pulledFiles = names.flatMap((n) => pulledFilesOf(n, installed[n], spec)).sort();
  return derive({
    repoDir,
    lockfile: names.length === 0 ? { state: "absent" } : parseLockfile(lockfileText(entries)),
    lockPresent: false,
    tempFiles: [],
    catalog: {
      state: "present",
      integrity: ["ok"],
      rows: names.flatMap((n) => catalogRowsOf(n, installed[n], spec, repoDir))
        .sort((a, b) => (a.source_path < b.source_path ? -1 : 1)),
      meta: {},
    },
    pulledFiles,
    bundleFiles: [],
    manifests: Object.fromEntries(names.map((n) => [n, installed[n]])),
    listedExists: {},
  });
}

/** The snapshot with its lockfile replaced by `raw` (parsed, or malformed). */
export function withLockfileText(snapshot: Snapshot, raw: string): Snapshot {
  return derive({ ...snapshot, lockfile: parseLockfile(raw) });
}

/** The snapshot with its lockfile replaced by these entries, as swamp would write them. */
export function withLockEntries(snapshot: Snapshot, entries: Record<string, unknown>): Snapshot {
  return withLockfileText(snapshot, lockfileText(entries));
}

/** The snapshot with these catalog rows (integrity ok). */
export function withCatalogRows(snapshot: Snapshot, rows: CatalogRow[]): Snapshot {
  return { ...snapshot, catalog: { state: "present", integrity: ["ok"], rows, meta: {} } };
}

/** The snapshot with this file tree under the pulled-extensions dir. */
export function withPulledFiles(snapshot: Snapshot, files: string[]): Snapshot {
  return derive({ ...snapshot, pulledFiles: [...files].sort() });
}

/** How a hand-built op ended and what it printed; times are relative to {@link T0_MS}. */
export interface OpOptions {
  phase?: HistoryPhase;
  /** Invocation and completion, in ms after t0 (default 0 and 10). */
  window?: readonly [number, number];
  /** Default ok. */
  type?: OutcomeType;
  /** Default: ok for ok; a no-effect class for fail; crashed for info. */
  class?: OutcomeClass;
  message?: string;
  json?: unknown[];
  stderr?: string;
  /** Default: 0 for ok, 1 for fail, null (killed) for info. */
  exitCode?: number | null;
  signal?: string | null;
  rules?: ShimRule[];
}

function defaultClass(op: HistoryOpSpec, type: OutcomeType): OutcomeClass {
  if (type === "ok") return "ok";
  if (type === "info") return "crashed";
  if (op.op === "rm") return "not-installed";
  if (op.op === "pull") return "conflict";
  return "usage";
}

/** One history op of process `process`. */
export function historyOp(process: number, op: HistoryOpSpec, options: OpOptions = {}): HistoryOp {
  const type = options.type ?? "ok";
  const [invoke, complete] = options.window ?? [0, 10];
  assert.ok(invoke <= complete, `op window [${invoke}, ${complete}] runs backwards`);
  const exitCode = options.exitCode !== undefined
    ? options.exitCode
    : type === "ok"
    ? 0
    : type === "fail"
    ? 1
    : null;
  return {
    process,
    phase: options.phase ?? "run",
    op,
    argv: ["swamp", op.op],
    invokeMs: T0_MS + invoke,
    completeMs: T0_MS + complete,
    exitCode,
    signal: options.signal !== undefined ? options.signal : exitCode === null ? "SIGKILL" : null,
    outcome: {
      type,
      class: options.class ?? defaultClass(op, type),
      ...(options.message === undefined ? {} : { message: options.message }),
    },
    stdout: "",
    stderr: options.stderr ?? "",
    json: options.json ?? [],
    events: [],
    eventsTruncated: 0,
    rules: options.rules ?? [],
  };
}

/** A `pull <ref>` op. */
export function pullOp(process: number, ref: string, options: OpOptions = {}): HistoryOp {
  return historyOp(process, { op: "pull", ref }, options);
}

/** An `rm <name>` op. */
export function rmOp(process: number, name: string, options: OpOptions = {}): HistoryOp {
  return historyOp(process, { op: "rm", name }, options);
}

/** An `update [name]` op. */
export function updateOp(
  process: number,
  name: string | undefined,
  options: OpOptions = {},
): HistoryOp {
  return historyOp(
    process,
    name === undefined ? { op: "update" } : { op: "update", name },
    options,
  );
}

/** A `list` op. */
export function listOp(process: number, options: OpOptions = {}): HistoryOp {
  return historyOp(process, { op: "list" }, options);
}

/** The JSON document a successful `rm name` prints (swamp's shape). */
export function rmJson(name: string, version: string): unknown[] {
  return [{ removed: { name, version, filesDeleted: 2, filesSkipped: 0, dirsRemoved: 1 } }];
}

/** The JSON document `list` prints for these entries (name -> version). */
export function listJson(installed: Record<string, string>): unknown[] {
  return [{
    extensions: Object.keys(installed).sort().map((name) => ({
      name,
      version: installed[name],
      pulledAt: "2026-11-01T10:00:00.000Z",
      files: [`${PULLED_DIR}/${name}/manifest.yaml`],
    })),
  }];
}

/** The JSON documents a successful `pull name` prints, dependencies (name -> version) after it. */
export function pullJson(
  name: string,
  version: string,
  dependencies: Record<string, string> = {},
): unknown[] {
  const block = (n: string, v: string) => [
    { name: n, version: v, description: `Fixture extension ${n}` },
    { integrity: "verified", name: n, version: v },
    { name: n, version: v, extractedFiles: [`${PULLED_DIR}/${n}/manifest.yaml`] },
  ];
  return [
    ...block(name, version),
    ...Object.entries(dependencies).flatMap(([n, v]) => [
      { status: "pulling_dependency", name: n, version: v },
      ...block(n, v),
    ]),
  ];
}

/** One extension's line in an update's final document, in swamp's field names. */
export interface UpdateLine {
  name: string;
  status: "updated" | "failed" | "up_to_date" | "not_found";
  from: string;
  to?: string;
  error?: string;
}

/**
 * The JSON documents `update` prints, in swamp's field names: an `updating`
 * progress document per attempted upgrade, then the final report (`updated`
 * carries previousVersion/newVersion, `failed` only installedVersion).
 */
export function updateJson(lines: UpdateLine[]): unknown[] {
  const progress = lines.filter((l) => l.to !== undefined && l.status !== "up_to_date")
    .map((l) => ({ status: "updating", name: l.name, from: l.from, to: l.to }));
  const extensions = lines.map((l) =>
    l.status === "updated"
      ? { status: l.status, name: l.name, previousVersion: l.from, newVersion: l.to }
      : l.status === "up_to_date"
      ? { status: l.status, name: l.name, installedVersion: l.from, latestVersion: l.from }
      : {
        status: l.status,
        name: l.name,
        installedVersion: l.from,
        error: l.error ?? "Update failed",
      }
  );
  const count = (s: UpdateLine["status"]) => lines.filter((l) => l.status === s).length;
  return [...progress, {
    extensions,
    summary: {
      total: lines.length,
      upToDate: count("up_to_date"),
      updated: count("updated"),
      failed: count("failed") + count("not_found"),
    },
  }];
}

/** A check context over a hand-built state: defaults are an empty repo, no ops, the test fixture. */
export function checkContext(overrides: Partial<CheckContext> = {}): CheckContext {
  return {
    phase: "run",
    snapshot: installedSnapshot({}),
    history: historyOf([]),
    fixture: testFixture(),
    typeConflict: false,
    initial: {},
    outcomes: {},
    expect: {},
    t0Ms: T0_MS,
    ...overrides,
  };
}

/** A history of these ops. */
export function historyOf(ops: HistoryOp[]): History {
  return { scenario: "invariant-test", seed: 1, iteration: 0, ops };
}

/** Runs one invariant on `ctx`, as `checkInvariants` would. */
export function verdictOf(invariant: Invariant, ctx: CheckContext): Verdict {
  return { invariant: invariant.id, phase: ctx.phase, ...invariant.check(ctx) };
}

/** Asserts that `text` contains every one of `parts`. */
export function assertMentions(text: string, parts: readonly string[]): void {
  for (const part of parts) {
    assert.ok(text.includes(part), `expected the text to mention "${part}": ${text}`);
  }
}

/** Asserts the verdict's status, showing its explanation when it differs. */
export function assertStatus(
  verdict: Pick<Verdict, "status" | "explanation">,
  status: Verdict["status"],
): void {
  assert.equal(verdict.status, status, `expected ${status}: ${verdict.explanation}`);
}

/** A repo the simulator left after one iteration, with what the checker needs to judge it. */
export interface RealRun {
  /** The kept workspace (removed by {@link disposeRealRun}). */
  root: string;
  repoDir: string;
  reportDir: string;
  history: History;
  fixture: FixtureSpec;
  typeConflict: boolean;
  /** Lockfile versions after set-up, from what the set-up pulls printed. */
  initial: Record<string, string>;
  /** The first run op's invocation. */
  t0Ms: number;
}

/** Runs iteration 0 of a scenario through the simulator, keeping the workspace. */
export async function runRealScenario(scenarioPath: string): Promise<RealRun> {
  const reportDir = await Deno.makeTempDir({ prefix: "swamp-sim-invariant-report-" });
  try {
    const result = await simulate({
      scenario: scenarioPath,
      iteration: 0,
      keep: true,
      log: () => {},
      reportDir,
    });
    const iteration = result.results[0];
    assert.ok(
      iteration?.workspace !== undefined,
      `the simulator kept no workspace: ${JSON.stringify(result.json)}`,
    );
    assert.ok(result.scenario !== undefined, "the simulator returned no scenario");
    const history = iteration.history;
    const initial: Record<string, string> = {};
    for (const op of history.ops.filter((o) => o.phase === "setup" && o.op.op === "pull")) {
      for (const doc of op.json) {
        const d = doc as { name?: unknown; version?: unknown; extractedFiles?: unknown };
        if (
          typeof d.name === "string" && typeof d.version === "string" &&
          d.extractedFiles !== undefined
        ) {
          initial[d.name] = d.version;
        }
      }
    }
    return {
      root: iteration.workspace,
      repoDir: `${iteration.workspace}/repo`,
      reportDir,
      history,
      fixture: result.scenario.fixture.spec,
      typeConflict: result.scenario.expect.typeConflict,
      initial,
      t0Ms: Math.min(...history.ops.filter((o) => o.phase === "run").map((o) => o.invokeMs)),
    };
  } catch (error) {
    await Deno.remove(reportDir, { recursive: true });
    throw error;
  }
}

/** Removes what {@link runRealScenario} left. */
export async function disposeRealRun(run: RealRun): Promise<void> {
  await Deno.remove(run.root, { recursive: true });
  await Deno.remove(run.reportDir, { recursive: true });
}

/** Runs SQL against a repo's catalog (read-write). */
export function catalogExec(repoDir: string, sql: string, ...params: Array<string | number>): void {
  const db = new DatabaseSync(`${repoDir}/${CATALOG_PATH}`);
  try {
    db.prepare(sql).run(...params);
  } finally {
    db.close();
  }
}

/**
 * Copies the run's repo (catalog WAL included) into a fresh temp dir and
 * points the catalog's absolute paths at the copy, then calls `fn` with the
 * copy's repo dir; the copy is removed afterwards.
 */
export async function withRepoCopy<T>(
  run: RealRun,
  fn: (repoDir: string) => Promise<T>,
): Promise<T> {
  const root = await Deno.makeTempDir({ prefix: "swamp-sim-invariant-copy-" });
  try {
    const repoDir = `${root}/repo`;
    const copied = await new Deno.Command("cp", { args: ["-a", run.repoDir, repoDir] }).output();
    assert.ok(copied.success, `cp -a failed: ${new TextDecoder().decode(copied.stderr)}`);
    catalogExec(
      repoDir,
      "UPDATE bundle_types SET source_path = replace(source_path, ?, ?), bundle_path = replace(bundle_path, ?, ?)",
      run.repoDir,
      repoDir,
      run.repoDir,
      repoDir,
    );
    return await fn(repoDir);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

/** A check context for a real run's history over `snapshot`. */
export function realContext(
  run: RealRun,
  snapshot: Snapshot,
  overrides: Partial<CheckContext> = {},
): CheckContext {
  return {
    phase: "run",
    snapshot,
    history: run.history,
    fixture: run.fixture,
    typeConflict: run.typeConflict,
    initial: run.initial,
    outcomes: {},
    expect: {},
    t0Ms: run.t0Ms,
    ...overrides,
  };
}
