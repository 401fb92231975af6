import assert from "node:assert/strict";
import { historyOf, historyOp } from "../check/invariants/_fixtures.ts";
import { clearReportDir, iterationNotes } from "./report.ts";

Deno.test("iterationNotes() names pauses released by their timeout and capped event logs", () => {
  const parked = historyOp(1, { op: "pull", ref: "@fix/alpha" });
  parked.events = [
    {
      seq: 1,
      process: 1,
      pid: 11,
      point: "process.start",
      phase: "before",
      hit: 1,
      action: "pause",
      released: false,
      pausedMs: 600,
      atMs: 0,
    },
    {
      seq: 2,
      process: 1,
      pid: 11,
      point: "lock.acquire",
      phase: "before",
      hit: 1,
      action: "pause",
      released: true,
      pausedMs: 20,
      atMs: 1,
    },
  ];
  const capped = {
    ...historyOp(0, { op: "list" }, { phase: "recovery" }),
    eventsCapped: true as const,
  };
  assert.deepEqual(iterationNotes({ history: historyOf([parked, capped]) }), [
    "p1 was released by its pause timeout at before process.start (hit 1, 600 ms), not by what it waited for",
    "r0 reached the event limit: its later points are not in the history",
  ]);
  assert.deepEqual(iterationNotes({ history: historyOf([historyOp(0, { op: "list" })]) }), []);
});

Deno.test("clearReportDir() removes what an earlier run wrote and nothing else", async () => {
  const dir = await Deno.makeTempDir({ prefix: "report-dir-" });
  try {
    await Deno.mkdir(`${dir}/iteration-3/x`, { recursive: true });
    for (const f of ["summary.json", "timeline.html", "junit.xml", "s-shrunk.yaml", "notes.txt"]) {
      await Deno.writeTextFile(`${dir}/${f}`, "old");
    }
    await Deno.mkdir(`${dir}/iteration-x`);
    assert.deepEqual(await clearReportDir(dir), [
      "iteration-3",
      "junit.xml",
      "s-shrunk.yaml",
      "summary.json",
      "timeline.html",
    ]);
    const left = [];
    for await (const e of Deno.readDir(dir)) left.push(e.name);
    assert.deepEqual(left.sort(), ["iteration-x", "notes.txt"]);
    assert.deepEqual(await clearReportDir(`${dir}/missing`), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
