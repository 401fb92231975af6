import { strict as assert } from "node:assert";
import {
  extensionsInSnapshot,
  formatLayerState,
  isLiveRow,
  layerMatches,
  layerState,
  liveRowsByExtension,
  lockEntries,
  pulledDirOf,
} from "./layers.ts";
import { PULLED_DIR } from "../shared/layout.ts";
import type { CatalogRow, Snapshot } from "./snapshot.ts";

const ALPHA = "@fix/alpha";
const BETA = "@fix/beta";
const V1 = "2026.01.01.1";
const V2 = "2026.02.01.1";
const ENTRY = { version: V1, pulledAt: "2026-11-01T10:00:00.000Z", files: [] };

function row(name: string, version: string, file: string, state = "Indexed"): CatalogRow {
  return {
    source_path: `/r/${PULLED_DIR}/${name}/${file}`,
    type_normalized: `${name}/${file}`,
    kind: "model",
    bundle_path: "",
    version,
    extension_name: name,
    extension_version: version,
    state,
    last_error: "",
  };
}

/** An empty repo, with `parts` replacing what they name. */
function snapshot(parts: Partial<Snapshot> & { lockData?: unknown } = {}): Snapshot {
  const { lockData, ...rest } = parts;
  return {
    repoDir: "/r",
    lockfile: lockData === undefined
      ? { state: "absent" }
      : { state: "present", raw: JSON.stringify(lockData), data: lockData },
    lockPresent: false,
    tempFiles: [],
    catalog: { state: "absent" },
    pulledFiles: [],
    bundleFiles: [],
    manifests: {},
    listedExists: {},
    ...rest,
  };
}

function present(rows: CatalogRow[]): Snapshot["catalog"] {
  return { state: "present", integrity: ["ok"], rows, meta: {} };
}

Deno.test("lockEntries() reads no entries from an absent lockfile", () => {
  assert.deepEqual(lockEntries(snapshot()), { ok: true, entries: {} });
});

Deno.test("lockEntries() gives the schema-checked entries", () => {
  const read = lockEntries(snapshot({ lockData: { [ALPHA]: ENTRY } }));
  assert.deepEqual(read, { ok: true, entries: { [ALPHA]: ENTRY } });
});

Deno.test("lockEntries() says why a lockfile cannot be read", () => {
  const malformed = lockEntries(
    snapshot({ lockfile: { state: "malformed", raw: "{", error: "Unexpected end" } }),
  );
  assert.deepEqual(malformed, { ok: false, reason: "the lockfile is malformed: Unexpected end" });

  const cases: Array<[unknown, string]> = [
    [{ [ALPHA]: { ...ENTRY, version: "1.0" } }, `at ${ALPHA}.version: must be a CalVer version`],
    [{ alpha: ENTRY }, "at alpha: must be a scoped extension name"],
    [[ENTRY], "at the top level: Invalid input: expected record, received array"],
    [
      { [ALPHA]: { ...ENTRY, pulledAt: "yesterday" } },
      `at ${ALPHA}.pulledAt: must be an ISO timestamp`,
    ],
  ];
  for (const [data, reason] of cases) {
    const read = lockEntries(snapshot({ lockData: data }));
    assert.equal(read.ok, false);
    assert.equal(!read.ok && read.reason, `the lockfile does not match its schema ${reason}`);
  }
});

Deno.test("isLiveRow() excludes Tombstoned rows and local rows only", () => {
  assert.equal(isLiveRow(row(ALPHA, V1, "models/a.ts")), true);
  assert.equal(isLiveRow(row(ALPHA, V1, "models/a.ts", "ValidationFailed")), true);
  assert.equal(isLiveRow(row(ALPHA, V1, "models/a.ts", "Tombstoned")), false);
  assert.equal(isLiveRow({ ...row(ALPHA, V1, "models/a.ts"), extension_name: "" }), false);
});

Deno.test("liveRowsByExtension() groups live rows by extension", () => {
  const rows = [
    row(ALPHA, V1, "models/a.ts"),
    row(BETA, V1, "models/b.ts", "Tombstoned"),
    row(ALPHA, V1, "vaults/c.ts"),
  ];
  const grouped = liveRowsByExtension(snapshot({ catalog: present(rows) }));
  assert.deepEqual([...grouped.keys()], [ALPHA]);
  assert.equal(grouped.get(ALPHA)?.length, 2);
  assert.equal(liveRowsByExtension(snapshot()).size, 0);
});

Deno.test("layerState() reads each layer: absent, a version, present, mixed, unknown", () => {
  const dir = pulledDirOf(ALPHA);
  assert.equal(dir, `${PULLED_DIR}/${ALPHA}`);
  assert.deepEqual(layerState(snapshot(), ALPHA), {
    files: "absent",
    lockfile: "absent",
    catalog: "absent",
  });

  const full = snapshot({
    pulledFiles: [`${dir}/manifest.yaml`, `${dir}/models/a.ts`],
    manifests: { [ALPHA]: V2 },
    lockData: { [ALPHA]: { ...ENTRY, version: V2 } },
    catalog: present([row(ALPHA, V2, "models/a.ts")]),
  });
  assert.deepEqual(layerState(full, ALPHA), { files: V2, lockfile: V2, catalog: V2 });

  const torn = snapshot({
    pulledFiles: [`${dir}/models/a.ts`],
    manifests: {},
    lockfile: { state: "malformed", raw: "", error: "x" },
    catalog: present([row(ALPHA, V2, "models/a.ts"), row(ALPHA, V1, "models/b.ts")]),
  });
  assert.deepEqual(layerState(torn, ALPHA), {
    files: "present",
    lockfile: "unknown",
    catalog: `mixed:${V1},${V2}`,
  });

  const unreadable = snapshot({
    catalog: { state: "unreadable", error: "x" },
    manifests: { [ALPHA]: null },
  });
  assert.equal(layerState(unreadable, ALPHA).catalog, "unknown");
  // Another extension whose name starts the same is not this one's tree.
  const prefix = snapshot({ pulledFiles: [`${dir}-two/manifest.yaml`] });
  assert.equal(layerState(prefix, ALPHA).files, "absent");
});

Deno.test("layerMatches() treats present as any known, non-absent value", () => {
  assert.equal(layerMatches(V1, "present"), true);
  assert.equal(layerMatches("mixed:a,b", "present"), true);
  assert.equal(layerMatches("absent", "present"), false);
  assert.equal(layerMatches("unknown", "present"), false);
  assert.equal(layerMatches(V1, V1), true);
  assert.equal(layerMatches(V1, V2), false);
  assert.equal(layerMatches("absent", "absent"), true);
});

Deno.test("formatLayerState() labels the three layers", () => {
  assert.equal(
    formatLayerState({ files: V1, lockfile: "absent", catalog: "unknown" }),
    `files=${V1} lockfile=absent catalog=unknown`,
  );
});

Deno.test("extensionsInSnapshot() names every extension in any layer, sorted", () => {
  const s = snapshot({
    manifests: { "@fix/zeta": null },
    lockData: { [BETA]: ENTRY },
    catalog: present([
      row(ALPHA, V1, "models/a.ts"),
      row("@fix/gone", V1, "models/g.ts", "Tombstoned"),
    ]),
  });
  assert.deepEqual(extensionsInSnapshot(s), [ALPHA, BETA, "@fix/zeta"]);
});
