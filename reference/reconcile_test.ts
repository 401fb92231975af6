import assert from "node:assert/strict";
import { ExtensionCatalogStore } from "./catalog.ts";
import { LockfileRepository } from "./lockfile.ts";
import { extensionRoot, repoLayout } from "./paths.ts";
import { dirname, join } from "./posix_path.ts";
import { guardrailTrips, needsReconcile, reconcileFromDisk } from "./reconcile.ts";
import { ExtensionRepository } from "./repository.ts";

function modelText(type: string): string {
  return `export const model = { type: "${type}", version: "2026.01.01.1", methods: {} };\n`;
}

async function write(path: string, text: string): Promise<void> {
  await Deno.mkdir(dirname(path), { recursive: true });
  await Deno.writeTextFile(path, text);
}

Deno.test("reconcileFromDisk() applies the transitions table", async () => {
  const dir = await Deno.makeTempDir({ prefix: "swamp_ref_reconcile_" });
  const layout = repoLayout(dir);
  const store = ExtensionCatalogStore.open(layout.catalogPath);
  try {
    const alpha = extensionRoot(layout, "@a/alpha");
    await write(join(alpha, "models/main.ts"), modelText("@a/alpha/main"));
    await write(join(alpha, "models/gone.ts"), modelText("@a/alpha/gone"));
    await write(
      join(alpha, "models/bad.ts"),
      `export const model = { type: "bad", version: "x" };`,
    );
    await write(join(extensionRoot(layout, "@a/orphan"), "models/o.ts"), modelText("@a/orphan/o"));
    await write(join(dir, "extensions/models/local.ts"), modelText("local/one"));
    await write(join(dir, "extensions/models/_skip/hidden.ts"), modelText("local/hidden"));
    const entries = {
      "@a/alpha": { version: "2026.01.01.1", pulledAt: "" },
      "@a/orphan": { version: "2026.01.01.1", pulledAt: "" },
    };
    const lockfile = new LockfileRepository(layout.lockfilePath, structuredClone(entries));
    const repository = new ExtensionRepository(store, lockfile, {
      repoRoot: dir,
      pulledRoot: layout.pulledRoot,
    });
    const deps = { layout, lockfile, repository, store, manifestIdentity: "id-1" };
    assert.ok(needsReconcile(store, "id-1"));
    const first = await reconcileFromDisk(deps);
    assert.ok(first.saved);
    assert.ok(!needsReconcile(store, "id-1"));
    assert.ok(needsReconcile(store, "id-2"), "a new manifest identity re-runs the reconcile");
    const states = () =>
      Object.fromEntries(store.allRows().map((r) => [r.source_path.slice(dir.length), r.state]));
    assert.deepEqual(states(), {
      "/.swamp/pulled-extensions/@a/alpha/models/bad.ts": "ValidationFailed",
      "/.swamp/pulled-extensions/@a/alpha/models/gone.ts": "Indexed",
      "/.swamp/pulled-extensions/@a/alpha/models/main.ts": "Indexed",
      "/.swamp/pulled-extensions/@a/orphan/models/o.ts": "Indexed",
      "/extensions/models/local.ts": "Indexed",
    });

    await Deno.remove(join(alpha, "models/gone.ts"));
    await Deno.remove(join(dir, "extensions/models/local.ts"));
    const second = await reconcileFromDisk({
      ...deps,
      lockfile: new LockfileRepository(layout.lockfilePath, { "@a/alpha": entries["@a/alpha"] }),
    });
    assert.deepEqual(states(), {
      "/.swamp/pulled-extensions/@a/alpha/models/bad.ts": "ValidationFailed",
      "/.swamp/pulled-extensions/@a/alpha/models/gone.ts": "EntryPointUnreadable",
      "/.swamp/pulled-extensions/@a/alpha/models/main.ts": "Indexed",
    });
    const reasons = second.transitions.map((t) =>
      `${t.sourcePath.slice(dir.length)} ${t.fromState}->${t.toState}`
    ).sort();
    assert.deepEqual(reasons, [
      "/.swamp/pulled-extensions/@a/alpha/models/gone.ts Indexed->EntryPointUnreadable",
      "/.swamp/pulled-extensions/@a/orphan/models/o.ts Indexed->Tombstoned",
      "/extensions/models/local.ts Indexed->Tombstoned",
    ]);
  } finally {
    store.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("reconcileFromDisk() saves nothing when more than half of >= 10 rows would transition", async () => {
  const dir = await Deno.makeTempDir({ prefix: "swamp_ref_guardrail_" });
  const layout = repoLayout(dir);
  const store = ExtensionCatalogStore.open(layout.catalogPath);
  try {
    for (let i = 0; i < 12; i++) {
      await write(join(dir, `extensions/models/m${i}.ts`), modelText(`local/m${i}`));
    }
    const lockfile = new LockfileRepository(layout.lockfilePath, {});
    const repository = new ExtensionRepository(store, lockfile, {
      repoRoot: dir,
      pulledRoot: layout.pulledRoot,
    });
    const deps = { layout, lockfile, repository, store, manifestIdentity: "id" };
    await reconcileFromDisk(deps);
    assert.equal(store.allRows().length, 12);
    for (let i = 0; i < 7; i++) await Deno.remove(join(dir, `extensions/models/m${i}.ts`));
    store.invalidateAll();
    const result = await reconcileFromDisk(deps);
    assert.equal(result.saved, false);
    assert.match(result.warnings[0], /7 of 12 catalog rows/);
    assert.equal(store.allRows().length, 12, "nothing saved");
    assert.ok(!needsReconcile(store, "id"), "kinds still marked populated");
  } finally {
    store.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("guardrailTrips() needs at least 10 rows and more than 50 %", () => {
  assert.equal(guardrailTrips(9, 9), false);
  assert.equal(guardrailTrips(5, 10), false);
  assert.equal(guardrailTrips(6, 10), true);
});

Deno.test("reconcileFromDisk() leaves a gone row of another version alone and moves a present one", async () => {
  const dir = await Deno.makeTempDir({ prefix: "swamp_ref_reconcile_" });
  const layout = repoLayout(dir);
  const store = ExtensionCatalogStore.open(layout.catalogPath);
  try {
    const alpha = extensionRoot(layout, "@a/alpha");
    await write(join(alpha, "models/widget.ts"), modelText("@a/alpha/widget"));
    await write(join(alpha, "models/gadget.ts"), modelText("@a/alpha/gadget"));
    const v1 = { "@a/alpha": { version: "2026.01.01.1", pulledAt: "" } };
    const roots = { repoRoot: dir, pulledRoot: layout.pulledRoot };
    const first = new LockfileRepository(layout.lockfilePath, v1);
    await reconcileFromDisk({
      layout,
      lockfile: first,
      repository: new ExtensionRepository(store, first, roots),
      store,
      manifestIdentity: "id",
    });
    await Deno.remove(join(alpha, "models/gadget.ts"));
    const v2 = new LockfileRepository(layout.lockfilePath, {
      "@a/alpha": { version: "2026.02.01.1", pulledAt: "" },
    });
    const result = await reconcileFromDisk({
      layout,
      lockfile: v2,
      repository: new ExtensionRepository(store, v2, roots),
      store,
      manifestIdentity: "id",
    });
    assert.deepEqual(
      store.allRows().map((r) => [r.source_path.slice(alpha.length), r.state, r.extension_version]),
      [
        ["/models/gadget.ts", "Indexed", "2026.01.01.1"],
        ["/models/widget.ts", "Indexed", "2026.02.01.1"],
      ],
    );
    assert.deepEqual(
      result.transitions.filter((t) => t.sourcePath.endsWith("/gadget.ts")),
      [],
      "the gone v1 row has no transition",
    );
  } finally {
    store.close();
    await Deno.remove(dir, { recursive: true });
  }
});
