/**
 * `--swamp <checkout>` and `target: {kind: swamp, checkout}` end to end,
 * without a real swamp: a stand-in checkout (a git repo whose `main.ts`
 * runs the reference and answers `--version`) shows what is derived (entry,
 * config, flags, the network environment), that the console, `summary.json`,
 * `timeline.html`, `junit.xml` and the replay command name the target and
 * its commit, and that a dir that is no checkout, or a checkout that cannot
 * start, is refused with one line (exit 2) and leaves nothing behind.
 *
 * @module
 */

import assert from "node:assert/strict";
import { simulate } from "../sim/drive/simulate.ts";
import { hostDenoNetworkEnv } from "../sim/run/deno_network_env.ts";
import { EXIT } from "../sim/shared/exit_codes.ts";
import { standInCheckout, withTemp } from "./_stand_in.ts";

const ROOT = new URL("../", import.meta.url).pathname;
const SMOKE = `${ROOT}scenarios/smoke.yaml`;

Deno.test("simulate() with swamp runs a checkout and names it and its commit everywhere", async () => {
  await withTemp(async (tmp) => {
    const checkout = `${tmp}/swamp`;
    const head = await standInCheckout(checkout);
    const lines: string[] = [];
    const reportDir = `${tmp}/report`;
    const result = await simulate({
      scenario: SMOKE,
      swamp: checkout,
      iteration: 0,
      reportDir,
      log: (l) => lines.push(l),
    });
    assert.equal(result.exitCode, EXIT.pass, lines.join("\n"));

    const label =
      `swamp checkout ${checkout} at ${head} (git) (--swamp replaces the scenario's reference target)`;
    assert.ok(lines[1].includes(` target=${label} mutant=none `), lines[1]);
    const cert = hostDenoNetworkEnv().DENO_CERT ?? "-";
    const version = `swamp stand-in cert=${cert} read=granted run=granted`;
    assert.deepEqual(result.json.target, {
      kind: "swamp",
      checkout,
      commit: { commit: head, source: "git", dirty: false },
      version,
      replacedKind: "reference",
      label,
    });
    const summary = JSON.parse(await Deno.readTextFile(`${reportDir}/summary.json`));
    assert.deepEqual(summary.target, result.json.target);
    const junit = await Deno.readTextFile(`${reportDir}/junit.xml`);
    assert.ok(junit.includes(`<property name="commit" value="${head}"/>`), junit);
    const timeline = await Deno.readTextFile(`${reportDir}/timeline.html`);
    assert.ok(timeline.includes(`<p class="target">target: swamp checkout ${checkout} at ${head}`));

    // Every op ran the checkout's entry with its config and the derived flags.
    const ops = result.results[0].history.ops;
    assert.ok(ops.length >= 3);
    for (const op of ops) {
      const argv = op.argv.join(" ");
      assert.ok(argv.includes(`--config ${checkout}/deno.json`), argv);
      assert.ok(
        argv.includes(`--unstable-bundle --allow-run --allow-read=${checkout} ${checkout}/main.ts`),
        argv,
      );
    }
    const iterations = result.json.iterations as Array<{ replay: string }>;
    assert.match(iterations[0].replay, new RegExp(`--swamp ${checkout}$`));
  });
});

Deno.test("simulate() runs a scenario whose target is a swamp checkout", async () => {
  await withTemp(async (tmp) => {
    const head = await standInCheckout(`${tmp}/swamp`);
    const text = await Deno.readTextFile(SMOKE);
    await Deno.writeTextFile(
      `${tmp}/smoke.yaml`,
      `${text}target:\n  kind: swamp\n  checkout: swamp\n`,
    );
    const lines: string[] = [];
    const result = await simulate({
      scenario: `${tmp}/smoke.yaml`,
      iteration: 0,
      reportDir: `${tmp}/report`,
      log: (l) => lines.push(l),
    });
    assert.equal(result.exitCode, EXIT.pass, lines.join("\n"));
    assert.ok(
      lines[1].includes(` target=swamp checkout ${tmp}/swamp at ${head} (git) mutant=none `),
      lines[1],
    );
  });
});

interface CliRun {
  code: number;
  lines: string[];
  tmpEntries: string[];
}

/** `deno task sim` as a child with a private TMPDIR; `denyRun` forbids any spawn. */
async function runSim(args: string[], tmpDir: string, denyRun: boolean): Promise<CliRun> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", ...(denyRun ? ["--deny-run"] : []), "sim/cli/main.ts", ...args],
    cwd: ROOT,
    env: { TMPDIR: tmpDir, NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(output.stdout) + new TextDecoder().decode(output.stderr);
  const tmpEntries: string[] = [];
  for await (const entry of Deno.readDir(tmpDir)) tmpEntries.push(entry.name);
  return { code: output.code, lines: text.trimEnd().split("\n"), tmpEntries };
}

Deno.test("--swamp refuses a dir that is no checkout without spawning, in one line", async () => {
  await withTemp(async (tmp) => {
    await Deno.mkdir(`${tmp}/run`);
    await Deno.mkdir(`${tmp}/empty`);
    const empty = await runSim(
      ["scenarios/smoke.yaml", "--swamp", `${tmp}/empty`],
      `${tmp}/run`,
      true,
    );
    assert.equal(empty.code, EXIT.badInput);
    assert.deepEqual(empty.lines, [
      `scenarios/smoke.yaml: error: --swamp: ${tmp}/empty is not a swamp checkout: it has no main.ts`,
    ]);
    assert.deepEqual(empty.tmpEntries, []);
    const missing = await runSim(
      ["scenarios/smoke.yaml", "--swamp", `${tmp}/none`],
      `${tmp}/run`,
      true,
    );
    assert.equal(missing.code, EXIT.badInput);
    assert.deepEqual(missing.lines, [
      `scenarios/smoke.yaml: error: --swamp: ${tmp}/none does not exist`,
    ]);
  });
});

Deno.test("--swamp refuses a checkout that cannot start in one line, before anything else runs", async () => {
  await withTemp(async (tmp) => {
    await Deno.mkdir(`${tmp}/run`);
    const checkout = `${tmp}/broken`;
    await Deno.mkdir(checkout);
    await Deno.writeTextFile(`${checkout}/main.ts`, 'import "./missing.ts";\n');
    await Deno.writeTextFile(`${checkout}/deno.json`, "{}");
    const run = await runSim(["scenarios/smoke.yaml", "--swamp", checkout], `${tmp}/run`, false);
    assert.equal(run.code, EXIT.badInput, run.lines.join("\n"));
    assert.equal(run.lines.length, 1, run.lines.join("\n"));
    assert.match(
      run.lines[0],
      new RegExp(
        `^scenarios/smoke\\.yaml: error: swamp checkout ${checkout} cannot start: \`main\\.ts --version\` exited with code 1: error: Module not found`,
      ),
    );
    // No workspace, probe dir or report dir is left.
    assert.deepEqual(run.tmpEntries, []);
  });
});
