import assert from "node:assert/strict";
import { parseSwampFindings } from "./claims.ts";

Deno.test("parseSwampFindings() reads the findings table, none without its markers", () => {
  const table =
    "<!-- swamp-findings:begin -->\n| id | finding | scenarios |\n| --- | --- | --- |\n" +
    "| S1 | The waiter starts late. | `a.yaml`, `b.yaml` |\n<!-- swamp-findings:end -->";
  assert.deepEqual(parseSwampFindings(table), [
    { id: "S1", text: "The waiter starts late.", scenarios: ["a.yaml", "b.yaml"] },
  ]);
  assert.deepEqual(parseSwampFindings("no table"), []);
  assert.throws(
    () => parseSwampFindings(table.replace("<!-- swamp-findings:end -->", "")),
    /one marker/,
  );
  assert.throws(
    () => parseSwampFindings(table.replace("`a.yaml`, `b.yaml`", "none")),
    /cites no scenario/,
  );
  assert.throws(() => parseSwampFindings(table.replace(" | `a.yaml`", " | x | `a.yaml`")), /cells/);
});
