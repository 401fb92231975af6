import { strict as assert } from "node:assert";
import { linearizable } from "../sim/check/invariants/linearizable.ts";
import { ONE_EXTENSION_OPS, oneExtensionContext } from "./linearizability.ts";

Deno.test("oneExtensionContext() is a 200-op history of one extension that the check accepts", () => {
  const ctx = oneExtensionContext();
  assert.equal(ctx.history.ops.length, ONE_EXTENSION_OPS);
  const names = new Set(
    ctx.history.ops.flatMap((o) => "name" in o.op && o.op.name !== undefined ? [o.op.name] : []),
  );
  assert.deepEqual([...names], ["@fix/alpha"]);
  const overlapping = ctx.history.ops.filter((o, i) =>
    i > 0 && o.invokeMs < ctx.history.ops[i - 1].completeMs
  );
  assert.ok(overlapping.length > ONE_EXTENSION_OPS / 2, `${overlapping.length} overlap`);
  const verdict = linearizable.check(ctx);
  assert.equal(verdict.status, "valid", verdict.explanation);
});
