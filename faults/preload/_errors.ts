/**
 * Errors the preload shim throws, built exactly as the runtime builds its own
 * (probed on Deno 2.9.6): same class, same own properties in the same order,
 * same message format. A target that tells errors apart by class, `code`,
 * `errcode` or message cannot tell an injected error from a real one.
 *
 * @module
 */

/** The OS error codes the shim raises from filesystem calls (`EEXIST` is `contend`'s). */
export type FsErrno = "EIO" | "ENOSPC" | "EACCES" | "EEXIST";

/**
 * The operation word Deno puts in a filesystem error message, e.g. `open`
 * in `File exists (os error 17): open '<path>'`.
 */
export type FsOpWord = "open" | "writefile" | "remove" | "rename" | "copy";

interface ErrnoShape {
  /** `strerror` text as Rust's `io::Error` prints it. */
  text: string;
  errno: number;
  /** The `Deno.errors` class Deno maps the code to, if any. */
  errorClass?: "PermissionDenied" | "AlreadyExists";
}

const ERRNO: Readonly<Record<FsErrno, ErrnoShape>> = {
  EIO: { text: "Input/output error", errno: 5 },
  ENOSPC: { text: "No space left on device", errno: 28 },
  EACCES: { text: "Permission denied", errno: 13, errorClass: "PermissionDenied" },
  EEXIST: { text: "File exists", errno: 17, errorClass: "AlreadyExists" },
};

/**
 * A Deno filesystem error for `code` raised by operation `op` on `paths`
 * (one path, or source and destination for rename and copy), e.g.
 * `PermissionDenied: Permission denied (os error 13): open '/r/x'` with
 * `code` `"EACCES"`.
 */
export function fsError(code: FsErrno, op: FsOpWord, paths: readonly string[]): Error {
  const shape = ERRNO[code];
  const where = paths.map((p) => `'${p}'`).join(" -> ");
  const message = `${shape.text} (os error ${shape.errno}): ${op} ${where}`;
  const error = shape.errorClass === undefined
    ? new Error(message)
    : new Deno.errors[shape.errorClass](message);
  Object.defineProperty(error, "code", {
    value: code,
    writable: true,
    enumerable: true,
    configurable: true,
  });
  return error;
}

/** The SQLite conditions the shim raises from catalog statements. */
export type SqliteCondition = "SQLITE_BUSY" | "EIO";

const SQLITE: Readonly<Record<SqliteCondition, { errcode: number; errstr: string }>> = {
  SQLITE_BUSY: { errcode: 5, errstr: "database is locked" },
  EIO: { errcode: 10, errstr: "disk I/O error" },
};

/**
 * A `node:sqlite` error. `DatabaseSync#exec` throws an `Error` carrying only
 * `code: "ERR_SQLITE_ERROR"`; a prepared statement's `run`/`all`/`get` add
 * `errcode` and `errstr` (in that property order: errcode, code, errstr).
 */
export function sqliteError(condition: SqliteCondition, via: "exec" | "statement"): Error {
  const { errcode, errstr } = SQLITE[condition];
  const error = new Error(errstr);
  const define = (key: string, value: unknown) =>
    Object.defineProperty(error, key, {
      value,
      writable: true,
      enumerable: true,
      configurable: true,
    });
  if (via === "statement") define("errcode", errcode);
  define("code", "ERR_SQLITE_ERROR");
  if (via === "statement") define("errstr", errstr);
  return error;
}

/**
 * The `TypeError` Deno's `fetch` rejects with when the connection is
 * refused: message `fetch failed`, with the transport error as `cause`.
 */
export function connectionRefusedError(url: string): TypeError {
  let href = url;
  try {
    href = new URL(url).href;
  } catch {
    // An unparsable URL never reaches the network; keep it as given.
  }
  const cause = new Error(
    `error sending request for url (${href}): client error (Connect): tcp connect error: ` +
      "Connection refused (os error 111)",
  );
  return new TypeError("fetch failed", { cause });
}
