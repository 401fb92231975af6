import assert from "node:assert/strict";
import { delayFor, hitFires, hitUnit } from "./hit.ts";

Deno.test("hitUnit() is a pure function of (seed, hit) with values in [0, 1)", () => {
  for (let seed = 0; seed < 50; seed++) {
    for (let hit = 1; hit <= 50; hit++) {
      const u = hitUnit(seed * 7919, hit);
      assert.ok(u >= 0 && u < 1, `hitUnit(${seed}, ${hit}) = ${u}`);
      assert.equal(u, hitUnit(seed * 7919, hit));
    }
  }
  assert.notEqual(hitUnit(1, 1), hitUnit(2, 1));
  assert.notEqual(hitUnit(1, 1), hitUnit(1, 2));
});

Deno.test("hitUnit() spreads evenly enough for probabilities", () => {
  let below = 0;
  for (let hit = 1; hit <= 10_000; hit++) if (hitUnit(12345, hit) < 0.3) below++;
  assert.ok(below > 2_700 && below < 3_300, `${below} of 10000 below 0.3`);
});

Deno.test("hitFires() fires on the nth hit, on every hit, and by seeded probability", () => {
  const crash = { kind: "crash" } as const;
  assert.deepEqual([1, 2, 3].map((h) => hitFires({ nth: 2 }, h, crash)), [false, true, false]);
  assert.deepEqual([1, 2, 3].map((h) => hitFires({ every: true }, h, crash)), [true, true, true]);
  assert.equal(hitFires({ probability: 0, seed: 9 }, 1, crash), false);
  assert.equal(hitFires({ probability: 1, seed: 9 }, 1, crash), true);
  const hits = Array.from(
    { length: 40 },
    (_, i) => hitFires({ probability: 0.5, seed: 9 }, i + 1, crash),
  );
  assert.deepEqual(hits, Array.from({ length: 40 }, (_, i) => hitUnit(9, i + 1) < 0.5));
});

Deno.test("hitFires() makes contend hold a run of attempts starting at nth", () => {
  const contend = { kind: "contend", attempts: 3 } as const;
  assert.deepEqual(
    [1, 2, 3, 4, 5, 6].map((h) => hitFires({ nth: 2 }, h, contend)),
    [false, true, true, true, false, false],
  );
});

Deno.test("delayFor() gives a fixed delay, or a seeded one inside the range", () => {
  assert.equal(delayFor({ kind: "delay", delayMs: 40 }, 7), 40);
  const range = { kind: "delay", delayMsMin: 10, delayMsMax: 20, seed: 77 } as const;
  const seen = new Set<number>();
  for (let hit = 1; hit <= 500; hit++) {
    const d = delayFor(range, hit);
    assert.ok(Number.isInteger(d) && d >= 10 && d <= 20, `hit ${hit}: ${d}`);
    assert.equal(d, delayFor(range, hit));
    seen.add(d);
  }
  assert.equal(seen.size, 11, "every value of the range is reachable");
});
