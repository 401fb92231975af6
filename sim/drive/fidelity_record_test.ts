import assert from "node:assert/strict";
import {
  derivedRecord,
  mergeFidelity,
  parseStoredFidelity,
  type StoredFidelity,
  type StoredRow,
} from "./fidelity_record.ts";

const COMMIT = "06b6147274f251d022cddb3778ea88ee2936f8fb";

function row(scenario: string, same: boolean, digest: string, durationMs = 1000): StoredRow {
  const pass = { exitCode: 0, verdict: "pass 1/1", durationMs };
  return {
    scenario,
    digest,
    pinned: true,
    same,
    findings: [],
    reference: pass,
    swamp: same ? pass : { exitCode: 1, verdict: "FAIL 0/1 (invariant)", durationMs },
    differences: [],
  };
}

function record(rows: StoredRow[], startedAt: string, commit = COMMIT): StoredFidelity {
  return derivedRecord({
    exitCode: 0,
    swamp: { checkout: "/s", commit },
    startedAt,
    wallMs: rows.reduce((s, r) => s + r.reference.durationMs + r.swamp.durationMs, 0) + 500,
    referenceMs: 0,
    swampMs: 0,
    summary: { scenarios: 0, same: 0, differ: [], undocumented: [] },
    rows,
  }, []);
}

const STORED = record([
  { ...row("a", true, "da", 1000), wallMs: 2100 },
  row("b", true, "db-old", 2000),
  row("c", false, "dc", 3000),
  row("gone", true, "dg", 4000),
], "2026-01-01T00:00:00.000Z");
const DIGESTS = { a: "da", b: "db-new", c: "dc", d: "dd" };

Deno.test("mergeFidelity() replaces the re-run rows and keeps the others only while their digest is current", () => {
  const fresh = record(
    [{ ...row("c", true, "dc", 500), wallMs: 1200 }],
    "2026-02-01T00:00:00.000Z",
  );
  fresh.wallMs = 7000;
  const merged = mergeFidelity({ stored: STORED, fresh, digests: DIGESTS, findings: [] });
  assert.ok(merged.ok);
  assert.deepEqual(merged.replaced, ["c"]);
  assert.deepEqual(merged.kept, ["a"]);
  assert.deepEqual(merged.dropped, [
    { scenario: "b", why: "changed" },
    { scenario: "gone", why: "no such scenario" },
  ]);
  assert.deepEqual(merged.missing, ["b", "d"]);
  const { record: out } = merged;
  assert.deepEqual(out.rows.map((r) => [r.scenario, r.same, r.wallMs, r.measuredAt]), [
    ["a", true, 2100, "2026-01-01T00:00:00.000Z"],
    ["c", true, 1200, "2026-02-01T00:00:00.000Z"],
  ]);
  assert.equal(out.wallMs, 3300);
  assert.equal(out.referenceMs, 1500);
  assert.equal(out.swampMs, 1500);
  assert.equal(out.startedAt, "2026-01-01T00:00:00.000Z");
  assert.deepEqual(out.updates, [
    { startedAt: "2026-02-01T00:00:00.000Z", wallMs: 7000, scenarios: ["c"] },
  ]);
  assert.deepEqual(out.summary, { scenarios: 2, same: 2, differ: [], undocumented: [] });
  assert.equal(out.exitCode, 0);
});

Deno.test("mergeFidelity() derives the findings, summary and exit code from the merged rows", () => {
  const fresh = record([row("b", false, "db-new")], "2026-02-01T00:00:00.000Z");
  const merged = mergeFidelity({
    stored: STORED,
    fresh,
    digests: DIGESTS,
    findings: [{ id: "S1", scenarios: ["c.yaml"] }],
  });
  assert.ok(merged.ok);
  assert.deepEqual(merged.record.rows.map((r) => [r.scenario, r.findings]), [
    ["a", []],
    ["b", []],
    ["c", ["S1"]],
  ]);
  assert.deepEqual(merged.record.summary, {
    scenarios: 3,
    same: 1,
    differ: ["b", "c"],
    undocumented: ["b"],
  });
  assert.equal(merged.record.exitCode, 1);
  assert.equal(merged.record.rows[0].wallMs, 2100);
  assert.equal(merged.record.rows[2].wallMs, 6000, "a row without wallMs: its runs' durations");
});

Deno.test("mergeFidelity() refuses a re-run of another swamp commit or one that did not finish", () => {
  const other = record([row("c", true, "dc")], "2026-02-01T00:00:00.000Z", "1".repeat(40));
  const refused = mergeFidelity({ stored: STORED, fresh: other, digests: DIGESTS, findings: [] });
  assert.ok(!refused.ok);
  assert.match(refused.problem, /checkout is at swamp 1{40}, the stored record measured 06b61472/);
  const unfinished = { ...record([], "2026-02-01T00:00:00.000Z"), error: "interrupted during c" };
  const stopped = mergeFidelity({
    stored: STORED,
    fresh: unfinished,
    digests: DIGESTS,
    findings: [],
  });
  assert.ok(!stopped.ok);
  assert.equal(stopped.problem, "the re-run did not finish: interrupted during c");
  const unknown = record([], "2026-01-01T00:00:00.000Z", "unknown");
  const fresh = record([], "2026-02-01T00:00:00.000Z", "unknown");
  assert.ok(!mergeFidelity({ stored: unknown, fresh, digests: DIGESTS, findings: [] }).ok);
});

Deno.test("parseStoredFidelity() reads a record and names the file and field that are wrong", () => {
  const text = JSON.stringify(STORED);
  assert.deepEqual(parseStoredFidelity(text, "f.json"), STORED);
  assert.throws(() => parseStoredFidelity("{", "f.json"), /^Error: f\.json is not JSON/);
  const broken = (mutate: (r: Record<string, unknown>) => void) => {
    const r = JSON.parse(text) as Record<string, unknown>;
    mutate(r);
    return () => parseStoredFidelity(JSON.stringify(r), "f.json");
  };
  assert.throws(broken((r) => delete r.wallMs), /f\.json: field "wallMs" must be a number/);
  assert.throws(
    broken((r) => (r.swamp = { checkout: "/s" })),
    /f\.json: field "swamp\.commit" must be a string/,
  );
  assert.throws(
    broken((r) => delete (r.rows as Array<Record<string, unknown>>)[1].digest),
    /field "rows\[1\]\.digest" must be a string/,
  );
  assert.throws(
    broken((r) =>
      delete ((r.rows as Array<Record<string, unknown>>)[0].swamp as Record<string, unknown>)
        .durationMs
    ),
    /field "rows\[0\]\.swamp" must be a run with exitCode, verdict and durationMs/,
  );
});
