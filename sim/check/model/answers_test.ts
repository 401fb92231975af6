import { strict as assert } from "node:assert";
import {
  ALPHA,
  DELTA,
  GAMMA,
  historyOp,
  listJson,
  listOp,
  pullJson,
  pullOp,
  rmJson,
  rmOp,
  updateJson,
  updateOp,
  V1,
  V2,
} from "../invariants/_fixtures.ts";
import {
  conflictOwner,
  doctorAnswer,
  listAnswer,
  pullAnswer,
  rmAnswer,
  updateAnswer,
} from "./answers.ts";

Deno.test("pullAnswer() reads the installed extension and its dependencies in print order", () => {
  assert.deepEqual(pullAnswer(pullOp(0, GAMMA, { json: pullJson(GAMMA, V1, { [DELTA]: V1 }) })), {
    kind: "pulled",
    installed: [{ name: GAMMA, version: V1 }, { name: DELTA, version: V1 }],
  });
  const conflict = pullOp(0, ALPHA, {
    type: "fail",
    class: "conflict",
    json: [{ conflicts: [".swamp/pulled-extensions/@fix/alpha/manifest.yaml"] }],
  });
  assert.deepEqual(pullAnswer(conflict), {
    kind: "conflict",
    paths: [".swamp/pulled-extensions/@fix/alpha/manifest.yaml"],
  });
  assert.equal(pullAnswer(pullOp(0, ALPHA, { type: "info" })).kind, "indeterminate");
  assert.equal(
    pullAnswer(pullOp(0, ALPHA, { type: "fail", class: "not-found" })).kind,
    "no-effect",
  );
  assert.equal(pullAnswer(pullOp(0, ALPHA)).kind, "unreadable");
});

Deno.test("conflictOwner() names the extension a pulled path belongs to", () => {
  assert.equal(conflictOwner(".swamp/pulled-extensions/@fix/alpha/models/a.ts"), ALPHA);
  assert.equal(conflictOwner(".swamp/bundles/0badf00d/a.js"), undefined);
});

Deno.test("rmAnswer() reads {removed} or the not-installed class, never stderr alone", () => {
  assert.deepEqual(rmAnswer(rmOp(0, ALPHA, { json: rmJson(ALPHA, V1) })), {
    kind: "removed",
    name: ALPHA,
    version: V1,
  });
  assert.deepEqual(rmAnswer(rmOp(0, ALPHA, { type: "fail", class: "not-installed" })), {
    kind: "not-installed",
  });
  // The wording alone, without the classifier's class, is no answer.
  const worded = rmOp(0, ALPHA, {
    type: "info",
    class: "failed",
    stderr: '{"error": "Extension @fix/alpha is not installed."}',
  });
  assert.equal(rmAnswer(worded).kind, "indeterminate");
});

Deno.test("updateAnswer() reads swamp's and the reference's field names", () => {
  const swamp = updateOp(0, undefined, {
    json: updateJson([
      { name: ALPHA, status: "updated", from: V1, to: V2 },
      { name: GAMMA, status: "up_to_date", from: V1 },
    ]),
  });
  assert.deepEqual(updateAnswer(swamp), {
    kind: "report",
    lines: [
      { name: ALPHA, status: "updated", from: V1, to: V2 },
      { name: GAMMA, status: "up_to_date", from: V1, to: V1 },
    ],
  });
  const reference = updateOp(0, ALPHA, {
    json: [{
      extensions: [{ name: ALPHA, currentVersion: V1, latestVersion: V2, status: "failed" }],
      summary: {},
    }],
  });
  assert.deepEqual(updateAnswer(reference), {
    kind: "report",
    lines: [{ name: ALPHA, status: "failed", from: V1, to: V2 }],
  });
  assert.deepEqual(updateAnswer(updateOp(0, ALPHA, { type: "fail", class: "not-installed" })), {
    kind: "not-installed",
  });
});

Deno.test("listAnswer() and doctorAnswer() read their one document", () => {
  assert.deepEqual(listAnswer(listOp(0, { json: listJson({ [ALPHA]: V2 }) })), {
    kind: "listed",
    extensions: [{ name: ALPHA, version: V2 }],
  });
  const report = (mode: string) => ({
    overallStatus: "pass",
    repairReport: {
      mode,
      operations: [{ kind: "pulled-extension-repulled", path: ALPHA, reason: "x" }],
    },
  });
  const doctor = (mode: string) =>
    historyOp(0, { op: "doctor", repair: true }, { json: [report(mode)] });
  assert.deepEqual(doctorAnswer(doctor("applied")), { kind: "doctor", repulled: [ALPHA] });
  assert.deepEqual(doctorAnswer(doctor("dry-run")), { kind: "doctor", repulled: [] });
});
