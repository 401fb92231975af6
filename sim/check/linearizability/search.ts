/**
 * The Wing-Gong-Lowe linearizability search, as Knossos runs it, over ops
 * that are chains of atomic steps.
 *
 * Each op has a real-time window [invokeMs, completeMs] and a chain of steps
 * that take effect in order, each at some instant inside the window. The
 * search builds a total order of steps from the front: a step may come next
 * when its op's earlier steps are placed and no op that must still be placed
 * completed before its op was invoked. Each step maps a state to the states
 * it may lead to (none: it cannot happen there, e.g. its answer is one the
 * model does not give from that state). `required` ops (ok, fail) must be
 * placed in full; the others (info) may stop part-way or never start, and
 * once the order passes their completion they are closed (a process that
 * exited acts no more).
 *
 * Memoisation: a configuration (state, how far each op got) already explored
 * is not explored again, as in WGL's cache of (state, linearized set).
 * Symmetry: among ops not yet started with equal `signature` (the same steps
 * and answers), only the one that completes first is tried; placing an
 * identical op with a later completion first never succeeds where the other
 * would fail (exchange argument: giving each i-th step of the two ops the
 * earlier of their two instants to the earlier-completing op keeps every
 * step in its window and the state sequence unchanged).
 *
 * Cost is bounded by `configurationsMax`; reaching it is `unknown`, never a
 * pass.
 *
 * @module
 */

/** One atomic step: the states it may lead to from a state (none: impossible there). */
export interface SearchStep<S> {
  next(state: S): readonly S[];
}

/** One op: a window, a chain of steps, and whether it must be placed. */
export interface SearchOp<S> {
  invokeMs: number;
  completeMs: number;
  /** ok and fail ops must be placed in full; info ops may stop part-way or be left out. */
  required: boolean;
  steps: readonly SearchStep<S>[];
  /** Ops with equal signatures have identical steps; see the module doc. */
  signature: string;
}

/** Cost bounds of one search. */
export interface SearchLimits {
  /** Distinct configurations explored before giving up with `unknown`. */
  configurationsMax: number;
}

/** A step placed in the order: op index and step index. */
export interface PlacedStep {
  op: number;
  step: number;
}

/** The outcome of one search. */
export type SearchResult =
  | { status: "linearizable"; order: PlacedStep[]; configurations: number }
  | { status: "not-linearizable"; configurations: number }
  | { status: "unknown"; reason: string; configurations: number };

/** Most ops one search takes (progress is kept in 16 bits per op). */
export const SEARCH_OPS_MAX = 4_000;
/** Longest chain of steps of one op. */
export const SEARCH_STEPS_PER_OP_MAX = 1_000;

class LimitReached extends Error {}

/**
 * Searches for an order of the ops' steps that respects real time and that
 * every step accepts, starting from `initial`. Pure.
 */
export function searchLinearization<S>(
  ops: readonly SearchOp<S>[],
  initial: S,
  keyOf: (state: S) => string,
  limits: SearchLimits,
): SearchResult {
  if (ops.length > SEARCH_OPS_MAX) {
    return {
      status: "unknown",
      reason: `${ops.length} ops exceed the search's ${SEARCH_OPS_MAX}`,
      configurations: 0,
    };
  }
  const long = ops.findIndex((o) => o.steps.length > SEARCH_STEPS_PER_OP_MAX);
  if (long !== -1) {
    return {
      status: "unknown",
      reason: `op ${long} has ${
        ops[long].steps.length
      } steps, more than ${SEARCH_STEPS_PER_OP_MAX}`,
      configurations: 0,
    };
  }
  const n = ops.length;
  const progress = new Uint16Array(n);
  const byCompletion = [...ops.keys()].sort((a, b) =>
    ops[a].completeMs - ops[b].completeMs || ops[a].invokeMs - ops[b].invokeMs || a - b
  );
  let requiredLeft = 0;
  for (const op of ops) {
    if (op.required && op.steps.length > 0) requiredLeft++;
  }
  const visited = new Set<string>();
  const order: PlacedStep[] = [];

  const progressKey = (): string => {
    let key = "";
    for (let i = 0; i < n; i += 4096) {
      key += String.fromCharCode(...progress.subarray(i, Math.min(n, i + 4096)));
    }
    return key;
  };

  const dfs = (state: S): boolean => {
    if (requiredLeft === 0) return true;
    const key = `${keyOf(state)}\u0000${progressKey()}`;
    if (visited.has(key)) return false;
    if (visited.size >= limits.configurationsMax) throw new LimitReached();
    visited.add(key);
    let deadline = Infinity;
    for (let i = 0; i < n; i++) {
      const op = ops[i];
      if (op.required && progress[i] < op.steps.length && op.completeMs < deadline) {
        deadline = op.completeMs;
      }
    }
    const triedSignatures = new Set<string>();
    for (const i of byCompletion) {
      const op = ops[i];
      const at = progress[i];
      if (at >= op.steps.length || op.invokeMs > deadline) continue;
      if (at === 0) {
        if (triedSignatures.has(op.signature)) continue;
        triedSignatures.add(op.signature);
      }
      const nexts = op.steps[at].next(state);
      if (nexts.length === 0) continue;
      // Info ops that completed before this op began can act no more.
      const closed: Array<[number, number]> = [];
      for (let j = 0; j < n; j++) {
        const other = ops[j];
        if (
          j !== i && !other.required && progress[j] < other.steps.length &&
          other.completeMs < op.invokeMs
        ) {
          closed.push([j, progress[j]]);
          progress[j] = other.steps.length;
        }
      }
      progress[i] = at + 1;
      const finishes = op.required && at + 1 === op.steps.length;
      if (finishes) requiredLeft--;
      order.push({ op: i, step: at });
      for (const next of nexts) {
        if (dfs(next)) return true;
      }
      order.pop();
      if (finishes) requiredLeft++;
      progress[i] = at;
      for (const [j, p] of closed) progress[j] = p;
    }
    return false;
  };

  try {
    const found = dfs(initial);
    return found
      ? { status: "linearizable", order, configurations: visited.size }
      : { status: "not-linearizable", configurations: visited.size };
  } catch (error) {
    if (!(error instanceof LimitReached)) throw error;
    return {
      status: "unknown",
      reason: `the search reached its bound of ${limits.configurationsMax} configurations`,
      configurations: visited.size,
    };
  }
}

/** One placed step of an enumerated order, with the states around it. */
export interface TracedStep<S> extends PlacedStep {
  before: S;
  after: S;
}

/**
 * Visits every complete order of the ops' steps (the same rules as
 * {@link searchLinearization}, without memoisation or symmetry), calling
 * `onOrder` with each; stops after `nodesMax` placements. Returns whether it
 * visited them all. For explaining small sets of ops, not for checking.
 */
export function enumerateOrders<S>(
  ops: readonly SearchOp<S>[],
  initial: S,
  onOrder: (trace: readonly TracedStep<S>[]) => void,
  nodesMax: number,
): boolean {
  const n = ops.length;
  const progress = new Array<number>(n).fill(0);
  let requiredLeft = ops.filter((o) => o.required && o.steps.length > 0).length;
  const trace: TracedStep<S>[] = [];
  let nodes = 0;
  const visit = (state: S): boolean => {
    if (requiredLeft === 0) {
      onOrder(trace);
    }
    let deadline = Infinity;
    for (let i = 0; i < n; i++) {
      if (ops[i].required && progress[i] < ops[i].steps.length) {
        deadline = Math.min(deadline, ops[i].completeMs);
      }
    }
    for (let i = 0; i < n; i++) {
      const op = ops[i];
      const at = progress[i];
      if (at >= op.steps.length || op.invokeMs > deadline) continue;
      const closed: Array<[number, number]> = [];
      for (let j = 0; j < n; j++) {
        if (
          j !== i && !ops[j].required && progress[j] < ops[j].steps.length &&
          ops[j].completeMs < op.invokeMs
        ) {
          closed.push([j, progress[j]]);
          progress[j] = ops[j].steps.length;
        }
      }
      progress[i] = at + 1;
      const finishes = op.required && at + 1 === op.steps.length;
      if (finishes) requiredLeft--;
      for (const after of op.steps[at].next(state)) {
        if (++nodes > nodesMax) return false;
        trace.push({ op: i, step: at, before: state, after });
        const all = visit(after);
        trace.pop();
        if (!all) return false;
      }
      if (finishes) requiredLeft++;
      progress[i] = at;
      for (const [j, p] of closed) progress[j] = p;
    }
    return true;
  };
  return visit(initial);
}
