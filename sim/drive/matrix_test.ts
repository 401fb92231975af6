import assert from "node:assert/strict";
import { EXIT } from "../shared/exit_codes.ts";
import {
  CLEAN,
  cleanFailures,
  detected,
  formatMatrix,
  type MatrixCell,
  uncaughtMutants,
} from "./matrix.ts";

function cell(
  scenario: string,
  variant: string,
  exitCode: number,
  pinned = true,
): MatrixCell {
  return { scenario, variant, pinned, exitCode, durationMs: 1500, failed: [], replay: "r" };
}

Deno.test("detected() counts only a pinned scenario's mutant run that failed an invariant or saw the target misbehave", () => {
  assert.ok(detected(cell("s", "m", EXIT.invariant)));
  assert.ok(detected(cell("s", "m", EXIT.target)));
  assert.ok(!detected(cell("s", "m", EXIT.vacuous)), "a vacuous run never got to the race");
  assert.ok(!detected(cell("s", "m", EXIT.pass)));
  assert.ok(!detected(cell("s", "m", EXIT.harness)));
  assert.ok(
    !detected(cell("s", "m", EXIT.invariant, false)),
    "a sampled verdict counts for nothing",
  );
  assert.ok(!detected(cell("s", CLEAN, EXIT.invariant)));
});

Deno.test("cleanFailures() and uncaughtMutants() require nothing of sampled scenarios", () => {
  const cells = [
    cell("pinned", CLEAN, EXIT.pass),
    cell("pinned", "m1", EXIT.invariant),
    cell("pinned", "m2", EXIT.vacuous),
    cell("storm", CLEAN, EXIT.invariant, false),
    cell("broken", CLEAN, EXIT.vacuous),
  ];
  assert.deepEqual(cleanFailures(cells).map((c) => c.scenario), ["broken"]);
  assert.deepEqual(uncaughtMutants(cells), ["m2"]);
  const table = formatMatrix(cells);
  assert.match(table, /storm \(sampled\) +sampled: fail\(1\) +n\/a +n\/a/);
  assert.match(table, /pinned +pass 1\.5s +caught 1\.5s +-/);
  assert.match(table, /\(total\) +1\/2 pinned pass +1 catch +0 catch/);
});
