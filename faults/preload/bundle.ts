/**
 * The preload shim as one generated JavaScript file, `shim.bundle.js`, which
 * is what targets load. Loading the thirteen source modules one by one cost a
 * reference op about 4 ms more than the single bundle (probed), which is most
 * of the shim's budget. `bundle_test.ts` checks that the checked-in bundle is
 * the one the sources produce; after editing the shim, regenerate it with
 *
 * ```sh
 * deno run -A faults/preload/bundle.ts
 * ```
 *
 * @module
 */

/** Absolute path of the shim's entry source. */
export const SHIM_SOURCE_PATH: string = decodeURIComponent(
  new URL("./shim.ts", import.meta.url).pathname,
);

/** Absolute path of the generated bundle that targets preload. */
export const SHIM_BUNDLE_PATH: string = decodeURIComponent(
  new URL("./shim.bundle.js", import.meta.url).pathname,
);

const HEADER = [
  "// deno-fmt-ignore-file",
  "// deno-lint-ignore-file",
  "// Generated from faults/preload/shim.ts by `deno run -A faults/preload/bundle.ts`: do not edit.",
  "",
].join("\n");

/** A bundler comment naming a source file by a path relative to the output: dropped. */
const SOURCE_COMMENT = /^\/\/ \S+\.ts\n/gm;

/** Bundles the shim's sources into the text of `shim.bundle.js` (independent of where it is written). */
export async function bundleShim(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "shim_bundle_" });
  try {
    const out = `${dir}/shim.bundle.js`;
    const result = await new Deno.Command(Deno.execPath(), {
      args: [
        "bundle",
        "--quiet",
        "--minify",
        "--platform",
        "deno",
        "--output",
        out,
        SHIM_SOURCE_PATH,
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!result.success) {
      throw new Error(`Cannot bundle the shim: ${new TextDecoder().decode(result.stderr)}`);
    }
    const text = await Deno.readTextFile(out);
    return HEADER + text.replace(SOURCE_COMMENT, "");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

if (import.meta.main) {
  await Deno.writeTextFile(SHIM_BUNDLE_PATH, await bundleShim());
  console.log(`Wrote ${SHIM_BUNDLE_PATH}`);
}
