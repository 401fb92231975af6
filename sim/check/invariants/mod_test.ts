import { strict as assert } from "node:assert";
import { INVARIANT_IDS, type InvariantId } from "../../shared/invariant_ids.ts";
import {
  CATALOG_PATH,
  LOCK_PATH,
  LOCKFILE_DIR,
  LOCKFILE_PATH,
  PULLED_DIR,
} from "../../shared/layout.ts";
import type { CatalogRow } from "../../record/snapshot.ts";
import { takeSnapshot } from "../../record/snapshot.ts";
import {
  ALPHA,
  assertMentions,
  BETA,
  catalogExec,
  checkContext,
  DELTA,
  disposeRealRun,
  GAMMA,
  installedSnapshot,
  realContext,
  type RealRun,
  runRealScenario,
  V1,
  V2,
  withRepoCopy,
} from "./_fixtures.ts";
import { type CheckContext, checkInvariants, INVARIANTS, type Verdict } from "./mod.ts";

const SCENARIO = new URL("../../testdata/invariants-real.yaml", import.meta.url).pathname;

Deno.test("checkInvariants() gives one verdict per invariant, in INVARIANT_IDS order", () => {
  const verdicts = checkInvariants(
    checkContext({ snapshot: installedSnapshot({ [ALPHA]: V2 }), initial: { [ALPHA]: V2 } }),
  );
  assert.deepEqual(verdicts.map((v) => v.invariant), [...INVARIANT_IDS]);
  assert.deepEqual(INVARIANTS.map((i) => i.id), [...INVARIANT_IDS]);
  for (const v of verdicts) {
    assert.equal(v.phase, "run");
    assert.equal(v.status, "valid", `${v.invariant}: ${v.explanation}`);
  }
});

Deno.test("checkInvariants() turns a checker that throws into unknown with the error", () => {
  const snapshot = installedSnapshot({});
  const broken = {
    ...snapshot,
    catalog: {
      state: "present" as const,
      integrity: ["ok"],
      rows: null as unknown as CatalogRow[],
      meta: {},
    },
  };
  const verdicts = checkInvariants(checkContext({ snapshot: broken, phase: "recovery" }));
  const byId = new Map(verdicts.map((v) => [v.invariant, v]));
  for (const id of ["catalog-integrity", "catalog-lockfile-bijection"] as const) {
    const verdict = byId.get(id)!;
    assert.equal(verdict.status, "unknown", verdict.explanation);
    assert.equal(verdict.phase, "recovery");
    assert.match(verdict.explanation, /^The checker threw: .*iterable/);
    assert.deepEqual(verdict.evidence, {});
  }
  assert.equal(byId.get("files-lockfile-match")!.status, "valid");
  assert.equal(verdicts.length, INVARIANT_IDS.length);
});

// Real repos: the simulator's own run, copied and broken on disk.

type Expected = Partial<Record<InvariantId, Verdict["status"]>>;

/** Asserts the listed statuses, and that every other invariant holds. */
function assertVerdicts(verdicts: Verdict[], expected: Expected): Map<InvariantId, Verdict> {
  const byId = new Map(verdicts.map((v) => [v.invariant, v]));
  for (const id of INVARIANT_IDS) {
    const verdict = byId.get(id)!;
    const want = expected[id] ?? "valid";
    assert.equal(verdict.status, want, `${id} should be ${want}: ${verdict.explanation}`);
  }
  return byId;
}

async function readLockfileJson(repoDir: string): Promise<Record<string, Record<string, unknown>>> {
  return JSON.parse(await Deno.readTextFile(`${repoDir}/${LOCKFILE_PATH}`));
}

async function writeLockfileJson(repoDir: string, data: unknown, indent = 2): Promise<void> {
  await Deno.writeTextFile(
    `${repoDir}/${LOCKFILE_PATH}`,
    `${JSON.stringify(data, null, indent)}\n`,
  );
}

/** Copies the run's repo, breaks it, snapshots it and runs the whole suite. */
async function checkBroken(
  run: RealRun,
  corrupt: (repoDir: string) => void | Promise<void>,
  overrides: Partial<CheckContext> = {},
): Promise<{ verdicts: Verdict[]; repoDir: string }> {
  return await withRepoCopy(run, async (repoDir) => {
    await corrupt(repoDir);
    const snapshot = await takeSnapshot(repoDir);
    return { verdicts: checkInvariants(realContext(run, snapshot, overrides)), repoDir };
  });
}

Deno.test("checkInvariants() on a real repo catches each way of breaking it", async (t) => {
  const run = await runRealScenario(SCENARIO);
  const alphaDir = `${PULLED_DIR}/${ALPHA}`;
  try {
    await t.step("the simulator's own repo holds every invariant", async () => {
      assertVerdicts(checkInvariants(realContext(run, await takeSnapshot(run.repoDir))), {});
    });

    await t.step("an untouched copy holds every invariant and the declared states", async () => {
      const states = {
        [ALPHA]: [{ files: V2, lockfile: V2, catalog: V2 }],
        [DELTA]: [{ files: V1, lockfile: V1, catalog: V1 }],
      };
      const { verdicts } = await checkBroken(run, () => {}, { expect: { states } });
      const byId = assertVerdicts(verdicts, {});
      assertMentions(byId.get("expected-states")!.explanation, [
        `${ALPHA}: files=${V2} lockfile=${V2} catalog=${V2}`,
      ]);
      assertMentions(byId.get("catalog-lockfile-bijection")!.explanation, [
        "All 4 lockfile entries",
      ]);
    });

    await t.step("files-lockfile-match names a listed file that was deleted", async () => {
      const gone = `${alphaDir}/models/extra.ts`;
      const { verdicts } = await checkBroken(run, (repo) => Deno.remove(`${repo}/${gone}`));
      const verdict = assertVerdicts(verdicts, { "files-lockfile-match": "invalid" }).get(
        "files-lockfile-match",
      )!;
      assertMentions(verdict.explanation, [
        `lists 1 file(s) of ${ALPHA} that do not exist (${gone})`,
      ]);
      assert.deepEqual(verdict.evidence.paths, [gone]);
      assert.deepEqual(verdict.evidence.entries, [ALPHA]);
    });

    await t.step("files-lockfile-match names a file no entry lists", async () => {
      const stray = `${alphaDir}/models/stray.ts`;
      const ghost = `${PULLED_DIR}/@fix/ghost/manifest.yaml`;
      const { verdicts } = await checkBroken(run, async (repo) => {
        await Deno.writeTextFile(`${repo}/${stray}`, "export const model = {};\n");
        await Deno.mkdir(`${repo}/${PULLED_DIR}/@fix/ghost`);
        await Deno.writeTextFile(`${repo}/${ghost}`, 'name: "@fix/ghost"\n');
      });
      const verdict = assertVerdicts(verdicts, { "files-lockfile-match": "invalid" }).get(
        "files-lockfile-match",
      )!;
      assertMentions(verdict.explanation, ["2 file(s) under", ghost, stray]);
      assert.deepEqual(verdict.evidence.paths, [stray, ghost]);
    });

    await t.step("a truncated lockfile is malformed, and what needs it cannot decide", async () => {
      const { verdicts } = await checkBroken(run, async (repo) => {
        const raw = await Deno.readTextFile(`${repo}/${LOCKFILE_PATH}`);
        await Deno.writeTextFile(`${repo}/${LOCKFILE_PATH}`, raw.slice(0, 100));
      });
      const byId = assertVerdicts(verdicts, {
        "lockfile-well-formed": "invalid",
        "catalog-lockfile-bijection": "unknown",
        "files-lockfile-match": "unknown",
        linearizable: "unknown",
      });
      assertMentions(byId.get("lockfile-well-formed")!.explanation, [
        `${LOCKFILE_PATH} is not valid JSON`,
        `it starts with "{\\n  "${ALPHA}": {`,
      ]);
      assertMentions(byId.get("catalog-lockfile-bijection")!.explanation, [
        "the lockfile is malformed",
      ]);
    });

    await t.step("lockfile-well-formed names a field swamp's schema rejects", async () => {
      const { verdicts } = await checkBroken(run, async (repo) => {
        const data = await readLockfileJson(repo);
        data[BETA].version = "latest";
        await writeLockfileJson(repo, data);
      });
      const byId = assertVerdicts(verdicts, {
        "lockfile-well-formed": "invalid",
        "catalog-lockfile-bijection": "unknown",
        "files-lockfile-match": "unknown",
        linearizable: "unknown",
      });
      assertMentions(byId.get("lockfile-well-formed")!.explanation, [
        `${BETA}.version`,
        "must be a CalVer version",
      ]);
    });

    await t.step("lockfile-well-formed reports a 4-space lockfile", async () => {
      const { verdicts } = await checkBroken(run, async (repo) => {
        await writeLockfileJson(repo, await readLockfileJson(repo), 4);
      });
      const verdict = assertVerdicts(verdicts, { "lockfile-well-formed": "invalid" }).get(
        "lockfile-well-formed",
      )!;
      assertMentions(verdict.explanation, ["not serialised as 2-space JSON"]);
      assert.deepEqual(verdict.evidence.paths, [LOCKFILE_PATH]);
    });

    await t.step("lockfile-well-formed names the entry whose files are unsorted", async () => {
      const { verdicts } = await checkBroken(run, async (repo) => {
        const data = await readLockfileJson(repo);
        data[BETA].files = [...(data[BETA].files as string[])].reverse();
        await writeLockfileJson(repo, data);
      });
      const verdict = assertVerdicts(verdicts, { "lockfile-well-formed": "invalid" }).get(
        "lockfile-well-formed",
      )!;
      assertMentions(verdict.explanation, [`${BETA}: files are not sorted`]);
    });

    await t.step("catalog-lockfile-bijection names a deleted catalog row", async () => {
      const { verdicts, repoDir } = await checkBroken(
        run,
        (repo) =>
          catalogExec(
            repo,
            "DELETE FROM bundle_types WHERE source_path = ?",
            `${repo}/${alphaDir}/models/extra.ts`,
          ),
      );
      const verdict = assertVerdicts(verdicts, { "catalog-lockfile-bijection": "invalid" })
        .get("catalog-lockfile-bijection")!;
      assertMentions(verdict.explanation, [
        `The lockfile has ${ALPHA} at ${V2} but the catalog lacks 1 of its 2 row(s) (${alphaDir}/models/extra.ts)`,
      ]);
      assert.deepEqual(verdict.evidence.entries, [ALPHA]);
      assert.deepEqual(verdict.evidence.rows, [`${repoDir}/${alphaDir}/models/extra.ts`]);
    });

    await t.step(
      "catalog-lockfile-bijection names rows of an extension the lockfile lacks",
      async () => {
        const { verdicts } = await checkBroken(run, (repo) =>
          catalogExec(
            repo,
            `INSERT INTO bundle_types (source_path, type_normalized, kind, bundle_path, extension_name, extension_version)
           VALUES (?, '@fix/ghost/main', 'model', '', '@fix/ghost', ?)`,
            `${repo}/${PULLED_DIR}/@fix/ghost/models/main.ts`,
            V1,
          ));
        const verdict = assertVerdicts(verdicts, { "catalog-lockfile-bijection": "invalid" })
          .get("catalog-lockfile-bijection")!;
        assertMentions(verdict.explanation, [
          `The catalog has 1 live row(s) for @fix/ghost (version ${V1}) but the lockfile has no entry for it`,
        ]);
        assert.deepEqual(verdict.evidence.entries, ["@fix/ghost"]);
      },
    );

    await t.step("catalog-lockfile-bijection names a row whose version was changed", async () => {
      const { verdicts } = await checkBroken(run, (repo) =>
        catalogExec(
          repo,
          "UPDATE bundle_types SET extension_version = ? WHERE source_path = ?",
          V1,
          `${repo}/${alphaDir}/models/main.ts`,
        ));
      const verdict = assertVerdicts(verdicts, { "catalog-lockfile-bijection": "invalid" })
        .get("catalog-lockfile-bijection")!;
      assertMentions(verdict.explanation, [
        `The lockfile has ${ALPHA} at ${V2} but 1 live row(s) say ${V1}`,
      ]);
    });

    await t.step(
      "catalog-lockfile-bijection reports rows recorded under another mount of the repo",
      async () => {
        const { verdicts } = await checkBroken(run, (repo) =>
          catalogExec(
            repo,
            "UPDATE bundle_types SET source_path = replace(source_path, ?, '/mnt/old/repo')",
            repo,
          ));
        const verdict = assertVerdicts(verdicts, { "catalog-lockfile-bijection": "invalid" })
          .get("catalog-lockfile-bijection")!;
        assertMentions(verdict.explanation, [
          `the catalog lacks 2 of its 2 row(s)`,
          `live row(s) for ${ALPHA} that its ${V2} sources do not explain`,
        ]);
        assert.ok(verdict.evidence.rows?.includes(`/mnt/old/repo/${alphaDir}/models/main.ts`));
      },
    );

    await t.step(
      "catalog-integrity names a second live row with the same kind and type",
      async () => {
        const { verdicts, repoDir } = await checkBroken(run, (repo) =>
          catalogExec(
            repo,
            `INSERT INTO bundle_types (source_path, type_normalized, kind, bundle_path)
           VALUES (?, '@fix/alpha/main', 'model', '')`,
            `${repo}/extensions/models/mine.ts`,
          ));
        const verdict = assertVerdicts(verdicts, { "catalog-integrity": "invalid" }).get(
          "catalog-integrity",
        )!;
        assertMentions(verdict.explanation, [
          "I-Repo-1 is broken: model::@fix/alpha/main is claimed by",
          `${repoDir}/${alphaDir}/models/main.ts (${ALPHA}@${V2})`,
          `${repoDir}/extensions/models/mine.ts (local@-)`,
        ]);
        assert.deepEqual(verdict.evidence.rows, [
          `${repoDir}/${alphaDir}/models/main.ts`,
          `${repoDir}/extensions/models/mine.ts`,
        ]);
      },
    );

    await t.step("catalog-integrity reports a catalog that is not a database", async () => {
      const { verdicts } = await checkBroken(run, async (repo) => {
        for (const suffix of ["-wal", "-shm"]) {
          await Deno.remove(`${repo}/${CATALOG_PATH}${suffix}`).catch(() => {});
        }
        await Deno.writeTextFile(`${repo}/${CATALOG_PATH}`, "this is not a database\n".repeat(200));
      });
      const byId = assertVerdicts(verdicts, {
        "catalog-integrity": "invalid",
        "catalog-lockfile-bijection": "unknown",
      });
      assertMentions(byId.get("catalog-integrity")!.explanation, [
        `${CATALOG_PATH} cannot be read`,
        "not a database",
      ]);
      assertMentions(byId.get("catalog-lockfile-bijection")!.explanation, [
        "the catalog is unreadable",
      ]);
    });

    await t.step(
      "no-stale-lock-or-temp names a lock file and a temp file left behind",
      async () => {
        const temp = `${LOCKFILE_DIR}/.5d1c0f7e-4b2a-4c8e-9a31-0e6f2b7d8c90.tmp`;
        const { verdicts } = await checkBroken(run, async (repo) => {
          await Deno.writeTextFile(`${repo}/${LOCK_PATH}`, "");
          await Deno.writeTextFile(`${repo}/${temp}`, "{\n");
        });
        const verdict = assertVerdicts(verdicts, { "no-stale-lock-or-temp": "invalid" }).get(
          "no-stale-lock-or-temp",
        )!;
        assertMentions(verdict.explanation, [
          `${LOCK_PATH}, ${temp} remain after every process exited on its own`,
        ]);
        assert.deepEqual(verdict.evidence.paths, [LOCK_PATH, temp]);
      },
    );

    await t.step(
      "a lockfile rolled back under a finished update breaks four invariants",
      async () => {
        const { verdicts } = await checkBroken(run, async (repo) => {
          const data = await readLockfileJson(repo);
          data[ALPHA].version = V1;
          data[ALPHA].files = (data[ALPHA].files as string[]).filter((f) =>
            !f.endsWith("extra.ts")
          );
          await writeLockfileJson(repo, data);
        }, { expect: { states: { [ALPHA]: [{ lockfile: V2 }] } } });
        const byId = assertVerdicts(verdicts, {
          "catalog-lockfile-bijection": "invalid",
          "files-lockfile-match": "invalid",
          linearizable: "invalid",
          "expected-states": "invalid",
        });
        assertMentions(byId.get("linearizable")!.explanation, [
          `the final lockfile after every op answered listed at ${V1}, the model predicts listed at ${V2}`,
          `given the certain effects of p0 update ${ALPHA}`,
          `(ok: ${ALPHA} installed ${V2})`,
        ]);
        assert.deepEqual(byId.get("linearizable")!.evidence.processes, [0]);
        assertMentions(byId.get("files-lockfile-match")!.explanation, [
          `${alphaDir}/models/extra.ts`,
        ]);
        assertMentions(byId.get("expected-states")!.explanation, [
          `${ALPHA} is files=${V2} lockfile=${V1} catalog=${V2}, not one of: lockfile=${V2}`,
        ]);
      },
    );

    await t.step(
      "linearizable names the pull whose dependency vanished",
      async () => {
        // All three layers agree that delta is gone, but p1's pull printed it installed it.
        const { verdicts } = await checkBroken(run, async (repo) => {
          const data = await readLockfileJson(repo);
          delete data[DELTA];
          await writeLockfileJson(repo, data);
          await Deno.remove(`${repo}/${PULLED_DIR}/${DELTA}`, { recursive: true });
          catalogExec(repo, "DELETE FROM bundle_types WHERE extension_name = ?", DELTA);
        });
        const verdict = assertVerdicts(verdicts, { linearizable: "invalid" })
          .get("linearizable")!;
        assertMentions(verdict.explanation, [
          `${DELTA}: these 1 answer(s)`,
          `the final lockfile after every op answered not listed, the model predicts listed at ${V1}`,
          `given the certain effects of p1 pull ${GAMMA}`,
          `(ok: ${DELTA} installed ${V1})`,
        ]);
        assert.deepEqual(verdict.evidence.entries, [DELTA]);
        assert.deepEqual(verdict.evidence.processes, [1]);
      },
    );

    await t.step("history invariants name the real process a failure is pinned on", async () => {
      const lockMessage =
        "Could not acquire lock on upstream_extensions.json. Another operation may be in progress. Please retry.";
      const ops = run.history.ops.map((op) =>
        op.phase === "run" && op.process === 1
          ? {
            ...op,
            exitCode: 1,
            stderr: `{"error": "${lockMessage}"}`,
            outcome: { type: "info" as const, class: "lock-exhausted" as const },
          }
          : op.phase === "run" && op.process === 2
          ? {
            ...op,
            exitCode: 1,
            stderr: '{"duplicateType": {"kind": "model"}}',
            outcome: { type: "fail" as const, class: "duplicate-type" as const },
          }
          : op
      );
      const { verdicts } = await checkBroken(run, () => {}, { history: { ...run.history, ops } });
      const byId = assertVerdicts(verdicts, {
        "no-lock-exhaustion": "invalid",
        "no-benign-duplicate-type": "invalid",
        "op-outcomes-allowed": "invalid",
        // p1's pull is now indeterminate, which still explains gamma and delta.
      });
      assertMentions(byId.get("no-lock-exhaustion")!.explanation, [
        `p1 pull ${GAMMA} gave up acquiring`,
      ]);
      assertMentions(byId.get("no-benign-duplicate-type")!.explanation, [
        "p2 list failed with a DuplicateTypeError",
      ]);
      assertMentions(byId.get("op-outcomes-allowed")!.explanation, [
        `p1 pull ${GAMMA} ended lock-exhausted (allowed: ok)`,
        "p2 list ended duplicate-type (allowed: ok)",
      ]);
      assert.deepEqual(byId.get("op-outcomes-allowed")!.evidence.processes, [1, 2]);
    });
  } finally {
    await disposeRealRun(run);
  }
});
