/**
 * What a run names its target by, in the console, `summary.json`,
 * `timeline.html` and `junit.xml`: the kind, and for a swamp checkout its
 * dir, its commit (and how that is known) and the version it printed when
 * probed; for the reference its mutant; when `--swamp` replaced the
 * scenario's own target, that target's kind.
 *
 * @module
 */

import type { ResolvedTarget } from "../scenario/load.ts";
import { type SwampCommit, swampCommit } from "./swamp_checkout.ts";

/** A run's target, as reports name it. */
export interface TargetIdentity {
  kind: ResolvedTarget["kind"];
  /** One line naming the target (see {@link targetLabel}). */
  label: string;
  /** reference: the mutant, if any. */
  mutant?: string;
  /** swamp: the checkout dir. */
  checkout?: string;
  /** swamp: which commit the checkout is. */
  commit?: SwampCommit;
  /** swamp: the first line the probe's `--version` printed. */
  version?: string;
  /** The kind the scenario file names, when the command line replaced its target. */
  replacedKind?: ResolvedTarget["kind"];
}

/** The commit as one phrase: `06b6147274f2... (git)`, `... (git, uncommitted changes)`, `unknown commit`. */
export function commitText(commit: SwampCommit): string {
  if (commit.source === "unknown") return "unknown commit";
  return `${commit.commit} (${commit.source}${
    commit.dirty === true ? ", uncommitted changes" : ""
  })`;
}

/** One line naming the target of `identity` (pure). */
export function targetLabel(identity: Omit<TargetIdentity, "label">): string {
  const replaced = identity.replacedKind === undefined
    ? ""
    : ` (--swamp replaces the scenario's ${identity.replacedKind} target)`;
  switch (identity.kind) {
    case "reference":
      return `reference${identity.mutant === undefined ? "" : ` with mutant ${identity.mutant}`}`;
    case "swamp":
      return `swamp checkout ${identity.checkout ?? "?"} at ${
        identity.commit === undefined ? "unknown commit" : commitText(identity.commit)
      }${replaced}`;
    default:
      return identity.kind;
  }
}

/** What {@link identifyTarget} is told besides the target. */
export interface IdentifyOptions {
  /** The mutant the run uses (command line or scenario). */
  mutant?: string;
  /** The version line the probe read. */
  version?: string;
  /** The scenario's own kind, when the command line replaced it. */
  replacedKind?: ResolvedTarget["kind"];
}

/** The identity of `target`; a swamp checkout's commit is read from git or `build-info.txt`. */
export async function identifyTarget(
  target: ResolvedTarget,
  options: IdentifyOptions = {},
): Promise<TargetIdentity> {
  const facts: Omit<TargetIdentity, "label"> = {
    kind: target.kind,
    ...(target.kind === "reference" && options.mutant !== undefined
      ? { mutant: options.mutant }
      : {}),
    ...(target.kind === "swamp" && target.checkout !== undefined
      ? { checkout: target.checkout, commit: await swampCommit(target.checkout) }
      : {}),
    ...(options.version === undefined ? {} : { version: options.version }),
    ...(options.replacedKind === undefined ? {} : { replacedKind: options.replacedKind }),
  };
  return { ...facts, label: targetLabel(facts) };
}
