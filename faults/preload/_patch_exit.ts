/**
 * The `process.exit` point: `Deno.exit` and the natural end of the program
 * (the `unload` event, which `Deno.exit` also dispatches). Either way the
 * point is hit once. An uncaught error ends the process without `unload`
 * and is no hit.
 *
 * @module
 */

import type { ShimRuntime } from "./_runtime.ts";
import { type Method, replaceMethod } from "./_wrap.ts";

/** Installs the exit patch on `Deno` and the `unload` listener. */
export function patchExit(runtime: ShimRuntime): void {
  let exiting = false;
  const exitPoint = () => {
    if (exiting) return;
    exiting = true;
    runtime.processPointSync("process.exit");
  };
  replaceMethod(
    Deno,
    "exit",
    (original: Method): Method =>
      function (this: unknown, ...args: unknown[]): unknown {
        exitPoint();
        return original.apply(this, args);
      },
  );
  globalThis.addEventListener("unload", exitPoint);
}
