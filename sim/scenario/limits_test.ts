import assert from "node:assert/strict";
import { derivedProcessTimeout, PROCESS_LIMIT_RULE } from "./limits.ts";

const RUN = 30 * 60 * 1000;

Deno.test("derivedProcessTimeout() scales the solo op by the processes per core", () => {
  // 50 real swamp processes on 2 cores, 1.85 s solo: 4 x 1850 x 25 = 185 s.
  const swamp = derivedProcessTimeout({
    startupMs: 1850,
    processes: 50,
    cores: 2,
    runTimeoutMs: RUN,
  });
  assert.equal(swamp.ms, 185_000);
  assert.equal(swamp.rule, "4 x 1850 ms solo op x 25.0 process(es) per core = 185000 ms");
});

Deno.test("derivedProcessTimeout() keeps the floor, the ceiling and the run's limit", () => {
  const fast = derivedProcessTimeout({ startupMs: 250, processes: 2, cores: 2, runTimeoutMs: RUN });
  assert.equal(fast.ms, PROCESS_LIMIT_RULE.floorMs);
  assert.match(fast.rule, /raised to the floor/);
  const slow = derivedProcessTimeout({
    startupMs: 10_000,
    processes: 200,
    cores: 1,
    runTimeoutMs: RUN,
  });
  assert.equal(slow.ms, PROCESS_LIMIT_RULE.ceilingMs);
  assert.match(slow.rule, /cut to the ceiling/);
  const short = derivedProcessTimeout({
    startupMs: 10_000,
    processes: 10,
    cores: 1,
    runTimeoutMs: 120_000,
  });
  assert.equal(short.ms, 120_000);
  assert.match(short.rule, /cut to limits.runTimeoutMs/);
  assert.throws(
    () => derivedProcessTimeout({ startupMs: 1, processes: 0, cores: 2, runTimeoutMs: RUN }),
    RangeError,
  );
});
