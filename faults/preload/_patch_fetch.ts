/**
 * Patches the global `fetch` so that requests to the registry (by the URL in
 * the registry environment variable, read at call time, or on its origin)
 * are `registry.fetch` points. Other requests go straight to the original.
 *
 * @module
 */

import type { PointPatterns } from "../rule.ts";
import { isRegistryUrl, urlOf } from "./_classify.ts";
import { connectionRefusedError } from "./_errors.ts";
import type { ErrorFactory, ShimRuntime } from "./_runtime.ts";
import { type Method, replaceMethod } from "./_wrap.ts";

/** Drops the body of a response the shim replaces with an error, so no resource leaks. */
async function discardBody(response: unknown): Promise<void> {
  if (!(response instanceof Response) || response.body === null) return;
  try {
    await response.body.cancel();
  } catch {
    // Already consumed or errored: nothing left to release.
  }
}

/** Installs the `fetch` patch on `globalThis`. */
export function patchFetch(runtime: ShimRuntime, patterns: PointPatterns): void {
  const variable = patterns.registryUrlEnv;
  let readable: boolean | undefined; // asked at the first fetch: most ops never fetch
  const registryUrl = () => {
    readable ??= Deno.permissions.querySync({ name: "env", variable }).state === "granted";
    return readable ? Deno.env.get(variable) : undefined;
  };

  replaceMethod(
    globalThis,
    "fetch",
    (original: Method): Method =>
      function (this: unknown, ...args: unknown[]): unknown {
        const url = urlOf(args[0]);
        if (url === undefined || !isRegistryUrl(url, registryUrl())) {
          return original.apply(this, args);
        }
        const errorFor: ErrorFactory = (code) => {
          if (code !== "ECONNREFUSED") {
            throw new Error(`Cannot raise "${code}" from fetch: not a network error`);
          }
          return connectionRefusedError(url);
        };
        const step = () => original.apply(this, args) as Promise<unknown>;
        return runtime.runAsync("registry.fetch", url, step, errorFor, discardBody);
      },
  );
}
