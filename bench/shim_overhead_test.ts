import assert from "node:assert/strict";
import { benchShimOverhead, pairedRatio, PRELOAD_RATIO_MAX } from "./shim_overhead.ts";

Deno.test("benchShimOverhead() measures each op bare, under preload and under strace", async () => {
  const table = await benchShimOverhead({ samples: 1 });
  assert.deepEqual(table.rows.map((r) => r.name), [
    "list (bare)",
    "list (preload)",
    "list (strace)",
    "pull (bare)",
    "pull (preload)",
    "pull (strace)",
  ]);
  for (const row of table.rows) {
    assert.ok(row.medianMs > 0 && Number.isFinite(row.medianMs), row.name);
    assert.equal(row.samples, 1);
    assert.ok((row.ratio ?? 0) > 0, row.name);
  }
  assert.deepEqual(
    table.rows.filter((r) => r.target !== undefined).map((r) => [r.name, r.target]),
    [["list (preload)", PRELOAD_RATIO_MAX], ["pull (preload)", PRELOAD_RATIO_MAX]],
  );
  assert.equal(table.rows[0].ratio, 1);
});

Deno.test("benchShimOverhead() refuses a sample count out of range", async () => {
  await assert.rejects(() => benchShimOverhead({ samples: 0 }), /samples "0"/);
});

Deno.test("pairedRatio() is the median of the per-round ratios, not the ratio of medians", () => {
  // Rounds alternate between a quiet (30 ms) and a loaded (40 ms) machine.
  const bare = [30, 40, 30, 40, 40];
  const shim = [33, 44, 33, 44, 44];
  assert.ok(Math.abs(pairedRatio(shim, bare) - 1.1) < 1e-9);
  // The ratio of medians would read 44 / 40 here, but 44 / 30 if the rounds fell differently.
  assert.throws(() => pairedRatio([1], []), /equal, non-empty/);
});
