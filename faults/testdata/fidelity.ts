/**
 * Prints, as one JSON document, what a program can observe of the runtime
 * calls the preload shim patches: each function's name, length and property
 * attributes, and the values and errors of calls that match no point. Run
 * with and without the shim, the outputs must be equal.
 *
 * Usage: `deno run -A fidelity.ts <scratchDir>`
 *
 * @module
 */

import { DatabaseSync } from "node:sqlite";

const dir = Deno.args[0];
const report: Record<string, unknown> = {};

function describe(owner: object, key: string): unknown {
  const d = Object.getOwnPropertyDescriptor(owner, key);
  const f = d?.value as { name: string; length: number } | undefined;
  return { name: f?.name, length: f?.length, w: d?.writable, e: d?.enumerable, c: d?.configurable };
}

function errorShape(error: unknown): unknown {
  const e = error as Error & Record<string, unknown>;
  return { class: e.constructor.name, message: e.message, keys: Object.keys(e), code: e.code };
}

async function outcome(f: () => unknown): Promise<unknown> {
  try {
    const value = await f();
    return { value: value instanceof Deno.FsFile ? "FsFile" : value ?? null };
  } catch (error) {
    return { error: errorShape(error) };
  }
}

const keys = [
  "open",
  "openSync",
  "create",
  "createSync",
  "writeFile",
  "writeFileSync",
  "writeTextFile",
  "writeTextFileSync",
  "copyFile",
  "copyFileSync",
  "rename",
  "renameSync",
  "remove",
  "removeSync",
  "exit",
];
for (const key of keys) report[`Deno.${key}`] = describe(Deno, key);
report.fetch = describe(globalThis, "fetch");
const dbProto = Object.getPrototypeOf(DatabaseSync.prototype);
for (const key of ["exec", "prepare"]) report[`DatabaseSync.${key}`] = describe(dbProto, key);

const db = new DatabaseSync(`${dir}/_extension_catalog.db`);
const begin = db.prepare("BEGIN");
report.statementOwnKeys = Object.keys(begin);
report.statementRun = describe(Object.getPrototypeOf(begin), "run");
report.beginRun = await outcome(() => begin.run());
report.commit = await outcome(() => db.exec("COMMIT"));
report.commitAgain = await outcome(() => db.exec("COMMIT"));
db.close();

const lock = `${dir}/upstream_extensions.json.lock`;
report.lockCreate = await outcome(async () =>
  (await Deno.open(lock, { createNew: true, write: true })).close()
);
report.lockHeld = await outcome(() => Deno.open(lock, { createNew: true, write: true }));
report.lockHeldSync = await outcome(() => Deno.openSync(lock, { createNew: true, write: true }));
report.release = await outcome(() => Deno.remove(lock));
report.releaseAgain = await outcome(() => Deno.removeSync(lock));
report.renameMissing = await outcome(() =>
  Deno.rename(`${dir}/nope`, `${dir}/upstream_extensions.json`)
);
report.writeMissingDir = await outcome(() =>
  Deno.writeTextFile(`${dir}/.swamp/pulled-extensions/missing/x`, "x")
);
report.writeReturn = await outcome(() =>
  Deno.writeTextFileSync(`${dir}/upstream_extensions.json`, "{}")
);
report.isPromise = Deno.remove(`${dir}/upstream_extensions.json`) instanceof Promise;
console.log(JSON.stringify(report, null, 1));
