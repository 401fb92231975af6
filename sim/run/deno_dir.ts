/**
 * The DENO_DIR of the running Deno: handed to every Deno target (which gets
 * its own HOME) so npm packages resolve from the same cache. One lookup per
 * process, memoised.
 *
 * @module
 */

let cached: string | undefined;

/** `$DENO_DIR` when set, else the `denoDir` that `deno info --json` reports. */
export async function denoDir(): Promise<string> {
  if (cached !== undefined) return cached;
  const fromEnv = Deno.env.get("DENO_DIR");
  if (fromEnv !== undefined && fromEnv !== "") return (cached = fromEnv);
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json"],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const info = out.success
    ? JSON.parse(new TextDecoder().decode(out.stdout)) as { denoDir?: unknown }
    : {};
  if (typeof info.denoDir !== "string") {
    throw new Error(
      `Cannot find the Deno cache dir: \`deno info --json\` ${
        out.success
          ? "named no denoDir"
          : `failed: ${new TextDecoder().decode(out.stderr).trim().slice(0, 400)}`
      }`,
    );
  }
  return (cached = info.denoDir);
}
