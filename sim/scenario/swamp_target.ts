/**
 * A swamp checkout as a target: what `target: {kind: swamp, checkout}` and
 * `--swamp <checkout>` derive from one dir. swamp runs from source as
 * `deno run --config <checkout>/deno.json <checkout>/main.ts`, with
 * `--unstable-bundle` (it bundles each pulled model with `Deno.bundle`'s
 * unstable API), `--allow-run` (it spawns `deno bundle` itself) and read
 * access to the checkout (it reads its own files at run time). The rest of
 * the permissions (the workspace, the loopback registry, env, sys) and the
 * environment are the simulator's, as for every Deno target
 * (`run/target.ts`). Pure.
 *
 * @module
 */

import type { ResolvedTarget } from "./resolve.ts";

/** The entry module of a swamp checkout, relative to it. */
export const SWAMP_ENTRY = "main.ts";
/** The deno.json of a swamp checkout (its import map), relative to it. */
export const SWAMP_CONFIG = "deno.json";

/** The entry, config and Deno flags of the swamp checkout at the absolute dir `checkout`. */
export function swampTargetFields(
  checkout: string,
): { entry: string; config: string; denoFlags: string[] } {
  if (!checkout.startsWith("/")) {
    throw new Error(`swampTargetFields() needs an absolute checkout dir, got "${checkout}"`);
  }
  const dir = checkout.replace(/(.)\/+$/, "$1");
  const base = dir === "/" ? "" : dir;
  return {
    entry: `${base}/${SWAMP_ENTRY}`,
    config: `${base}/${SWAMP_CONFIG}`,
    denoFlags: ["--unstable-bundle", "--allow-run", `--allow-read=${dir}`],
  };
}

/**
 * `target` with its kind replaced by the swamp checkout at the absolute dir
 * `checkout` (what `--swamp` does): the kind's own fields (mutant, entry,
 * config, flags, argv) are dropped; the shim backend, environment and point
 * patterns stay, because the scenario's faults were checked against them.
 */
export function withSwampTarget(target: ResolvedTarget, checkout: string): ResolvedTarget {
  const fields = swampTargetFields(checkout);
  return {
    kind: "swamp",
    checkout: fields.entry.slice(0, -SWAMP_ENTRY.length - 1) || "/",
    ...fields,
    env: target.env,
    backend: target.backend,
    patterns: target.patterns,
  };
}
