/**
 * A stand-in swamp checkout for tests that need a checkout but not swamp: a
 * git repo whose `main.ts` runs the embedded reference (with a mutant when
 * asked, standing for a swamp that behaves differently) and whose
 * `--version` line shows the environment and permissions it got.
 *
 * @module
 */

import assert from "node:assert/strict";

const ROOT = new URL("../", import.meta.url).pathname;

/** Runs git in `dir` with a fixed identity; returns its trimmed stdout. */
export async function git(dir: string, ...args: string[]): Promise<string> {
  const out = await new Deno.Command("git", {
    args: ["-C", dir, "-c", "user.name=t", "-c", "user.email=t@t", ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.ok(out.success, new TextDecoder().decode(out.stderr));
  return new TextDecoder().decode(out.stdout).trim();
}

/** Makes the stand-in checkout at `dir` and commits it; returns the commit. */
export async function standInCheckout(dir: string, mutant?: string): Promise<string> {
  await Deno.mkdir(dir, { recursive: true });
  await Deno.writeTextFile(
    `${dir}/main.ts`,
    `import { main } from ${JSON.stringify(`${ROOT}reference/main.ts`)};
import { MUTANT_ENV } from ${JSON.stringify(`${ROOT}reference/mutants.ts`)};
if (Deno.args[0] === "--version") {
  const read = (await Deno.permissions.query({ name: "read", path: import.meta.dirname! })).state;
  const run = (await Deno.permissions.query({ name: "run" })).state;
  console.log(\`swamp stand-in cert=\${Deno.env.get("DENO_CERT") ?? "-"} read=\${read} run=\${run}\`);
  Deno.exit(0);
}
${
      mutant === undefined
        ? ""
        : `Deno.env.set(MUTANT_ENV, ${JSON.stringify(mutant)});\n`
    }Deno.exit(await main(Deno.args));
`,
  );
  const project = JSON.parse(await Deno.readTextFile(`${ROOT}deno.json`));
  await Deno.writeTextFile(`${dir}/deno.json`, JSON.stringify({ imports: project.imports }));
  await git(dir, "init", "-q");
  await git(dir, "add", ".");
  await git(dir, "commit", "-q", "-m", "stand-in");
  return await git(dir, "rev-parse", "HEAD");
}

/** Runs `body` with a fresh temp dir (real path), removed afterwards. */
export async function withTemp(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "swamp-stand-in-test-" }));
  try {
    await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
