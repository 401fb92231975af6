/**
 * Verdicts and the context every invariant reads. An invariant is a pure
 * function from a {@link CheckContext} to a {@link Verdict}; it never
 * touches the world.
 *
 * @module
 */

import type { FixtureSpec } from "../../scenario/fixture.ts";
import type { History } from "../../record/history.ts";
import type { InvariantId } from "../../shared/invariant_ids.ts";
import type { OutcomeClass } from "../../shared/outcome.ts";
import type { PhaseExpectation } from "../../scenario/load.ts";
import type { Snapshot } from "../../record/snapshot.ts";
import type { OpKind } from "../../../faults/vocabulary.ts";

/** After the faulty run, or after the recovery steps. */
export type CheckPhase = "run" | "recovery";

/** Three-valued, as Jepsen's checkers: unknown means the checker could not decide. */
export type VerdictStatus = "valid" | "invalid" | "unknown";

/** What a verdict points at. */
export interface Evidence {
  processes?: number[];
  /** Process labels of the ops a verdict is about (`p3`, `r0`); the timeline marks them. */
  ops?: string[];
  paths?: string[];
  rows?: string[];
  entries?: string[];
}

/** One invariant's verdict in one phase. */
export interface Verdict {
  invariant: InvariantId;
  phase: CheckPhase;
  status: VerdictStatus;
  /** One or more sentences a maintainer can read. */
  explanation: string;
  evidence: Evidence;
}

/** Everything an invariant may read. */
export interface CheckContext {
  phase: CheckPhase;
  snapshot: Snapshot;
  /** The ops up to this phase: set-up and run, plus recovery in the recovery phase. */
  history: History;
  fixture: FixtureSpec;
  /** Whether the fixture has a genuine type conflict. */
  typeConflict: boolean;
  /** Lockfile versions right after set-up, per extension. */
  initial: Record<string, string>;
  /** Allowed outcome classes per op kind, as the scenario declares them. */
  outcomes: Partial<Record<OpKind, OutcomeClass[]>>;
  /** The scenario's expectations for this phase. */
  expect: PhaseExpectation;
  /** Wall clock of the workload's t0, for readable times. */
  t0Ms: number;
}

/** An invariant: a name and a pure check. */
export interface Invariant {
  id: InvariantId;
  check(ctx: CheckContext): Omit<Verdict, "invariant" | "phase">;
}

/** Shorthand for a valid verdict body. */
export function valid(
  explanation: string,
  evidence: Evidence = {},
): Omit<Verdict, "invariant" | "phase"> {
  return { status: "valid", explanation, evidence };
}

/** Shorthand for an invalid verdict body. */
export function invalid(
  explanation: string,
  evidence: Evidence = {},
): Omit<Verdict, "invariant" | "phase"> {
  return { status: "invalid", explanation, evidence };
}

/** Shorthand for an unknown verdict body. */
export function unknown(
  explanation: string,
  evidence: Evidence = {},
): Omit<Verdict, "invariant" | "phase"> {
  return { status: "unknown", explanation, evidence };
}

/** At most `max` items of a list, joined, with a count of the rest. */
export function listSome(items: readonly string[], max = 5): string {
  const shown = items.slice(0, max).join(", ");
  return items.length > max ? `${shown} and ${items.length - max} more` : shown;
}
