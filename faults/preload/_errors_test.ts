import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { connectionRefusedError, fsError, sqliteError } from "./_errors.ts";

/** What a program can observe of an error without its stack. */
function shape(error: unknown): Record<string, unknown> {
  assert.ok(error instanceof Error);
  const own: Record<string, unknown> = {};
  for (const key of Object.getOwnPropertyNames(error)) {
    if (key === "stack") continue;
    const value = (error as unknown as Record<string, unknown>)[key];
    own[key] = value instanceof Error ? shape(value) : value;
  }
  return {
    class: error.constructor.name,
    name: error.name,
    keys: Object.keys(error),
    names: Object.getOwnPropertyNames(error),
    own,
    protoIsClass: Object.getPrototypeOf(error) === error.constructor.prototype,
  };
}

function caught(f: () => unknown): unknown {
  try {
    f();
  } catch (error) {
    return error;
  }
  assert.fail("expected a throw");
}

Deno.test("fsError() builds EEXIST exactly as Deno.open with createNew does", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/x.lock`;
    await Deno.writeTextFile(path, "");
    const real = caught(() => Deno.openSync(path, { createNew: true, write: true }));
    assert.deepEqual(shape(fsError("EEXIST", "open", [path])), shape(real));
    assert.ok(fsError("EEXIST", "open", [path]) instanceof Deno.errors.AlreadyExists);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("fsError() builds EIO exactly as a failing Deno.writeFile does", () => {
  const real = caught(() => Deno.writeFileSync("/proc/version", new Uint8Array(1)));
  assert.equal((real as { code?: string }).code, "EIO");
  assert.deepEqual(shape(fsError("EIO", "writefile", ["/proc/version"])), shape(real));
});

Deno.test("fsError() builds ENOSPC exactly as a full device does", () => {
  const real = caught(() => Deno.writeFileSync("/dev/full", new Uint8Array(1)));
  assert.equal((real as { code?: string }).code, "ENOSPC");
  assert.deepEqual(shape(fsError("ENOSPC", "writefile", ["/dev/full"])), shape(real));
});

Deno.test("fsError() builds EACCES as Deno's PermissionDenied with the probed message", () => {
  const error = fsError("EACCES", "rename", ["/r/.a.tmp", "/r/upstream_extensions.json"]);
  assert.ok(error instanceof Deno.errors.PermissionDenied);
  assert.deepEqual(shape(error), {
    class: "PermissionDenied",
    name: "PermissionDenied",
    keys: ["name", "code"],
    names: ["stack", "message", "name", "code"],
    own: {
      message:
        "Permission denied (os error 13): rename '/r/.a.tmp' -> '/r/upstream_extensions.json'",
      name: "PermissionDenied",
      code: "EACCES",
    },
    protoIsClass: true,
  });
});

Deno.test("sqliteError() matches node:sqlite's busy error from exec and from a statement", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const a = new DatabaseSync(`${dir}/c.db`);
    const b = new DatabaseSync(`${dir}/c.db`);
    a.exec("PRAGMA journal_mode=WAL; PRAGMA busy_timeout=0; CREATE TABLE t(x)");
    b.exec("PRAGMA busy_timeout=0");
    a.exec("BEGIN IMMEDIATE");
    const viaExec = caught(() => b.exec("BEGIN IMMEDIATE"));
    const viaStatement = caught(() => b.prepare("BEGIN IMMEDIATE").run());
    a.exec("COMMIT");
    a.close();
    b.close();
    assert.deepEqual(shape(sqliteError("SQLITE_BUSY", "exec")), shape(viaExec));
    assert.deepEqual(shape(sqliteError("SQLITE_BUSY", "statement")), shape(viaStatement));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("sqliteError() gives EIO the disk I/O error code and text", () => {
  const error = sqliteError("EIO", "statement") as Error & Record<string, unknown>;
  assert.equal(error.message, "disk I/O error");
  assert.equal(error.errcode, 10);
  assert.equal(error.errstr, "disk I/O error");
  assert.equal(error.code, "ERR_SQLITE_ERROR");
});

Deno.test("connectionRefusedError() matches fetch's error for a refused connection", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  const url = `http://127.0.0.1:${port}/api/v1/extensions/x`;
  let real: unknown;
  try {
    await fetch(url);
  } catch (error) {
    real = error;
  }
  assert.deepEqual(shape(connectionRefusedError(url)), shape(real));
});
