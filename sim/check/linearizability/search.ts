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
 * Three reductions keep it small, none of which loses an order:
 *
 * - Memoisation: a configuration (state, how far each op got) already
 *   explored is not explored again, as WGL caches (state, linearized set).
 * - Symmetry: among ops not yet started with equal `signature` (the same
 *   steps and answers), only the one that completes first is tried. If an
 *   order places an identical op b first and a later, giving each i-th step
 *   of the two the earlier of their two instants for a (the one completing
 *   first) keeps every step in its window and the states unchanged.
 * - Reads first: a step marked `read` never changes the state. When one can
 *   come next and holds in the current state, and placing it closes no info
 *   op, it is placed at once and nothing else is tried there: any order that
 *   places it later can place it now instead (the states between are the
 *   same, its window allows it, and no op is pushed out of its own).
 *
 * Cost is bounded by `configurationsMax`; reaching it is `unknown`, never a
 * pass.
 *
 * @module
 */

/** One atomic step: the states it may lead to from a state (none: impossible there). */
export interface SearchStep<S> {
  next(state: S): readonly S[];
  /** The step leaves every state it holds in unchanged (a read). */
  read?: boolean;
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

/** Most ops one search takes (the order is built by recursion, one level per step). */
export const SEARCH_OPS_MAX = 4_000;
/** Longest chain of steps of one op. */
export const SEARCH_STEPS_PER_OP_MAX = 1_000;

class LimitReached extends Error {}

/** The moves the search may make from one configuration. */
class Frontier<S> {
  readonly progress: Uint16Array;
  requiredLeft = 0;
  readonly byCompletion: number[];
  /** The ops that may be left out: the only ones placing a step can close. */
  readonly optional: number[];

  constructor(readonly ops: readonly SearchOp<S>[]) {
    this.progress = new Uint16Array(ops.length);
    this.optional = [...ops.keys()].filter((i) => !ops[i].required);
    for (const op of ops) if (op.required && op.steps.length > 0) this.requiredLeft++;
    this.byCompletion = [...ops.keys()].sort((a, b) =>
      ops[a].completeMs - ops[b].completeMs || ops[a].invokeMs - ops[b].invokeMs || a - b
    );
  }

  key(): string {
    let key = "";
    const n = this.progress.length;
    for (let i = 0; i < n; i += 4096) {
      const chunk = this.progress.subarray(i, Math.min(n, i + 4096));
      key += String.fromCharCode.apply(null, chunk as unknown as number[]);
    }
    return key;
  }

  /** The earliest completion among required ops not yet placed in full. */
  deadline(): number {
    let deadline = Infinity;
    for (let i = 0; i < this.ops.length; i++) {
      const op = this.ops[i];
      if (op.required && this.progress[i] < op.steps.length && op.completeMs < deadline) {
        deadline = op.completeMs;
      }
    }
    return deadline;
  }

  /** Whether op `i`'s next step may come next. */
  candidate(i: number, deadline: number): boolean {
    const op = this.ops[i];
    return this.progress[i] < op.steps.length && op.invokeMs <= deadline;
  }

  /** Whether placing a step of op `i` would close some info op. */
  closesAny(i: number): boolean {
    const invokeMs = this.ops[i].invokeMs;
    for (const j of this.optional) {
      const other = this.ops[j];
      if (j !== i && this.progress[j] < other.steps.length && other.completeMs < invokeMs) {
        return true;
      }
    }
    return false;
  }

  /** Places op `i`'s next step; returns how to undo it. */
  place(i: number): () => void {
    const op = this.ops[i];
    const at = this.progress[i];
    const closed: Array<[number, number]> = [];
    for (const j of this.optional) {
      const other = this.ops[j];
      if (j !== i && this.progress[j] < other.steps.length && other.completeMs < op.invokeMs) {
        closed.push([j, this.progress[j]]);
        this.progress[j] = other.steps.length;
      }
    }
    this.progress[i] = at + 1;
    const finishes = op.required && at + 1 === op.steps.length;
    if (finishes) this.requiredLeft--;
    return () => {
      if (finishes) this.requiredLeft++;
      this.progress[i] = at;
      for (const [j, p] of closed) this.progress[j] = p;
    };
  }

  /**
   * A read step that may come next, holds in `state` and closes nothing:
   * placing it now loses no order. Returns its op index, or -1.
   */
  safeRead(state: S, deadline: number, except = -1): number {
    for (const i of this.byCompletion) {
      if (i === except || !this.candidate(i, deadline)) continue;
      const step = this.ops[i].steps[this.progress[i]];
      if (step.read !== true || this.closesAny(i)) continue;
      if (step.next(state).length > 0) return i;
    }
    return -1;
  }
}

function checkSizes<S>(ops: readonly SearchOp<S>[]): string | undefined {
  if (ops.length > SEARCH_OPS_MAX) return `${ops.length} ops exceed the search's ${SEARCH_OPS_MAX}`;
  const long = ops.findIndex((o) => o.steps.length > SEARCH_STEPS_PER_OP_MAX);
  return long === -1
    ? undefined
    : `op ${long} has ${ops[long].steps.length} steps, more than ${SEARCH_STEPS_PER_OP_MAX}`;
}

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
  const tooBig = checkSizes(ops);
  if (tooBig !== undefined) return { status: "unknown", reason: tooBig, configurations: 0 };
  const f = new Frontier(ops);
  const visited = new Set<string>();
  const order: PlacedStep[] = [];

  const tryStep = (i: number, state: S): boolean => {
    const step = ops[i].steps[f.progress[i]];
    const nexts = step.next(state);
    if (nexts.length === 0) return false;
    order.push({ op: i, step: f.progress[i] });
    const undo = f.place(i);
    for (const next of nexts) {
      if (dfs(next)) return true;
    }
    undo();
    order.pop();
    return false;
  };

  const dfs = (state: S): boolean => {
    if (f.requiredLeft === 0) return true;
    const key = `${keyOf(state)}\u0000${f.key()}`;
    if (visited.has(key)) return false;
    if (visited.size >= limits.configurationsMax) throw new LimitReached();
    visited.add(key);
    const deadline = f.deadline();
    const read = f.safeRead(state, deadline);
    if (read !== -1) return tryStep(read, state);
    const triedSignatures = new Set<string>();
    for (const i of f.byCompletion) {
      if (!f.candidate(i, deadline)) continue;
      if (f.progress[i] === 0) {
        if (triedSignatures.has(ops[i].signature)) continue;
        triedSignatures.add(ops[i].signature);
      }
      if (tryStep(i, state)) return true;
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

/** Where op `target` can be placed in some complete order: per step, the states before it. */
export interface Placements<S> {
  /** Per step of the target op, the distinct states it can be placed in. */
  before: S[][];
  /** Whether every configuration was explored (false: the bound was reached). */
  complete: boolean;
}

/**
 * Every state from which op `target`'s steps are placed in some complete
 * order (the same rules as {@link searchLinearization}; the reads-first rule
 * never moves the target, so all its places are seen). For explaining small
 * sets of ops.
 */
export function placementsOf<S>(
  ops: readonly SearchOp<S>[],
  initial: S,
  keyOf: (state: S) => string,
  target: number,
  limits: SearchLimits,
): Placements<S> {
  const tooBig = checkSizes(ops);
  const before: Array<Map<string, S>> = (ops[target]?.steps ?? []).map(() => new Map());
  if (tooBig !== undefined) return { before: [], complete: false };
  const f = new Frontier(ops);
  const completes = new Map<string, boolean>();
  let complete = true;

  const explore = (state: S): boolean => {
    if (f.requiredLeft === 0 && f.progress[target] >= ops[target].steps.length) return true;
    const key = `${keyOf(state)}\u0000${f.key()}`;
    const known = completes.get(key);
    if (known !== undefined) return known;
    if (completes.size >= limits.configurationsMax) {
      complete = false;
      return false;
    }
    completes.set(key, false);
    const deadline = f.deadline();
    let any = f.requiredLeft === 0;
    const read = f.safeRead(state, deadline, target);
    const choices = read !== -1 ? [read] : f.byCompletion.filter((i) => f.candidate(i, deadline));
    for (const i of choices) {
      const at = f.progress[i];
      const nexts = ops[i].steps[at].next(state);
      if (nexts.length === 0) continue;
      const undo = f.place(i);
      for (const next of nexts) {
        if (explore(next)) {
          any = true;
          if (i === target) before[at].set(keyOf(state), state);
        }
      }
      undo();
    }
    completes.set(key, any);
    return any;
  };
  explore(initial);
  return { before: before.map((m) => [...m.values()]), complete };
}
