import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { BUSY_TIMEOUT_MS, ExtensionCatalogStore, MAX_RETRIES } from "./catalog.ts";
import { DuplicateTypeError } from "./errors.ts";
import { LockfileRepository } from "./lockfile.ts";
import { join } from "./posix_path.ts";
import {
  type ExtensionAggregate,
  ExtensionRepository,
  type Source,
  type SourceKind,
  tombstoneAll,
} from "./repository.ts";

const ROOT = "/repo";
const PULLED = "/repo/.swamp/pulled-extensions";

function source(path: string, type: string, kind: SourceKind = "model"): Source {
  return {
    sourcePath: path,
    kind,
    typeNormalized: type,
    bundlePath: `${path}.js`,
    state: "Indexed",
    version: "2026.01.01.1",
    description: "",
    extendsType: "",
    sourceMtime: "",
    sourceFingerprint: "",
    lastError: "",
  };
}

function aggregate(name: string, version: string, sources: Source[]): ExtensionAggregate {
  return { name, version, sources };
}

async function withRepository(
  body: (
    repository: ExtensionRepository,
    store: ExtensionCatalogStore,
    begins: () => number,
  ) => void,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "swamp_ref_repository_" });
  const store = ExtensionCatalogStore.open(join(dir, "catalog.db"));
  let beginCount = 0;
  const exec = store.db.exec.bind(store.db);
  store.db.exec = (sql: string) => {
    if (sql === "BEGIN") beginCount++;
    return exec(sql);
  };
  try {
    const lockfile = new LockfileRepository(join(dir, "upstream_extensions.json"), {
      "@a/x": { version: "2026.01.09.1", pulledAt: "" },
    });
    body(
      new ExtensionRepository(store, lockfile, { repoRoot: ROOT, pulledRoot: PULLED }),
      store,
      () => beginCount,
    );
  } finally {
    store.close();
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("saveAll() writes a batch in one transaction and tombstones delete rows", async () => {
  await withRepository((repository, store, begins) => {
    const v1 = aggregate("@a/x", "2026.01.01.1", [
      source(`${PULLED}/@a/x/models/a.ts`, "@a/x/a"),
      source(`${PULLED}/@a/x/models/b.ts`, "@a/x/b"),
    ]);
    repository.saveAll([v1]);
    assert.equal(begins(), 1);
    const v2 = aggregate("@a/x", "2026.01.02.1", [source(`${PULLED}/@a/x/models/a.ts`, "@a/x/a")]);
    repository.saveAll([tombstoneAll(v1), v2]);
    assert.equal(begins(), 2);
    const rows = store.allRows();
    assert.deepEqual(rows.map((r) => [r.source_path, r.extension_version]), [
      [`${PULLED}/@a/x/models/a.ts`, "2026.01.02.1"],
    ]);
  });
});

Deno.test("saveAll() raises DuplicateTypeError (I-Repo-1) and rolls the whole batch back", async () => {
  await withRepository((repository, store) => {
    repository.saveAll([
      aggregate("@b/y", "2026.01.01.1", [source(`${PULLED}/@b/y/models/m.ts`, "shared")]),
    ]);
    const error = (() => {
      try {
        repository.saveAll([
          aggregate("@a/z", "2026.01.01.1", [
            source(`${PULLED}/@a/z/models/ok.ts`, "own"),
            source(`${PULLED}/@a/z/models/m.ts`, "shared"),
          ]),
        ]);
      } catch (e) {
        return e;
      }
      return null;
    })();
    assert.ok(error instanceof DuplicateTypeError);
    assert.equal(error.kind, "model");
    assert.equal(error.typeNormalized, "shared");
    assert.equal(
      error.firstSource.extensionName,
      "@a/z",
      "firstSource is the path that sorts first",
    );
    assert.equal(error.secondSource.extensionName, "@b/y");
    assert.deepEqual(store.allRows().map((r) => r.extension_name), ["@b/y"]);
  });
});

Deno.test("saveAll() exempts kind extension, empty types and distinct kinds from I-Repo-1", async () => {
  await withRepository((repository, store) => {
    repository.saveAll([
      aggregate("@a/p", "2026.01.01.1", [
        source(`${PULLED}/@a/p/models/e.ts`, "t", "extension"),
        source(`${PULLED}/@a/p/vaults/v.ts`, "t", "vault"),
      ]),
      aggregate("@a/q", "2026.01.01.1", [
        source(`${PULLED}/@a/q/models/e.ts`, "t", "extension"),
        source(`${PULLED}/@a/q/models/m.ts`, "t"),
      ]),
    ]);
    assert.equal(store.allRows().length, 4);
  });
});

Deno.test("saveAll() prunes rows outside the repo and clears pulled types a local row claims", async () => {
  await withRepository((repository, store) => {
    store.upsertRow({
      source_path: "/elsewhere/models/m.ts",
      type_normalized: "dup",
      kind: "model",
      bundle_path: "",
      version: "",
      description: "",
      extends_type: "",
      source_mtime: "",
      source_fingerprint: "",
      state: "Indexed",
      extension_name: "@o/old",
      extension_version: "2026.01.01.1",
      last_error: "",
    });
    repository.saveAll([
      aggregate("", "", [source(`${ROOT}/extensions/models/local.ts`, "shadow")]),
      aggregate("@a/s", "2026.01.01.1", [source(`${PULLED}/@a/s/models/s.ts`, "shadow")]),
    ]);
    const rows = store.allRows();
    assert.deepEqual(rows.map((r) => [r.source_path, r.type_normalized]), [
      [`${PULLED}/@a/s/models/s.ts`, ""],
      [`${ROOT}/extensions/models/local.ts`, "shadow"],
    ]);
    assert.equal(repository.lastOriginConflicts.length, 1);
  });
});

Deno.test("loadByName() fills an empty version from the lockfile snapshot and writes it back", async () => {
  await withRepository((repository, store) => {
    repository.saveAll([aggregate("@a/x", "", [source(`${PULLED}/@a/x/models/a.ts`, "t")])]);
    const loaded = repository.loadByName("@a/x");
    assert.deepEqual(loaded.map((a) => a.version), ["2026.01.09.1"]);
    assert.equal(store.allRows()[0].extension_version, "2026.01.09.1");
  });
});

Deno.test("saveAll() reads the aggregate's rows before its first write, as swamp's saveAll does", async () => {
  await withRepository((repository, store) => {
    const executed: string[] = [];
    const prepare = store.db.prepare.bind(store.db);
    store.db.prepare = (sql: string) => {
      const verb = sql.trimStart().split(/\s+/)[0].toUpperCase();
      return new Proxy(prepare(sql), {
        get(target, property) {
          const value: unknown = Reflect.get(target, property);
          if (typeof value !== "function") return value;
          return (...args: unknown[]) => {
            if (property === "run" || property === "all" || property === "get") executed.push(verb);
            return value.apply(target, args);
          };
        },
      });
    };
    const exec = store.db.exec.bind(store.db);
    store.db.exec = (sql: string) => {
      executed.push(sql);
      return exec(sql);
    };
    repository.saveAll([
      aggregate("@a/x", "2026.01.01.1", [source(`${PULLED}/@a/x/models/a.ts`, "@a/x/a")]),
    ]);
    assert.deepEqual(executed.slice(0, 3), ["BEGIN", "SELECT", "INSERT"]);
  });
});

Deno.test("saveAll() meets a held write lock with lock errors, not busy_timeout, and gives up after its retries", async () => {
  await withRepository((repository, store) => {
    const holder = new DatabaseSync(store.path);
    holder.exec("BEGIN IMMEDIATE");
    holder.exec("INSERT INTO bundle_meta (key, value) VALUES ('held', '1')");
    try {
      const timeout = store.db.prepare("PRAGMA busy_timeout").get() as Record<string, number>;
      assert.equal(Object.values(timeout)[0], BUSY_TIMEOUT_MS, "busy_timeout is set");
      assert.throws(
        () =>
          repository.saveAll([
            aggregate("@a/x", "2026.01.01.1", [source(`${PULLED}/@a/x/models/a.ts`, "@a/x/a")]),
          ]),
        /database is locked/,
      );
      assert.equal(store.lockRetryCount, MAX_RETRIES, "every retry was taken");
    } finally {
      holder.exec("ROLLBACK");
      holder.close();
    }
    assert.deepEqual(store.allRows(), [], "nothing was written");
  });
});
