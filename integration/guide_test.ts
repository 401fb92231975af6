/**
 * `docs/guide.md` works as written: every command in it runs from the
 * project root (a copy, since the guide writes a scenario and commits it)
 * with a private TMPDIR and ends with the exit code the guide gives, every
 * replay line it pastes was printed by an earlier command, and every output
 * it shows is the real output (numbers aside). No timing is asserted.
 *
 * @module
 */

import assert from "node:assert/strict";
import { type GuideBlock, parseGuide, runGuide } from "./_guide.ts";

const ROOT = new URL("..", import.meta.url).pathname.replace(/\/$/, "");

/** Folders of a checkout that are not the project (VCS data, caches, local runs). */
const NOT_COPIED = new Set([".git", "node_modules", ".swamp-sim"]);

async function copyTree(from: string, to: string): Promise<void> {
  await Deno.mkdir(to, { recursive: true });
  for await (const entry of Deno.readDir(from)) {
    if (NOT_COPIED.has(entry.name)) continue;
    if (entry.isDirectory) await copyTree(`${from}/${entry.name}`, `${to}/${entry.name}`);
    else if (entry.isFile) await Deno.copyFile(`${from}/${entry.name}`, `${to}/${entry.name}`);
  }
}

const GIT_IDENTITY = {
  GIT_AUTHOR_NAME: "Guide Reader",
  GIT_AUTHOR_EMAIL: "reader@example.com",
  GIT_COMMITTER_NAME: "Guide Reader",
  GIT_COMMITTER_EMAIL: "reader@example.com",
};

async function git(root: string, ...args: string[]): Promise<void> {
  const out = await new Deno.Command("git", {
    args,
    cwd: root,
    env: GIT_IDENTITY,
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) {
    throw new Error(`git ${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
  }
}

async function withTempDirs(
  body: (dirs: { root: string; tmpDir: string }) => Promise<void>,
): Promise<void> {
  const base = await Deno.makeTempDir({ prefix: "swamp-sim-guide-test-" });
  try {
    const dirs = { root: `${base}/project`, tmpDir: `${base}/tmp` };
    await Deno.mkdir(dirs.root);
    await Deno.mkdir(dirs.tmpDir);
    await body(dirs);
  } finally {
    await Deno.remove(base, { recursive: true });
  }
}

Deno.test("docs/guide.md runs as written: every command, its exit code, its pasted replay lines and its output", async () => {
  const blocks = parseGuide(await Deno.readTextFile(`${ROOT}/docs/guide.md`));
  const commands = blocks.flatMap((b) => b.kind === "commands" ? b.commands : []);
  assert.ok(commands.length >= 8, `only ${commands.length} command(s) found in the guide`);
  assert.ok(commands.some((c) => c.printedAbove), "the guide pastes a printed replay line");
  assert.ok(blocks.some((b) => b.kind === "file"), "the guide writes a scenario");
  assert.ok(blocks.some((b) => b.kind === "output"), "the guide shows real output");
  await withTempDirs(async ({ root, tmpDir }) => {
    await copyTree(ROOT, root);
    await git(root, "init", "-q");
    await git(root, "add", "-A");
    await git(root, "commit", "-q", "-m", "The project as the reader cloned it");
    const { runs, problems } = await runGuide(blocks, { root, tmpDir, env: GIT_IDENTITY });
    assert.deepEqual(problems, []);
    assert.equal(runs.length, commands.length);
  });
});

Deno.test("runGuide() reports a wrong exit code, an unprinted replay line and output that was not printed", async () => {
  const guide = [
    "```sh",
    "echo 'reproduce with: tool --seed 3'",
    "sh -c 'exit 3' # exit 1",
    "echo tool --seed 4 # exit 0, printed above",
    "```",
    "```text output",
    "a line no command printed",
    "```",
  ].join("\n");
  await withTempDirs(async ({ root, tmpDir }) => {
    const { problems } = await runGuide(parseGuide(guide), { root, tmpDir });
    assert.equal(problems.length, 3, problems.join("\n"));
    assert.match(problems[0], /guide line 3: "sh -c 'exit 3'" exited 3, the guide says 1/);
    assert.match(
      problems[1],
      /guide line 4: "echo tool --seed 4" was not printed by an earlier command/,
    );
    assert.match(problems[2], /guide line 6: "a line no command printed" is not in the output/);
  });
});

Deno.test("runGuide() writes the files the guide shows, reads numbers as any number and TMPDIR as /tmp", async () => {
  const guide = [
    "```yaml file=scenarios/x.yaml",
    "name: x",
    "```",
    "```sh",
    'cat scenarios/x.yaml && echo "took 12.5 s, report: $TMPDIR/r"',
    "```",
    "```text output",
    "name: x",
    "...",
    "took 3 s, report: /tmp/r",
    "```",
    "```sh",
    'touch "$TMPDIR/r" && echo "reproduce with: cat $TMPDIR/r"',
    "cat ${TMPDIR:-/tmp}/r # printed above",
    "```",
  ].join("\n");
  const blocks: GuideBlock[] = parseGuide(guide);
  assert.deepEqual(blocks.map((b) => b.kind), ["file", "commands", "output", "commands"]);
  await withTempDirs(async ({ root, tmpDir }) => {
    const { runs, problems } = await runGuide(blocks, { root, tmpDir });
    assert.deepEqual(problems, []);
    assert.equal(runs.length, 3);
  });
});

Deno.test("parseGuide() refuses a shell block it would not run", () => {
  assert.throws(
    () => parseGuide("```bash\nls\n```"),
    /shell block "bash" is not run: write it as sh/,
  );
  assert.throws(() => parseGuide("```sh\nls\n"), /never closed/);
  assert.throws(() => parseGuide("```sh\nls # exit 1, printed twice\n```"), /unknown annotation/);
});
