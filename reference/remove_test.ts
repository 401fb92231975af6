import assert from "node:assert/strict";
import { join } from "./posix_path.ts";
import { pruneEmptyDirs } from "./remove.ts";

Deno.test("pruneEmptyDirs() removes empty dirs deepest first and never the repo root or above", async () => {
  const dir = await Deno.makeTempDir({ prefix: "swamp_ref_prune_" });
  try {
    const repo = join(dir, "repo");
    await Deno.mkdir(join(repo, "a/b/c"), { recursive: true });
    await Deno.mkdir(join(repo, "keep/x"), { recursive: true });
    await Deno.writeTextFile(join(repo, "keep/file"), "");
    const removed = await pruneEmptyDirs([
      join(repo, "a/b/c"),
      join(repo, "keep/x"),
      join(repo, "a"),
    ], repo);
    assert.equal(removed, 4, "a/b/c, a/b, a and keep/x");
    assert.deepEqual((await Array.fromAsync(Deno.readDir(repo))).map((e) => e.name), ["keep"]);
    const emptyRepo = join(dir, "empty");
    await Deno.mkdir(join(emptyRepo, "only"), { recursive: true });
    assert.equal(await pruneEmptyDirs([join(emptyRepo, "only"), emptyRepo, dir], emptyRepo), 1);
    assert.ok((await Deno.stat(emptyRepo)).isDirectory, "the repo root stays");
    assert.ok((await Deno.stat(dir)).isDirectory, "dirs above the root stay");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("pruneEmptyDirs() lists a dir before removing it, so no remove fails on a non-empty one", async () => {
  const dir = await Deno.makeTempDir({ prefix: "swamp_ref_prune_" });
  const remove = Deno.remove;
  const removed: string[] = [];
  try {
    const repo = join(dir, "repo");
    await Deno.mkdir(join(repo, "ext/models"), { recursive: true });
    await Deno.mkdir(join(repo, "ext/files"), { recursive: true });
    await Deno.writeTextFile(join(repo, "ext/files/keep.txt"), "");
    Deno.remove = (path: string | URL, options?: Deno.RemoveOptions) => {
      removed.push(String(path));
      return remove(path, options);
    };
    const count = await pruneEmptyDirs([join(repo, "ext"), join(repo, "ext/models")], repo);
    assert.equal(count, 1);
    assert.deepEqual(removed, [join(repo, "ext/models")], "ext (not empty) was never removed");
  } finally {
    Deno.remove = remove;
    await Deno.remove(dir, { recursive: true });
  }
});
