import assert from "node:assert/strict";
import { checkoutProblem, parseBuildInfo, swampCommit } from "./swamp_checkout.ts";

const SHA = "06b6147274f251d022cddb3778ea88ee2936f8fb";

async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "swamp-checkout-test-" }));
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function git(dir: string, ...args: string[]): Promise<string> {
  const out = await new Deno.Command("git", {
    args: ["-C", dir, "-c", "user.name=t", "-c", "user.email=t@t", ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.ok(out.success, new TextDecoder().decode(out.stderr));
  return new TextDecoder().decode(out.stdout).trim();
}

async function makeCheckout(dir: string): Promise<void> {
  await Deno.mkdir(dir, { recursive: true });
  await Deno.writeTextFile(`${dir}/main.ts`, "");
  await Deno.writeTextFile(`${dir}/deno.json`, "{}");
}

Deno.test("checkoutProblem() names what keeps a dir from being a checkout", async () => {
  await withTempDir(async (dir) => {
    assert.equal(await checkoutProblem(`${dir}/none`), `${dir}/none does not exist`);
    await Deno.writeTextFile(`${dir}/file`, "");
    assert.equal(await checkoutProblem(`${dir}/file`), `${dir}/file is not a directory`);
    assert.equal(
      await checkoutProblem(dir),
      `${dir} is not a swamp checkout: it has no main.ts`,
    );
    await Deno.writeTextFile(`${dir}/main.ts`, "");
    assert.match((await checkoutProblem(dir))!, /it has no deno\.json$/);
    await Deno.mkdir(`${dir}/deno.json`);
    assert.match((await checkoutProblem(dir))!, /it has no deno\.json$/);
    await Deno.remove(`${dir}/deno.json`);
    await Deno.writeTextFile(`${dir}/deno.json`, "{}");
    assert.equal(await checkoutProblem(dir), undefined);
  });
});

Deno.test("parseBuildInfo() reads the swamp line's commit only", () => {
  assert.equal(
    parseBuildInfo(`std  denoland/std  ${"a".repeat(40)}\nswamp   swamp-club/swamp   ${SHA}\n`),
    SHA,
  );
  assert.equal(parseBuildInfo(`swampy x ${SHA}\n`), undefined);
  assert.equal(parseBuildInfo(`swamp swamp-club/swamp 06b61472\n`), undefined);
  assert.equal(parseBuildInfo(""), undefined);
});

Deno.test("swampCommit() names a git checkout's HEAD and whether tracked files changed", async () => {
  await withTempDir(async (dir) => {
    const checkout = `${dir}/swamp`;
    await makeCheckout(checkout);
    await git(checkout, "init", "-q");
    await git(checkout, "add", ".");
    await git(checkout, "commit", "-q", "-m", "c");
    const head = await git(checkout, "rev-parse", "HEAD");
    // A build-info.txt beside a git checkout does not override its HEAD.
    await Deno.writeTextFile(`${dir}/build-info.txt`, `swamp swamp-club/swamp ${SHA}\n`);
    assert.deepEqual(await swampCommit(checkout), { commit: head, source: "git", dirty: false });
    await Deno.writeTextFile(`${checkout}/main.ts`, "// changed\n");
    assert.deepEqual(await swampCommit(checkout), { commit: head, source: "git", dirty: true });
  });
});

Deno.test("swampCommit() reads build-info.txt beside a checkout without git, else says unknown", async () => {
  await withTempDir(async (dir) => {
    // The checkout sits inside another repository: that repository's HEAD is not its commit.
    await git(dir, "init", "-q");
    await Deno.writeTextFile(`${dir}/x`, "");
    await git(dir, "add", ".");
    await git(dir, "commit", "-q", "-m", "outer");
    const checkout = `${dir}/swamp`;
    await makeCheckout(checkout);
    assert.deepEqual(await swampCommit(checkout), { commit: "unknown", source: "unknown" });
    await Deno.writeTextFile(`${dir}/build-info.txt`, `swamp   swamp-club/swamp   ${SHA}\n`);
    assert.deepEqual(await swampCommit(checkout), { commit: SHA, source: "build-info.txt" });
  });
});
