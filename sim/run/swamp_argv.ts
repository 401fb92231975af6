/**
 * swamp's command words for each op (contract §1). The simulator always asks
 * for `--json` and names the repo with `--repo-dir`, so every target is
 * driven the same way whatever its cwd.
 *
 * @module
 */

import type { OpSpec } from "../scenario/load.ts";

/** The swamp argv (without the program) that runs `op` against `repoDir`. */
export function swampArgv(op: OpSpec | { op: "init" }, repoDir: string): string[] {
  switch (op.op) {
    case "init":
      return ["init", repoDir, "--json"];
    case "pull":
      return [
        "extension",
        "pull",
        op.ref,
        "--json",
        "--repo-dir",
        repoDir,
        ...(op.force ? ["--force"] : []),
      ];
    case "rm":
      return ["extension", "rm", op.name, "--json", "--repo-dir", repoDir];
    case "update":
      return [
        "extension",
        "update",
        ...(op.name === undefined ? [] : [op.name]),
        "--json",
        "--repo-dir",
        repoDir,
      ];
    case "list":
      return ["extension", "list", "--json", "--repo-dir", repoDir];
    case "doctor":
      return [
        "doctor",
        "extensions",
        "--json",
        "--repo-dir",
        repoDir,
        ...(op.repair ? ["--repair"] : []),
        ...(op.dryRun ? ["--dry-run"] : []),
      ];
  }
}
