import { strict as assert } from "node:assert";
import fc from "fast-check";
import { placementsOf, searchLinearization, type SearchOp } from "./search.ts";

// A register: writes set it, reads check it; an op is a chain of such steps.
type RegisterStep = { kind: "write"; value: number } | { kind: "read"; value: number };

interface RegisterOp {
  invokeMs: number;
  completeMs: number;
  required: boolean;
  steps: RegisterStep[];
}

function toSearchOp(op: RegisterOp): SearchOp<number> {
  return {
    invokeMs: op.invokeMs,
    completeMs: op.completeMs,
    required: op.required,
    signature: JSON.stringify([op.required, op.steps]),
    steps: op.steps.map((s) =>
      s.kind === "write"
        ? { next: () => [s.value] }
        : { next: (state: number) => (state === s.value ? [state] : []), read: true }
    ),
  };
}

const LIMITS = { configurationsMax: 100_000 };

function search(ops: RegisterOp[], initial = 0) {
  return searchLinearization(ops.map(toSearchOp), initial, String, LIMITS);
}

/**
 * The definition, by brute force: some choice of how far each info op got,
 * and some order of the chosen steps (each op's in chain order), such that
 * giving each step the earliest instant at or after the previous one and its
 * op's invocation keeps every step within its op's window, and every step
 * holds in the state before it.
 */
function bruteForce(ops: RegisterOp[], initial = 0): boolean {
  const prefixes = ops.map((op) =>
    op.required ? [op.steps.length] : op.steps.map((_, k) => k).concat(op.steps.length)
  );
  const choose = (i: number, lengths: number[]): boolean => {
    if (i === ops.length) return orders(lengths);
    return prefixes[i].some((k) => choose(i + 1, [...lengths, k]));
  };
  const orders = (lengths: number[]): boolean => {
    const placed = lengths.map(() => 0);
    const total = lengths.reduce((a, b) => a + b, 0);
    const go = (count: number, atMs: number, state: number): boolean => {
      if (count === total) return true;
      for (let i = 0; i < ops.length; i++) {
        if (placed[i] >= lengths[i]) continue;
        const t = Math.max(atMs, ops[i].invokeMs);
        if (t > ops[i].completeMs) continue;
        const step = ops[i].steps[placed[i]];
        if (step.kind === "read" && step.value !== state) continue;
        placed[i]++;
        const ok = go(count + 1, t, step.kind === "write" ? step.value : state);
        placed[i]--;
        if (ok) return true;
      }
      return false;
    };
    return go(0, -Infinity, initial);
  };
  return choose(0, []);
}

const registerStep: fc.Arbitrary<RegisterStep> = fc.record({
  kind: fc.constantFrom("write" as const, "read" as const),
  value: fc.integer({ min: 0, max: 2 }),
});

const registerOp: fc.Arbitrary<RegisterOp> = fc.record({
  invokeMs: fc.integer({ min: 0, max: 30 }),
  lengthMs: fc.integer({ min: 0, max: 30 }),
  required: fc.boolean(),
  steps: fc.array(registerStep, { minLength: 1, maxLength: 2 }),
}).map(({ invokeMs, lengthMs, required, steps }) => ({
  invokeMs,
  completeMs: invokeMs + lengthMs,
  required,
  steps,
}));

Deno.test("searchLinearization() agrees with the definition on random register histories", () => {
  // Copies of one op make the symmetry rule matter; reads the reads-first rule.
  const withCopies = fc.tuple(fc.array(registerOp, { minLength: 1, maxLength: 4 }), fc.nat(3))
    .map(([ops, copies]) => [
      ...ops,
      ...Array.from({ length: Math.min(copies, ops.length) }, (_, i) => ({
        ...ops[i],
        completeMs: ops[i].completeMs + i,
      })),
    ]);
  let linearizable = 0;
  let total = 0;
  fc.assert(
    fc.property(withCopies, (ops) => {
      const result = search(ops);
      assert.notEqual(result.status, "unknown");
      const expected = bruteForce(ops);
      assert.equal(result.status === "linearizable", expected, JSON.stringify(ops));
      total++;
      if (expected) linearizable++;
    }),
    { numRuns: 1500, seed: 11 },
  );
  // Both answers were exercised.
  assert.ok(linearizable > total / 10 && linearizable < total * 0.9, `${linearizable}/${total}`);
});

Deno.test("searchLinearization() returns an order that places every required step", () => {
  const ops: RegisterOp[] = [
    { invokeMs: 0, completeMs: 10, required: true, steps: [{ kind: "write", value: 1 }] },
    { invokeMs: 5, completeMs: 20, required: true, steps: [{ kind: "read", value: 1 }] },
    { invokeMs: 0, completeMs: 30, required: false, steps: [{ kind: "write", value: 2 }] },
  ];
  const result = search(ops);
  assert.equal(result.status, "linearizable");
  if (result.status !== "linearizable") return;
  assert.deepEqual(result.order.slice(0, 2), [{ op: 0, step: 0 }, { op: 1, step: 0 }]);
});

Deno.test("searchLinearization() is unknown, not a pass, when it reaches its bound", () => {
  // Twelve concurrent writes of distinct values and a read of a value nobody writes.
  const ops: RegisterOp[] = Array.from({ length: 12 }, (_, i) => ({
    invokeMs: 0,
    completeMs: 100,
    required: true,
    steps: [{ kind: "write", value: i + 1 }],
  }));
  ops.push({ invokeMs: 0, completeMs: 100, required: true, steps: [{ kind: "read", value: 99 }] });
  const bounded = searchLinearization(ops.map(toSearchOp), 0, String, { configurationsMax: 50 });
  assert.equal(bounded.status, "unknown");
  if (bounded.status === "unknown") {
    assert.match(bounded.reason, /bound of 50 configurations/);
  }
});

Deno.test("placementsOf() finds every state an op can be placed in", () => {
  const ops: RegisterOp[] = [
    { invokeMs: 0, completeMs: 10, required: true, steps: [{ kind: "write", value: 1 }] },
    { invokeMs: 0, completeMs: 10, required: true, steps: [{ kind: "write", value: 2 }] },
    // The target: a read that accepts anything, concurrent with both writes.
    { invokeMs: 0, completeMs: 10, required: true, steps: [{ kind: "write", value: 7 }] },
    { invokeMs: 20, completeMs: 30, required: true, steps: [{ kind: "read", value: 2 }] },
  ];
  const searchOps = ops.map(toSearchOp);
  searchOps[2] = { ...searchOps[2], steps: [{ next: (s: number) => [s], read: true }] };
  const places = placementsOf(searchOps, 0, String, 2, LIMITS);
  assert.equal(places.complete, true);
  // Before both writes, between them (after 1, before 2), never after write 2's last: 2 must end.
  assert.deepEqual(places.before[0].sort(), [0, 1, 2]);
});
