/**
 * A small Deno program that touches a repo with the same runtime calls, in
 * the same order, as swamp's extension lifecycle: an exclusive-create
 * advisory lock (10 attempts, 100 ms apart), a tmp + rename lockfile write,
 * `exec("BEGIN")` / `exec("COMMIT")` on a WAL catalog, files written under
 * `.swamp/pulled-extensions/`. The shim tests run it as their target.
 *
 * Usage: `deno run -A probe.ts <repoDir> <command> [args]`
 *
 * - `pull <name> <version>`: files, then lockfile, then catalog (async calls);
 * - `pull-sync <name> <version>`: the same with the `*Sync` calls and prepared
 *   `BEGIN`/`COMMIT` statements;
 * - `rm <name>`: catalog, then lockfile, then files;
 * - `fetch <path>`: GET `$SWAMP_CLUB_URL<path>` and print the status;
 * - `noop`: nothing.
 *
 * Success prints one JSON object on stdout; a failure prints `Error: <message>`
 * on stderr and exits 1.
 *
 * @module
 */

import { DatabaseSync } from "node:sqlite";

const LOCK_ATTEMPTS = 10;
const LOCK_RETRY_MS = 100;

/** A failure reported to the user with exit 1. */
class UserError extends Error {}

interface Layout {
  lockfile: string;
  lock: string;
  catalog: string;
  pulled: string;
}

function layoutOf(repo: string): Layout {
  return {
    lockfile: `${repo}/extensions/models/upstream_extensions.json`,
    lock: `${repo}/extensions/models/upstream_extensions.json.lock`,
    catalog: `${repo}/.swamp/_extension_catalog.db`,
    pulled: `${repo}/.swamp/pulled-extensions`,
  };
}

type Entries = Record<string, { version: string; files: string[] }>;

function dirname(path: string): string {
  return path.slice(0, path.lastIndexOf("/"));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function withLock<T>(layout: Layout, body: () => Promise<T>): Promise<T> {
  let handle: Deno.FsFile | undefined;
  for (let attempt = 1; attempt <= LOCK_ATTEMPTS && handle === undefined; attempt++) {
    try {
      handle = await Deno.open(layout.lock, { createNew: true, write: true });
    } catch (error) {
      if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
      if (attempt < LOCK_ATTEMPTS) await sleep(LOCK_RETRY_MS);
    }
  }
  if (handle === undefined) {
    throw new UserError(
      "Could not acquire lock on upstream_extensions.json. Another operation may be in progress. Please retry.",
    );
  }
  try {
    return await body();
  } finally {
    handle.close();
    try {
      await Deno.remove(layout.lock);
    } catch {
      // Released by someone else: nothing to do.
    }
  }
}

function withLockSync<T>(layout: Layout, body: () => T): T {
  const cell = new Int32Array(new SharedArrayBuffer(4));
  let handle: Deno.FsFile | undefined;
  for (let attempt = 1; attempt <= LOCK_ATTEMPTS && handle === undefined; attempt++) {
    try {
      handle = Deno.openSync(layout.lock, { createNew: true, write: true });
    } catch (error) {
      if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
      if (attempt < LOCK_ATTEMPTS) Atomics.wait(cell, 0, 0, LOCK_RETRY_MS);
    }
  }
  if (handle === undefined) {
    throw new UserError(
      "Could not acquire lock on upstream_extensions.json. Another operation may be in progress. Please retry.",
    );
  }
  try {
    return body();
  } finally {
    handle.close();
    try {
      Deno.removeSync(layout.lock);
    } catch {
      // Released by someone else: nothing to do.
    }
  }
}

async function readEntries(layout: Layout): Promise<Entries> {
  try {
    return JSON.parse(await Deno.readTextFile(layout.lockfile)) as Entries;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return {};
    throw error;
  }
}

async function updateLockfile(layout: Layout, update: (entries: Entries) => void): Promise<void> {
  await Deno.mkdir(dirname(layout.lockfile), { recursive: true });
  await withLock(layout, async () => {
    const entries = await readEntries(layout);
    update(entries);
    const tmp = `${dirname(layout.lockfile)}/.${crypto.randomUUID()}.tmp`;
    await Deno.writeTextFile(tmp, `${JSON.stringify(entries, null, 2)}\n`);
    await Deno.rename(tmp, layout.lockfile);
  });
}

function updateLockfileSync(layout: Layout, update: (entries: Entries) => void): void {
  Deno.mkdirSync(dirname(layout.lockfile), { recursive: true });
  withLockSync(layout, () => {
    let entries: Entries = {};
    try {
      entries = JSON.parse(Deno.readTextFileSync(layout.lockfile)) as Entries;
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
    update(entries);
    const tmp = `${dirname(layout.lockfile)}/.${crypto.randomUUID()}.tmp`;
    Deno.writeTextFileSync(tmp, `${JSON.stringify(entries, null, 2)}\n`);
    Deno.renameSync(tmp, layout.lockfile);
  });
}

function openCatalog(layout: Layout): DatabaseSync {
  Deno.mkdirSync(dirname(layout.catalog), { recursive: true });
  const db = new DatabaseSync(layout.catalog);
  db.exec("PRAGMA busy_timeout=5000");
  const mode = db.prepare("PRAGMA journal_mode").get() as { journal_mode: string };
  if (mode.journal_mode !== "wal") db.exec("PRAGMA journal_mode=WAL");
  db.exec(
    "CREATE TABLE IF NOT EXISTS bundle_types (source_path TEXT PRIMARY KEY NOT NULL, " +
      "extension_name TEXT NOT NULL, extension_version TEXT NOT NULL)",
  );
  return db;
}

function inTransaction(db: DatabaseSync, prepared: boolean, body: () => void): void {
  const run = (sql: string) => prepared ? db.prepare(sql).run() : db.exec(sql);
  run("BEGIN");
  try {
    body();
    run("COMMIT");
  } catch (error) {
    try {
      run("ROLLBACK");
    } catch {
      // No transaction left to roll back.
    }
    throw error;
  }
}

function extractedPaths(name: string): string[] {
  return [`${name}/manifest.yaml`, `${name}/models/main.ts`];
}

async function pull(repo: string, name: string, version: string): Promise<unknown> {
  const layout = layoutOf(repo);
  const files = extractedPaths(name);
  for (const rel of files) {
    const path = `${layout.pulled}/${rel}`;
    await Deno.mkdir(dirname(path), { recursive: true });
    await Deno.writeTextFile(path, `// ${name}@${version}: ${rel}\n`);
  }
  await updateLockfile(layout, (entries) => {
    entries[name] = { version, files: files.map((f) => `.swamp/pulled-extensions/${f}`) };
  });
  const db = openCatalog(layout);
  try {
    inTransaction(db, false, () => {
      const insert = db.prepare(
        "INSERT INTO bundle_types (source_path, extension_name, extension_version) VALUES (?, ?, ?) " +
          "ON CONFLICT(source_path) DO UPDATE SET extension_version = excluded.extension_version",
      );
      insert.run(`${layout.pulled}/${name}/models/main.ts`, name, version);
    });
  } catch (error) {
    throw new UserError(
      `Install partially applied for ${name} — files extracted but the catalog write failed (${
        (error as Error).message
      })`,
    );
  } finally {
    db.close();
  }
  return { name, version, extractedFiles: files };
}

function pullSync(repo: string, name: string, version: string): unknown {
  const layout = layoutOf(repo);
  const files = extractedPaths(name);
  for (const rel of files) {
    const path = `${layout.pulled}/${rel}`;
    Deno.mkdirSync(dirname(path), { recursive: true });
    Deno.writeFileSync(path, new TextEncoder().encode(`// ${name}@${version}: ${rel}\n`));
  }
  updateLockfileSync(layout, (entries) => {
    entries[name] = { version, files: files.map((f) => `.swamp/pulled-extensions/${f}`) };
  });
  const db = openCatalog(layout);
  try {
    inTransaction(db, true, () => {
      db.prepare(
        "INSERT INTO bundle_types (source_path, extension_name, extension_version) VALUES (?, ?, ?)",
      ).run(`${layout.pulled}/${name}/models/main.ts`, name, version);
    });
  } finally {
    db.close();
  }
  return { name, version, extractedFiles: files };
}

async function rm(repo: string, name: string): Promise<unknown> {
  const layout = layoutOf(repo);
  const entry = (await readEntries(layout))[name];
  if (entry === undefined) throw new UserError(`Extension ${name} is not installed.`);
  const db = openCatalog(layout);
  try {
    inTransaction(db, false, () => {
      db.prepare("DELETE FROM bundle_types WHERE extension_name = ?").run(name);
    });
  } catch (error) {
    throw new UserError(
      `Remove failed for ${name} during catalog write (${(error as Error).message})`,
    );
  } finally {
    db.close();
  }
  await updateLockfile(layout, (entries) => {
    delete entries[name];
  });
  let filesDeleted = 0;
  for (const rel of entry.files) {
    await Deno.remove(`${repo}/${rel}`);
    filesDeleted++;
  }
  return { removed: { name, version: entry.version, filesDeleted } };
}

async function main(args: string[]): Promise<unknown> {
  const [repo, command, ...rest] = args;
  switch (command) {
    case "pull":
      return await pull(repo, rest[0], rest[1]);
    case "pull-sync":
      return pullSync(repo, rest[0], rest[1]);
    case "rm":
      return await rm(repo, rest[0]);
    case "fetch": {
      const response = await fetch(`${Deno.env.get("SWAMP_CLUB_URL")}${rest[0]}`);
      const body = await response.text();
      return { status: response.status, body };
    }
    case "noop":
      return {};
    default:
      throw new UserError(`Unknown command "${command}"`);
  }
}

try {
  console.log(JSON.stringify(await main(Deno.args)));
} catch (error) {
  console.error(`Error: ${(error as Error).message}`);
  Deno.exit(1);
}
