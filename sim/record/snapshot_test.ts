import { strict as assert } from "node:assert";
import { DatabaseSync } from "node:sqlite";
import {
  CATALOG_PATH,
  LOCK_PATH,
  LOCKFILE_DIR,
  LOCKFILE_PATH,
  PULLED_DIR,
} from "../shared/layout.ts";
import { listFiles, takeSnapshot } from "./snapshot.ts";

const ALPHA_DIR = `${PULLED_DIR}/@fix/alpha`;
const BETA_DIR = `${PULLED_DIR}/@fix/beta`;

/** Runs `fn` with a fresh temp dir holding an (empty) `repo` dir; removes it afterwards. */
async function withRepo(fn: (repoDir: string, root: string) => Promise<void>): Promise<void> {
  const root = await Deno.makeTempDir({ prefix: "swamp-sim-snapshot-test-" });
  try {
    await Deno.mkdir(`${root}/repo`);
    await fn(`${root}/repo`, root);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

async function write(repoDir: string, rel: string, text: string): Promise<void> {
  await Deno.mkdir(`${repoDir}/${rel.slice(0, rel.lastIndexOf("/"))}`, { recursive: true });
  await Deno.writeTextFile(`${repoDir}/${rel}`, text);
}

const SCHEMA = `
  CREATE TABLE bundle_types (
    source_path TEXT PRIMARY KEY NOT NULL, type_normalized TEXT NOT NULL,
    kind TEXT NOT NULL DEFAULT 'model', bundle_path TEXT NOT NULL,
    version TEXT NOT NULL DEFAULT '', description TEXT NOT NULL DEFAULT '',
    extends_type TEXT NOT NULL DEFAULT '', source_mtime TEXT NOT NULL DEFAULT '',
    source_fingerprint TEXT NOT NULL DEFAULT '', extension_name TEXT NOT NULL DEFAULT '',
    extension_version TEXT NOT NULL DEFAULT '', last_error TEXT NOT NULL DEFAULT '',
    state TEXT NOT NULL DEFAULT 'Indexed');
  CREATE TABLE bundle_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);`;

/** Opens (creating) the repo's catalog in WAL mode with swamp's tables. */
async function openCatalog(repoDir: string): Promise<DatabaseSync> {
  await Deno.mkdir(`${repoDir}/.swamp`, { recursive: true });
  const db = new DatabaseSync(`${repoDir}/${CATALOG_PATH}`);
  db.exec("PRAGMA journal_mode=WAL");
  db.exec(SCHEMA);
  return db;
}

function insertRow(db: DatabaseSync, sourcePath: string, name: string, version: string): void {
  db.prepare(
    `INSERT INTO bundle_types (source_path, type_normalized, bundle_path, version, extension_name, extension_version)
     VALUES (?, ?, '', ?, ?, ?)`,
  ).run(sourcePath, `${name}/main`, version, name, version);
}

Deno.test("takeSnapshot() of an empty dir finds every layer absent", async () => {
  await withRepo(async (repoDir) => {
    assert.deepEqual(await takeSnapshot(repoDir), {
      repoDir,
      lockfile: { state: "absent" },
      lockPresent: false,
      tempFiles: [],
      catalog: { state: "absent" },
      pulledFiles: [],
      bundleFiles: [],
      manifests: {},
      listedExists: {},
    });
  });
});

Deno.test("takeSnapshot() reads the tree, lockfile, lock, temp files and catalog of a repo", async () => {
  await withRepo(async (repoDir, root) => {
    const lockData = {
      "@fix/alpha": {
        version: "2026.02.01.1",
        pulledAt: "2026-11-01T10:00:00.000Z",
        files: [
          `${ALPHA_DIR}/manifest.yaml`,
          `${ALPHA_DIR}/models/gone.ts`,
          `${ALPHA_DIR}/models/main.ts`,
        ],
      },
      "@fix/beta": {
        version: "2026.01.01.1",
        pulledAt: "2026-11-01T10:00:00.000Z",
        files: ["../escape.ts", "/etc/hostname", `${BETA_DIR}/skills/deploy`],
      },
      "@fix/legacy": { version: "2026.01.01.1", pulledAt: "2026-11-01T10:00:00.000Z" },
    };
    const raw = `${JSON.stringify(lockData, null, 2)}\n`;
    await write(repoDir, LOCKFILE_PATH, raw);
    await Deno.writeTextFile(`${repoDir}/${LOCK_PATH}`, "");
    await Deno.writeTextFile(`${repoDir}/${LOCKFILE_DIR}/.3f2a.tmp`, "{");
    await Deno.writeTextFile(`${repoDir}/${LOCKFILE_DIR}/notes.tmp`, "");
    await Deno.mkdir(`${repoDir}/${LOCKFILE_DIR}/.dir.tmp`);
    // Exists, but outside the repo: a listed "../escape.ts" must not count as present.
    await Deno.writeTextFile(`${root}/escape.ts`, "");
    await write(
      repoDir,
      `${ALPHA_DIR}/manifest.yaml`,
      '# read-only\nname: "@fix/alpha"\nversion: "2026.02.01.1"\n',
    );
    await write(repoDir, `${ALPHA_DIR}/models/main.ts`, "export const model = {};\n");
    await Deno.mkdir(`${repoDir}/${ALPHA_DIR}/workflows`);
    await write(repoDir, `${BETA_DIR}/manifest.yaml`, "version: 2026.01.01.1 # pinned\n");
    await write(repoDir, `${BETA_DIR}/skills/deploy/SKILL.md`, "# skill\n");
    await write(repoDir, `${PULLED_DIR}/@fix/odd/manifest.yaml`, "name: odd\n  version: nested\n");
    await write(repoDir, ".swamp/bundles/0a1b2c3d/main.js", "");
    await write(repoDir, ".swamp/vault-bundles/0a1b2c3d/keys.js", "");

    const db = await openCatalog(repoDir);
    insertRow(db, `${repoDir}/${ALPHA_DIR}/models/main.ts`, "@fix/alpha", "2026.02.01.1");
    insertRow(db, `${repoDir}/${ALPHA_DIR}/models/a.ts`, "@fix/alpha", "2026.02.01.1");
    db.prepare("INSERT INTO bundle_meta (key, value) VALUES (?, ?)").run("populated:model", "true");
    db.close();

    const snapshot = await takeSnapshot(repoDir);
    assert.deepEqual(snapshot.lockfile, { state: "present", raw, data: lockData });
    assert.equal(snapshot.lockPresent, true);
    assert.deepEqual(snapshot.tempFiles, [`${LOCKFILE_DIR}/.3f2a.tmp`]);
    assert.deepEqual(snapshot.pulledFiles, [
      `${ALPHA_DIR}/manifest.yaml`,
      `${ALPHA_DIR}/models/main.ts`,
      `${BETA_DIR}/manifest.yaml`,
      `${BETA_DIR}/skills/deploy/SKILL.md`,
      `${PULLED_DIR}/@fix/odd/manifest.yaml`,
    ]);
    assert.deepEqual(snapshot.bundleFiles, [
      ".swamp/bundles/0a1b2c3d/main.js",
      ".swamp/vault-bundles/0a1b2c3d/keys.js",
    ]);
    assert.deepEqual(snapshot.manifests, {
      "@fix/alpha": "2026.02.01.1",
      "@fix/beta": "2026.01.01.1",
      "@fix/odd": null,
    });
    assert.deepEqual(snapshot.listedExists, {
      "../escape.ts": false,
      "/etc/hostname": false,
      [`${ALPHA_DIR}/manifest.yaml`]: true,
      [`${ALPHA_DIR}/models/gone.ts`]: false,
      [`${ALPHA_DIR}/models/main.ts`]: true,
      [`${BETA_DIR}/skills/deploy`]: true,
    });
    assert.equal(snapshot.catalog.state, "present");
    if (snapshot.catalog.state !== "present") return;
    assert.deepEqual(snapshot.catalog.integrity, ["ok"]);
    assert.deepEqual(snapshot.catalog.meta, { "populated:model": "true" });
    assert.deepEqual(snapshot.catalog.rows.map((r) => r.source_path), [
      `${repoDir}/${ALPHA_DIR}/models/a.ts`,
      `${repoDir}/${ALPHA_DIR}/models/main.ts`,
    ]);
    assert.deepEqual(snapshot.catalog.rows[1], {
      source_path: `${repoDir}/${ALPHA_DIR}/models/main.ts`,
      type_normalized: "@fix/alpha/main",
      kind: "model",
      bundle_path: "",
      version: "2026.02.01.1",
      extension_name: "@fix/alpha",
      extension_version: "2026.02.01.1",
      state: "Indexed",
      last_error: "",
    });
  });
});

Deno.test("takeSnapshot() reads catalog rows still in the WAL while a writer holds it open", async () => {
  await withRepo(async (repoDir) => {
    const db = await openCatalog(repoDir);
    try {
      db.exec("PRAGMA wal_autocheckpoint=0");
      insertRow(db, `${repoDir}/${ALPHA_DIR}/models/main.ts`, "@fix/alpha", "2026.01.01.1");
      const snapshot = await takeSnapshot(repoDir);
      assert.equal(snapshot.catalog.state, "present");
      assert.equal(snapshot.catalog.state === "present" && snapshot.catalog.rows.length, 1);
    } finally {
      db.close();
    }
  });
});

Deno.test("takeSnapshot() keeps a malformed lockfile's raw text and the parse error", async () => {
  await withRepo(async (repoDir) => {
    await write(repoDir, LOCKFILE_PATH, '{\n  "@fix/alpha": {\n    "vers');
    const { lockfile, listedExists } = await takeSnapshot(repoDir);
    assert.equal(lockfile.state, "malformed");
    assert.equal(lockfile.state === "malformed" && lockfile.raw, '{\n  "@fix/alpha": {\n    "vers');
    assert.ok(lockfile.state === "malformed" && lockfile.error.length > 0);
    assert.deepEqual(listedExists, {});
  });
});

Deno.test("takeSnapshot() records a lockfile it cannot read as malformed, without throwing", async () => {
  await withRepo(async (repoDir) => {
    await Deno.mkdir(`${repoDir}/${LOCKFILE_PATH}`, { recursive: true });
    const { lockfile } = await takeSnapshot(repoDir);
    assert.equal(lockfile.state, "malformed");
    assert.equal(lockfile.state === "malformed" && lockfile.raw, "");
  });
});

Deno.test("takeSnapshot() records a catalog that is not a database as unreadable", async () => {
  await withRepo(async (repoDir) => {
    await write(repoDir, CATALOG_PATH, "garbage, not SQLite\n".repeat(100));
    const { catalog } = await takeSnapshot(repoDir);
    assert.equal(catalog.state, "unreadable");
    assert.match(catalog.state === "unreadable" ? catalog.error : "", /not a database/);
  });
});

Deno.test("takeSnapshot() reads a catalog without swamp's tables as empty", async () => {
  await withRepo(async (repoDir) => {
    await Deno.mkdir(`${repoDir}/.swamp`);
    const db = new DatabaseSync(`${repoDir}/${CATALOG_PATH}`);
    db.exec("CREATE TABLE other (x TEXT)");
    db.close();
    assert.deepEqual((await takeSnapshot(repoDir)).catalog, {
      state: "present",
      integrity: ["ok"],
      rows: [],
      meta: {},
    });
  });
});

Deno.test("listFiles() lists files only, repo-relative and sorted, and nothing for a missing dir", async () => {
  await withRepo(async (repoDir) => {
    await write(repoDir, "d/b/2.txt", "");
    await write(repoDir, "d/a.txt", "");
    await Deno.mkdir(`${repoDir}/d/empty`);
    assert.deepEqual(await listFiles(repoDir, "d"), ["d/a.txt", "d/b/2.txt"]);
    assert.deepEqual(await listFiles(repoDir, "missing"), []);
  });
});
