/**
 * Schedule exploration, the planning half: from the steps each process takes
 * when it runs alone (learned by a solo run of its op, `run/learn.ts`) and
 * the iteration's seeded stream, draw a schedule PCT-style (Burckhardt et
 * al., ASPLOS 2010) and write it down as ordinary pause rules.
 *
 * - **Steps.** A step is one point hit at one phase (`lock.acquire before
 *   #1`), with the resource it touches: the lock (lock, lockfile), the
 *   catalog, or one path of the file tree. Two steps of different processes
 *   conflict when they touch the same resource (for files: the same path, or
 *   a directory and a path under it).
 * - **Draw.** A random priority order over the processes, and `depth - 1`
 *   change points: "when process p has taken its step i, its priority drops
 *   to the change point's label" (labels 1..depth-1, below every initial
 *   priority). Change points are drawn among the steps where a preemption
 *   can matter: right before or right after a conflicting step (the code
 *   between two steps that touch nothing shared commutes with the other
 *   processes). With `crash`, one step that touches a resource, of one
 *   process, becomes a crash.
 * - **Simulate.** The drawn schedule is played on a model of the processes:
 *   at each step the highest-priority process that can move takes its next
 *   step. The model knows two resources, so a schedule never waits on
 *   itself: the advisory lock (an attempt while another process holds it
 *   fails once, then the process waits for the release, as swamp's retry
 *   loop does) and the catalog's write lock (a transaction that meets a
 *   holder waits in SQLite's busy handler and gets the lock when the holder
 *   commits or rolls back). A crashed holder of the advisory lock keeps it:
 *   its waiters run on unpinned (they exhaust their retries).
 * - **Realise.** The played schedule is a list of segments, each one process
 *   running alone. Every segment but the first starts with a pause of its
 *   process at the segment's first step, released (`release: "any"`) when
 *   the previous segment's process reached where that segment ends (the
 *   first step of its next segment, or any later segment start of it, or
 *   the step at which it entered the busy wait), or exited. A process whose
 *   real path strays from its learned steps therefore never holds the
 *   others for longer than its own run; the pause's timeout is a safety net
 *   only, and a pause that times out means the schedule did not happen.
 *
 * Pure: the learned steps and the stream in, the rules and a record of the
 * schedule out. The plan carries both, so a replay plans the same schedule.
 *
 * @module
 */

import { uniformInt } from "pure-rand/distribution/uniformInt";
import type { JumpableRandomGenerator } from "pure-rand/types/JumpableRandomGenerator";
import type { FaultEvent } from "../../faults/event.ts";
import type { EventRef, PointPatterns, ShimRule } from "../../faults/rule.ts";
import type { Phase, Point } from "../../faults/vocabulary.ts";

/** Bounds of the `explore:` block. */
export const EXPLORE_LIMITS = {
  processesMin: 2,
  processesMax: 5,
  depthMin: 1,
  depthMax: 5,
  /** Draws of one iteration's schedule until every change point takes effect. */
  redraws: 16,
} as const;

/** Defaults of the `explore:` block. */
export const EXPLORE_DEFAULTS = {
  depth: 2,
  crash: false,
  /** A safety net: a schedule's pauses are released by events or exits, not by time. */
  pauseTimeoutMs: 20_000,
} as const;

/** The `explore:` block of a scenario, resolved. */
export interface ExploreConfig {
  /** PCT's bug depth d: d - 1 priority change points per schedule. */
  depth: number;
  /** Whether one drawn step of one process becomes a crash. */
  crash: boolean;
  /** Timeout of each pause of a schedule (a safety net). */
  pauseTimeoutMs: number;
  /** Stop the search once this fraction of the coverage pairs was exercised. */
  coverageTarget?: number;
}

/** The layers a step can touch; coverage is reported per layer. */
export const LAYERS = ["lock", "catalog", "files"] as const;

/** A layer a step can touch. */
export type Layer = typeof LAYERS[number];

/** One step of a process: a point hit at a phase, and what it touches. */
export interface Step {
  point: Point;
  phase: Phase;
  hit: number;
  /** `lock`, `catalog` or `files:<path under the pulled-extensions tree>`; none for the rest. */
  resource?: string;
}

/** The steps of each distinct op, learned from a solo run of it, by {@link opKey}. */
export type LearnedSteps = Readonly<Record<string, readonly Step[]>>;

/** A step as a pause or a marker names it. */
export interface StepRef {
  point: Point;
  phase: Phase;
  hit: number;
}

/** One segment of a schedule: a process running alone from one step to where it stops. */
export interface Segment {
  process: number;
  /** Its first step. */
  from: StepRef;
  /** How it ends: parked at a step, waiting in the catalog's busy handler after a step, or exited. */
  until: { parkedAt: StepRef } | { busyAfter: StepRef } | { exit: "done" | "crash" | "gave-up" };
}

/** A change point: once `process` took its learned step `step`, its priority drops to `label`. */
export interface ChangePoint {
  process: number;
  step: number;
  label: number;
}

/** What an iteration's schedule is, as the plan records it. */
export interface ExplorePlan {
  depth: number;
  /** The learned steps of each process (by process index). */
  steps: Step[][];
  /** Process indices, highest initial priority first. */
  priorities: number[];
  changePoints: ChangePoint[];
  /** The step (learned index) of one process that crashes, with `crash`. */
  crash?: { process: number; step: number };
  /** The schedule as played on the model. */
  segments: Segment[];
  /** Change points that took effect (a switch followed). */
  effective: number;
}

/** The key of an op spec in {@link LearnedSteps}: its JSON with sorted keys. */
export function opKey(op: Readonly<Record<string, unknown>>): string {
  return JSON.stringify(Object.fromEntries(Object.entries(op).sort(([a], [b]) => a < b ? -1 : 1)));
}

/** The layer of a resource. */
export function layerOf(resource: string): Layer {
  if (resource === "lock" || resource === "catalog") return resource;
  return "files";
}

/** The resource a point touches at `target` (a path or URL), or undefined. */
export function resourceOf(
  point: Point,
  target: string | undefined,
  patterns: Pick<PointPatterns, "extractDir">,
): string | undefined {
  switch (point) {
    case "lock.acquire":
    case "lock.release":
    case "lockfile.write":
      return "lock";
    case "catalog.begin":
    case "catalog.commit":
    case "catalog.rollback":
      return "catalog";
    case "fs.extract":
    case "fs.remove": {
      const path = target ?? "";
      const at = path.lastIndexOf(patterns.extractDir);
      const rel = at === -1 ? path : path.slice(at + patterns.extractDir.length);
      return `files:${rel.replace(/\/+$/, "")}`;
    }
    default:
      return undefined;
  }
}

/** A logged event as a step. */
export function stepOf(
  event: Pick<FaultEvent, "point" | "phase" | "hit" | "target">,
  patterns: Pick<PointPatterns, "extractDir">,
): Step {
  const resource = resourceOf(event.point, event.target, patterns);
  return {
    point: event.point,
    phase: event.phase,
    hit: event.hit,
    ...(resource === undefined ? {} : { resource }),
  };
}

/** Whether two resources are the same thing (a directory and a path under it count). */
export function conflicts(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined) return false;
  if (a === b) return true;
  if (!a.startsWith("files:") || !b.startsWith("files:")) return false;
  return a.startsWith(`${b}/`) || b.startsWith(`${a}/`);
}

/** `point phase #hit`, e.g. `lock.acquire before #1`. */
export function stepText(s: StepRef): string {
  return `${s.point} ${s.phase} #${s.hit}`;
}

function refOf(s: StepRef): StepRef {
  return { point: s.point, phase: s.phase, hit: s.hit };
}

/** Whether step `i` of process `p` touches something another process's steps touch too. */
function conflicting(steps: readonly (readonly Step[])[], p: number, i: number): boolean {
  const resource = steps[p][i]?.resource;
  if (resource === undefined) return false;
  return steps.some((other, q) => q !== p && other.some((s) => conflicts(resource, s.resource)));
}

/**
 * The change point candidates: (process, learned step) pairs after which a
 * preemption can matter, because that step or the one it parks at
 * conflicts with another process's steps. Never the last step.
 */
export function changePointCandidates(
  steps: readonly (readonly Step[])[],
): Array<{ process: number; step: number }> {
  const out: Array<{ process: number; step: number }> = [];
  steps.forEach((own, p) => {
    for (let i = 0; i + 1 < own.length; i++) {
      if (conflicting(steps, p, i) || conflicting(steps, p, i + 1)) {
        out.push({ process: p, step: i });
      }
    }
  });
  return out;
}

/** The crash candidates: every step that touches a resource. */
export function crashCandidates(
  steps: readonly (readonly Step[])[],
): Array<{ process: number; step: number }> {
  const out: Array<{ process: number; step: number }> = [];
  steps.forEach((own, p) =>
    own.forEach((s, i) => {
      if (s.resource !== undefined) out.push({ process: p, step: i });
    })
  );
  return out;
}

/** One executed step of the model, in schedule order. */
export interface TraceEntry {
  process: number;
  step: StepRef;
  /** The step is the crash: the process dies reaching it. */
  crash?: true;
  /** After taking this step the process waits in the catalog's busy handler. */
  busy?: true;
  /** The process gave up on a lock held by a crashed process and runs on unpinned to its exit. */
  gaveUp?: true;
}

/** Where one process of the model is. */
interface ModelProcess {
  steps: readonly Step[];
  /** Index of the learned step it is at. */
  at: number;
  /** Failed lock attempts so far (they shift later lock.acquire hit numbers). */
  extraLockHits: number;
  /** Whether it is at a failed attempt's `after` step. */
  inFailedAttempt: boolean;
  /** Whether its current acquisition already failed once (it now waits for a release). */
  retrying: boolean;
  /** Whether it waits in the busy handler for the catalog. */
  busy: boolean;
  done: boolean;
  priority: number;
}

/** The schedule a draw plays out to on the model. */
export interface Played {
  trace: TraceEntry[];
  /** Change points that fired and were followed by another process's step. */
  effective: number;
}

/** The step a model process is at, with its actual hit number. */
function current(m: ModelProcess): StepRef {
  const s = m.steps[m.at];
  const hit = s.point === "lock.acquire" ? s.hit + m.extraLockHits : s.hit;
  return { point: s.point, phase: s.phase, hit };
}

/** Plays a drawn schedule on the model of the processes' steps (see the module doc). */
export function playSchedule(
  steps: readonly (readonly Step[])[],
  priorities: readonly number[],
  changePoints: readonly ChangePoint[],
  crash: { process: number; step: number } | undefined,
  depth: number,
): Played {
  const n = steps.length;
  const models: ModelProcess[] = steps.map((own) => ({
    steps: own,
    at: 0,
    extraLockHits: 0,
    inFailedAttempt: false,
    retrying: false,
    busy: false,
    done: own.length === 0,
    priority: 0,
  }));
  priorities.forEach((p, rank) => models[p].priority = depth + n - 1 - rank);
  let lockHolder: number | undefined;
  let lockDead = false;
  let catalogHolder: number | undefined;
  const catalogWaiters: number[] = [];
  const trace: TraceEntry[] = [];
  const fired: Array<{ traceIndex: number }> = [];

  // The process that took the last step: only a running process meets a held catalog (see below).
  let running: number | undefined;
  const enabled = (p: number): boolean => {
    const m = models[p];
    if (m.done || m.busy) return false;
    const s = m.steps[m.at];
    if (!m.inFailedAttempt && s.point === "lock.acquire" && s.phase === "before" && m.retrying) {
      return lockHolder === undefined;
    }
    // A process parked right after its BEGIN waits there for the holder: resumed, it would
    // enter the busy wait at the step it parked at, whose marker is already touched.
    if (
      s.point === "catalog.begin" && s.phase === "after" && p !== running &&
      catalogHolder !== undefined && catalogHolder !== p
    ) {
      return false;
    }
    return true;
  };
  const releaseCatalog = () => {
    catalogHolder = catalogWaiters.shift();
    if (catalogHolder !== undefined) models[catalogHolder].busy = false;
  };
  const finish = (p: number) => {
    models[p].done = true;
    if (catalogHolder === p) releaseCatalog();
    const waiting = catalogWaiters.indexOf(p);
    if (waiting !== -1) catalogWaiters.splice(waiting, 1);
  };

  for (let guard = 0; guard < 100_000; guard++) {
    const ready = models.map((_, p) => p).filter(enabled);
    if (ready.length === 0) {
      const stuck = models.map((_, p) => p).filter((p) => !models[p].done);
      if (stuck.length === 0) break;
      // Only waiters of a lock whose holder crashed can be stuck: they give up, unpinned.
      for (const p of stuck) {
        trace.push({ process: p, step: current(models[p]), gaveUp: true });
        finish(p);
      }
      break;
    }
    const p = ready.reduce((best, q) => models[q].priority > models[best].priority ? q : best);
    running = p;
    const m = models[p];
    const learned = m.at;
    const s = m.steps[learned];
    const ref = current(m);
    if (
      crash !== undefined && crash.process === p && crash.step === learned && !m.inFailedAttempt
    ) {
      trace.push({ process: p, step: ref, crash: true });
      finish(p);
      // A crashed process keeps the advisory lock (a file); SQLite drops its locks.
      if (lockHolder === p) lockDead = true;
      continue;
    }
    if (m.inFailedAttempt) {
      // The failed attempt's `after`; then it sleeps and retries at the same learned step.
      trace.push({ process: p, step: { point: "lock.acquire", phase: "after", hit: ref.hit - 1 } });
      m.inFailedAttempt = false;
      continue;
    }
    const entry: TraceEntry = { process: p, step: ref };
    trace.push(entry);
    if (s.point === "lock.acquire" && s.phase === "before") {
      if (lockHolder !== undefined && lockHolder !== p) {
        if (lockDead) {
          entry.gaveUp = true;
          finish(p);
          continue;
        }
        m.inFailedAttempt = true;
        m.retrying = true;
        m.extraLockHits++;
        continue;
      }
      lockHolder = p;
      m.retrying = false;
    } else if (s.point === "lock.release" && s.phase === "before") {
      if (lockHolder === p) lockHolder = undefined;
    } else if (s.point === "catalog.begin" && s.phase === "after") {
      if (catalogHolder === undefined) catalogHolder = p;
      else if (catalogHolder !== p) {
        m.busy = true;
        entry.busy = true;
        catalogWaiters.push(p);
      }
    } else if (
      (s.point === "catalog.commit" || s.point === "catalog.rollback") && s.phase === "before" &&
      catalogHolder === p
    ) {
      releaseCatalog();
    }
    m.at++;
    if (m.at >= m.steps.length) finish(p);
    for (const cp of changePoints) {
      if (cp.process === p && cp.step === learned) {
        m.priority = cp.label;
        fired.push({ traceIndex: trace.length - 1 });
      }
    }
  }
  const effective = fired.filter(({ traceIndex }) => {
    const next = trace[traceIndex + 1];
    return next !== undefined && next.process !== trace[traceIndex].process;
  }).length;
  return { trace, effective };
}

/** The segments of a played schedule. */
export function segmentsOf(trace: readonly TraceEntry[]): Segment[] {
  const segments: Segment[] = [];
  let start = 0;
  for (let i = 0; i < trace.length; i++) {
    const e = trace[i];
    const next = trace[i + 1];
    const ends = next === undefined || next.process !== e.process || e.crash === true ||
      e.gaveUp === true;
    if (!ends) continue;
    const later = trace.slice(i + 1).find((x) => x.process === e.process);
    let until: Segment["until"];
    if (e.crash) until = { exit: "crash" };
    else if (e.gaveUp) until = { exit: "gave-up" };
    else if (e.busy) until = { busyAfter: refOf(e.step) };
    else if (later === undefined) until = { exit: "done" };
    else until = { parkedAt: refOf(later.step) };
    segments.push({ process: e.process, from: refOf(trace[start].step), until });
    start = i + 1;
  }
  return segments;
}

/**
 * The pause rules that realise `segments`, by process: each segment but the
 * first parks its process at its first step until the previous segment's
 * process got to where that segment ends, got to any later segment start
 * of its own, or exited.
 */
export function scheduleRules(
  segments: readonly Segment[],
  processCount: number,
  pauseTimeoutMs: number,
): ShimRule[][] {
  const rules: ShimRule[][] = Array.from({ length: processCount }, () => []);
  const key = (s: StepRef) => `${s.point} ${s.phase} ${s.hit}`;
  segments.forEach((segment, k) => {
    if (k === 0) return;
    const previous = segments[k - 1];
    const r = previous.process;
    const events: EventRef[] = [];
    const add = (s: StepRef) => {
      if (!events.some((e) => key(e) === key(s))) events.push({ process: r, ...refOf(s) });
    };
    if ("parkedAt" in previous.until) add(previous.until.parkedAt);
    if ("busyAfter" in previous.until) add(previous.until.busyAfter);
    for (const later of segments.slice(k)) if (later.process === r) add(later.from);
    rules[segment.process].push({
      id: `explore[${k}]`,
      at: segment.from.point,
      when: segment.from.phase,
      action: {
        kind: "pause",
        timeoutMs: pauseTimeoutMs,
        untilExitOf: [r],
        ...(events.length === 0 ? {} : { untilEvents: events }),
        release: "any",
      },
      hit: { nth: segment.from.hit },
    });
  });
  return rules;
}

/** Fisher-Yates over 0..n-1 with the stream. */
function shuffled(rng: JumpableRandomGenerator, n: number): number[] {
  const out = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = uniformInt(rng, 0, i);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** `count` distinct items of `items`, in draw order. */
function drawDistinct<T>(rng: JumpableRandomGenerator, items: readonly T[], count: number): T[] {
  const pool = [...items];
  const out: T[] = [];
  while (out.length < count && pool.length > 0) {
    out.push(pool.splice(uniformInt(rng, 0, pool.length - 1), 1)[0]);
  }
  return out;
}

/** One iteration's schedule: its record for the plan and the rules per process. */
export interface DrawnSchedule {
  plan: ExplorePlan;
  /** Rules by process index: the crash first (it wins at its step), then the pauses. */
  rules: ShimRule[][];
}

/**
 * Draws one iteration's schedule from `rng` (after the planner's other
 * draws) and realises it. Up to {@link EXPLORE_LIMITS}.redraws draws are
 * made until every change point takes effect; the last is kept otherwise.
 */
export function drawSchedule(
  steps: readonly Step[][],
  config: ExploreConfig,
  rng: JumpableRandomGenerator,
): DrawnSchedule {
  const n = steps.length;
  const candidates = changePointCandidates(steps);
  const crashes = config.crash ? crashCandidates(steps) : [];
  const wanted = Math.max(0, config.depth - 1);
  let chosen:
    | {
      priorities: number[];
      changePoints: ChangePoint[];
      crash?: { process: number; step: number };
      played: Played;
    }
    | undefined;
  for (let attempt = 0; attempt < EXPLORE_LIMITS.redraws; attempt++) {
    const priorities = shuffled(rng, n);
    const changePoints = drawDistinct(rng, candidates, wanted).map((c, i) => ({
      ...c,
      label: i + 1,
    }));
    const crash = crashes.length === 0
      ? undefined
      : crashes[uniformInt(rng, 0, crashes.length - 1)];
    const played = playSchedule(steps, priorities, changePoints, crash, config.depth);
    chosen = { priorities, changePoints, ...(crash === undefined ? {} : { crash }), played };
    if (played.effective === changePoints.length) break;
  }
  const { priorities, changePoints, crash, played } = chosen!;
  const segments = segmentsOf(played.trace);
  const pauses = scheduleRules(segments, n, config.pauseTimeoutMs);
  const rules = pauses.map((own, p) => {
    if (crash === undefined || crash.process !== p) return own;
    const crashEntry = played.trace.find((e) => e.crash === true);
    const at = crashEntry?.step ?? refOf(steps[p][crash.step]);
    const crashRule: ShimRule = {
      id: "explore-crash",
      at: at.point,
      when: at.phase,
      action: { kind: "crash" },
      hit: { nth: at.hit },
    };
    return [crashRule, ...own];
  });
  return {
    plan: {
      depth: config.depth,
      steps: steps.map((own) => own.map((s) => ({ ...s }))),
      priorities,
      changePoints,
      ...(crash === undefined ? {} : { crash }),
      segments,
      effective: played.effective,
    },
    rules,
  };
}

/** A schedule in words, one segment after another: `p1 start..exit | p0 ...`. */
export function scheduleText(plan: Pick<ExplorePlan, "segments">): string {
  return plan.segments.map((s) => {
    const until = "parkedAt" in s.until
      ? `parked at ${stepText(s.until.parkedAt)}`
      : "busyAfter" in s.until
      ? `busy after ${stepText(s.until.busyAfter)}`
      : s.until.exit === "done"
      ? "exit"
      : s.until.exit;
    return `p${s.process} ${stepText(s.from)} .. ${until}`;
  }).join(" | ");
}
