import assert from "node:assert/strict";
import { benchShimOverhead, PRELOAD_RATIO_MAX } from "./shim_overhead.ts";

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
