/**
 * Caching the reference target and the preload shim once per simulator
 * process, before anything is spawned, so concurrent first starts of
 * targets do not race to download their dependencies.
 *
 * @module
 */

import { HarnessError } from "./runner.ts";
import { PRELOAD_SHIM, PROJECT_CONFIG, REFERENCE_ENTRY } from "./target.ts";

let precached = false;

async function denoOutput(args: string[]): Promise<string> {
  const out = await new Deno.Command(Deno.execPath(), { args, stdout: "piped", stderr: "piped" })
    .output();
  if (!out.success) {
    throw new HarnessError(
      `\`deno ${args.join(" ")}\` failed: ${
        new TextDecoder().decode(out.stderr).trim().slice(0, 400)
      }`,
    );
  }
  return new TextDecoder().decode(out.stdout);
}

/** Caches the reference target and the shim once, so concurrent first starts do not race to download. */
export async function precache(): Promise<void> {
  if (precached) return;
  await denoOutput(["cache", "--config", PROJECT_CONFIG, REFERENCE_ENTRY, PRELOAD_SHIM]);
  precached = true;
}
