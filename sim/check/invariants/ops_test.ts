import { strict as assert } from "node:assert";
import {
  ALPHA,
  BETA,
  checkContext,
  historyOf,
  pullOp,
  rmOp,
  T0_MS,
  updateJson,
  updateOp,
  V1,
  V2,
} from "./_fixtures.ts";
import { errorTexts, phaseOps, relMs, updateResults } from "./ops.ts";

Deno.test("updateResults() reads swamp's final document and its progress documents", () => {
  const op = updateOp(0, undefined, {
    json: updateJson([
      { name: ALPHA, status: "updated", from: V1, to: V2 },
      { name: BETA, status: "failed", from: V1, to: V2, error: "Update failed: boom" },
    ]),
  });
  assert.deepEqual(updateResults(op), [
    { name: ALPHA, status: "updated", from: V1, to: V2, error: undefined },
    { name: BETA, status: "failed", from: V1, to: V2, error: "Update failed: boom" },
  ]);
});

Deno.test("updateResults() reads the reference's field names", () => {
  const op = updateOp(0, ALPHA, {
    json: [{
      extensions: [{ name: ALPHA, currentVersion: V1, latestVersion: V2, status: "updated" }],
      summary: { total: 1, upToDate: 0, updated: 1, failed: 0 },
    }],
  });
  assert.deepEqual(updateResults(op), [
    { name: ALPHA, status: "updated", from: V1, to: V2, error: undefined },
  ]);
});

Deno.test("updateResults() is empty for other ops and for an update that printed no report", () => {
  assert.deepEqual(
    updateResults(
      pullOp(0, ALPHA, { json: [{ extensions: [{ name: ALPHA, status: "updated" }] }] }),
    ),
    [],
  );
  assert.deepEqual(updateResults(updateOp(0, undefined, { type: "info" })), []);
  const garbled = updateOp(0, undefined, {
    json: [{ extensions: [{ status: "updated" }, null, "x"] }],
  });
  assert.deepEqual(updateResults(garbled), []);
});

Deno.test("errorTexts() gives stderr and an update's per-extension errors", () => {
  const update = updateOp(0, undefined, {
    stderr: "warning\n",
    json: updateJson([{
      name: ALPHA,
      status: "failed",
      from: V1,
      to: V2,
      error: "Update failed: x",
    }]),
  });
  assert.deepEqual(errorTexts(update), ["warning\n", "Update failed: x"]);
  assert.deepEqual(errorTexts(pullOp(0, ALPHA, { stderr: "  \n" })), []);
});

Deno.test("phaseOps() covers set-up and run ops, or recovery ops", () => {
  const setup = pullOp(0, ALPHA, { phase: "setup" });
  const run = rmOp(0, ALPHA);
  const recovery = pullOp(0, ALPHA, { phase: "recovery" });
  const history = historyOf([setup, run, recovery]);
  assert.deepEqual(phaseOps(checkContext({ history })), [setup, run]);
  assert.deepEqual(phaseOps(checkContext({ history, phase: "recovery" })), [recovery]);
});

Deno.test("relMs() shows a time relative to t0 in whole ms", () => {
  assert.equal(relMs(checkContext(), T0_MS + 812.4), "+812 ms");
});
