/**
 * The target of a run, checked and named before anything of the run
 * starts: a swamp checkout is probed alone (`run/target_probe.ts`) and
 * refused with one line when it cannot start (exit 2); every target gets
 * its identity (`run/target_identity.ts`) for the console and the reports.
 *
 * @module
 */

import { Cleanup, exitCodeOf, Interrupted } from "../run/cleanup.ts";
import { denoDir } from "../run/deno_dir.ts";
import { hostDenoNetworkEnv } from "../run/deno_network_env.ts";
import { identifyTarget, type TargetIdentity } from "../run/target_identity.ts";
import { probeTarget } from "../run/target_probe.ts";
import type { RunContext } from "../run/target.ts";
import type { ResolvedTarget, Scenario } from "../scenario/load.ts";
import { EXIT } from "../shared/exit_codes.ts";

/** What {@link checkTarget} needs besides the scenario. */
export interface TargetCheckOptions {
  /** The mutant the run uses (command line or scenario). */
  mutant?: string;
  /** The scenario's own target kind, when `--swamp` replaced it. */
  replacedKind?: ResolvedTarget["kind"];
  /** Install SIGINT/SIGTERM handlers while the probe runs. */
  handleSignals?: boolean;
  log: (line: string) => void;
}

/** The target's identity, or the one line that refuses it and the exit code. */
export type TargetCheck =
  | { ok: true; identity: TargetIdentity }
  | { ok: false; message: string; exitCode: number };

/** Probes a swamp target (other kinds are not probed) and names the target. */
export async function checkTarget(
  scenario: Scenario,
  options: TargetCheckOptions,
): Promise<TargetCheck> {
  const { target } = scenario;
  let version: string | undefined;
  if (target.kind === "swamp") {
    const cleanup = new Cleanup();
    if (options.handleSignals) {
      cleanup.installSignalHandlers((signal) =>
        options.log(`interrupted by ${signal} while probing the target`)
      );
    }
    try {
      // The probe never reaches a registry: port 0 names none.
      const context: RunContext = {
        denoPath: Deno.execPath(),
        denoDir: await denoDir(),
        registryUrl: "http://127.0.0.1:0",
        registryPort: 0,
        networkEnv: hostDenoNetworkEnv(),
      };
      const probe = await probeTarget(target, context, cleanup);
      if (cleanup.interrupted !== undefined) throw new Interrupted(cleanup.interrupted);
      if (!probe.ok) {
        return {
          ok: false,
          message: `${scenario.file}: error: ${probe.problem}`,
          exitCode: EXIT.badInput,
        };
      }
      version = probe.version;
    } catch (error) {
      const signal = cleanup.interrupted ??
        (error instanceof Interrupted ? error.signal : undefined);
      if (signal === undefined) throw error;
      return { ok: false, message: `interrupted by ${signal}`, exitCode: exitCodeOf(signal) };
    } finally {
      await cleanup.dispose();
    }
  }
  return {
    ok: true,
    identity: await identifyTarget(target, {
      mutant: options.mutant,
      ...(version === undefined ? {} : { version }),
      ...(options.replacedKind === undefined ? {} : { replacedKind: options.replacedKind }),
    }),
  };
}
