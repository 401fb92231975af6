/**
 * Headless Chromium for the report tests: load a local page, let its
 * scripts run, and return the DOM as serialised HTML (`--dump-dom`). The
 * flags keep Chromium off the network (this machine's network is closed)
 * and in a throwaway profile.
 *
 * @module
 */

/** Where Debian's `chromium` package puts the browser (`.ci/ensure_tools.ts` installs it). */
export const CHROMIUM_PATH = "/usr/bin/chromium";

/** Longest a page load may take. */
const DUMP_TIMEOUT_MS = 60_000;

/** The browser window a page is laid out in. */
export interface WindowSize {
  widthPx: number;
  heightPx: number;
}

/** The window pages are laid out in unless a test picks one. */
export const DEFAULT_WINDOW: Readonly<WindowSize> = { widthPx: 1280, heightPx: 900 };

/** The DOM of the local file at `path` after its scripts ran, laid out in a window of `size`. */
export async function dumpDom(
  path: string,
  size: Readonly<WindowSize> = DEFAULT_WINDOW,
): Promise<string> {
  const profile = await Deno.makeTempDir({ prefix: "swamp-sim-chromium-" });
  try {
    const command = new Deno.Command(CHROMIUM_PATH, {
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        `--user-data-dir=${profile}`,
        `--window-size=${size.widthPx},${size.heightPx}`,
        "--virtual-time-budget=5000",
        "--dump-dom",
        `file://${path}`,
      ],
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(DUMP_TIMEOUT_MS),
    });
    const output = await command.output();
    const dom = new TextDecoder().decode(output.stdout);
    if (!output.success || dom === "") {
      throw new Error(
        `Chromium could not render "${path}" (exit ${output.code}): ${
          new TextDecoder().decode(output.stderr).slice(-800)
        }`,
      );
    }
    return dom;
  } finally {
    await Deno.remove(profile, { recursive: true });
  }
}
