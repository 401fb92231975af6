/**
 * Patches the `Deno.*` filesystem calls that make the lock, lockfile and
 * pulled-extensions points. A call that matches no point goes straight to
 * the original (same `this`, same arguments, same return value).
 *
 * @module
 */

import type { PointPatterns } from "../rule.ts";
import type { Point } from "../vocabulary.ts";
import { copyPoint, openPoint, pathOf, removePoint, renamePoint, writePoint } from "./_classify.ts";
import { type FsErrno, fsError, type FsOpWord } from "./_errors.ts";
import type { ErrorFactory, RaisedError, ShimRuntime } from "./_runtime.ts";
import { type Method, replaceMethod } from "./_wrap.ts";

/** A call recognised as a point, with the error the runtime would raise for it. */
interface FsHit {
  point: Point;
  target: string;
  errorFor: ErrorFactory;
}

type Classifier = (args: unknown[]) => FsHit | undefined;

const FS_ERRNOS: readonly RaisedError[] = ["EIO", "ENOSPC", "EACCES", "EEXIST"];

/** The path as Deno prints it in an error: the string given, or the URL's path. */
function shownPath(value: unknown): string {
  return value instanceof URL ? decodeURIComponent(value.pathname) : String(value);
}

function errorsFor(op: FsOpWord, shown: readonly string[]): ErrorFactory {
  return (code) => {
    if (!FS_ERRNOS.includes(code)) {
      throw new Error(`Cannot raise "${code}" from a filesystem call: not a filesystem error`);
    }
    return fsError(code as FsErrno, op, shown);
  };
}

/** Installs the filesystem patches on `Deno`. */
export function patchFs(runtime: ShimRuntime, patterns: PointPatterns): void {
  const cwd = () => {
    try {
      return Deno.cwd();
    } catch {
      return undefined; // no read permission for the cwd: match the path as given
    }
  };

  const oneTarget = (
    op: FsOpWord,
    match: (path: string, args: unknown[]) => Point | undefined,
  ): Classifier =>
  (args) => {
    const path = pathOf(args[0], cwd);
    if (path === undefined) return undefined;
    const point = match(path, args);
    if (point === undefined) return undefined;
    return { point, target: path, errorFor: errorsFor(op, [shownPath(args[0])]) };
  };

  const twoTargets =
    (op: FsOpWord, match: (to: string) => Point | undefined): Classifier => (args) => {
      const to = pathOf(args[1], cwd);
      if (to === undefined) return undefined;
      const point = match(to);
      if (point === undefined) return undefined;
      return {
        point,
        target: to,
        errorFor: errorsFor(op, [shownPath(args[0]), shownPath(args[1])]),
      };
    };

  const open = oneTarget("open", (path, args) => openPoint(path, args[1], patterns));
  const create = oneTarget("open", (path) => writePoint(path, patterns));
  const write = oneTarget("writefile", (path) => writePoint(path, patterns));
  const remove = oneTarget("remove", (path) => removePoint(path, patterns));
  const copy = twoTargets("copy", (to) => copyPoint(to, patterns));
  const rename = twoTargets("rename", (to) => renamePoint(to, patterns));

  const pairs: ReadonlyArray<[string, string, Classifier]> = [
    ["open", "openSync", open],
    ["create", "createSync", create],
    ["writeFile", "writeFileSync", write],
    ["writeTextFile", "writeTextFileSync", write],
    ["copyFile", "copyFileSync", copy],
    ["rename", "renameSync", rename],
    ["remove", "removeSync", remove],
  ];
  for (const [asyncKey, syncKey, classify] of pairs) {
    replaceMethod(
      Deno,
      asyncKey,
      (original: Method): Method =>
        function (this: unknown, ...args: unknown[]): unknown {
          const hit = classify(args);
          if (hit === undefined) return original.apply(this, args);
          const step = () => original.apply(this, args) as Promise<unknown>;
          return runtime.runAsync(hit.point, hit.target, step, hit.errorFor);
        },
    );
    replaceMethod(
      Deno,
      syncKey,
      (original: Method): Method =>
        function (this: unknown, ...args: unknown[]): unknown {
          const hit = classify(args);
          if (hit === undefined) return original.apply(this, args);
          const step = () => original.apply(this, args);
          return runtime.runSync(hit.point, hit.target, step, hit.errorFor);
        },
    );
  }
}
