/**
 * The shim's state and decisions for one process: hit numbers per point,
 * which rule fires at a hit and phase, the event log, and taking the action.
 * The runtime calls it reaches (clock, sleeping, killing, the log file) come
 * in through {@link ShimIo}, so it runs unpatched APIs only and tests can
 * drive it directly.
 *
 * @module
 */

import type { FaultEvent } from "../event.ts";
import { delayFor, hitFires } from "../hit.ts";
import {
  eventMarkerPath,
  type EventRef,
  PAUSE_POLL_MS,
  type PauseRelease,
  pauseReleased,
  type ShimConfig,
  type ShimRule,
} from "../rule.ts";
import { type ErrorCode, LIMITS, type Phase, type Point } from "../vocabulary.ts";

/** The runtime services the shim uses, all taken before any patch is installed. */
export interface ShimIo {
  /** Appends one line (newline included) to the event log, synchronously. */
  appendLine(line: string): void;
  /** Wall clock in ms with sub-ms precision. */
  nowMs(): number;
  /** OS process id. */
  pid: number;
  /** SIGKILLs this process at once; never returns. */
  kill(): never;
  /** Blocks the thread for `ms` (sync APIs cannot yield). */
  sleepSync(ms: number): void;
  /** Resolves after `ms`. */
  sleep(ms: number): Promise<void>;
  /** Whether `path` exists. */
  exists(path: string): boolean;
  /** Creates an empty file at `path` (a marker other processes poll for). */
  touch(path: string): void;
}

/** An error the shim raises: a rule's error code, or `EEXIST` for `contend`. */
export type RaisedError = ErrorCode | "EEXIST";

/** Builds the runtime's own error for a step (see `_errors.ts`). */
export type ErrorFactory = (code: RaisedError) => Error;

/** What to do at one hit and phase. */
export type Decision =
  | { kind: "none" }
  | { kind: "delay"; rule: string; delayMs: number }
  | { kind: "crash"; rule: string }
  | { kind: "error"; rule: string; error: RaisedError }
  | {
    kind: "pause";
    rule: string;
    timeoutMs: number;
    untilExitOf: readonly number[];
    untilEvents: readonly EventRef[];
    release: PauseRelease;
  };

type EventFields = Omit<FaultEvent, "seq" | "process" | "pid">;

/** One process's fault state; see the module doc. */
export class ShimRuntime {
  readonly #config: ShimConfig;
  readonly #io: ShimIo;
  readonly #rules = new Map<string, ShimRule[]>();
  readonly #hits = new Map<Point, number>();
  readonly #publish: ReadonlySet<string>;
  #seq = 0;
  #capped = false;

  constructor(config: ShimConfig, io: ShimIo) {
    this.#config = config;
    this.#io = io;
    for (const rule of config.rules) {
      const key = `${rule.at} ${rule.when}`;
      const list = this.#rules.get(key) ?? [];
      list.push(rule);
      this.#rules.set(key, list);
    }
    this.#publish = new Set((config.publish ?? []).map((e) => `${e.point} ${e.phase} ${e.hit}`));
  }

  /** Announces reaching a point and phase when another process's pause waits for it. */
  #announce(point: Point, phase: Phase, hit: number): void {
    if (this.#publish.size === 0 || !this.#publish.has(`${point} ${phase} ${hit}`)) return;
    this.#io.touch(
      eventMarkerPath(this.#config.controlDir, this.#config.process, { point, phase, hit }),
    );
  }

  /** The next hit number of `point` in this process, from 1. */
  nextHit(point: Point): number {
    const hit = (this.#hits.get(point) ?? 0) + 1;
    this.#hits.set(point, hit);
    return hit;
  }

  /** The first rule (in config order) that fires at this point, phase and hit, as a decision. */
  decide(point: Point, phase: Phase, hit: number): Decision {
    for (const rule of this.#rules.get(`${point} ${phase}`) ?? []) {
      if (!hitFires(rule.hit, hit, rule.action)) continue;
      const action = rule.action;
      switch (action.kind) {
        case "delay":
          return { kind: "delay", rule: rule.id, delayMs: delayFor(action, hit) };
        case "crash":
          return { kind: "crash", rule: rule.id };
        case "error":
          return { kind: "error", rule: rule.id, error: action.error };
        case "contend":
          return { kind: "error", rule: rule.id, error: "EEXIST" };
        case "pause":
          return {
            kind: "pause",
            rule: rule.id,
            timeoutMs: action.timeoutMs,
            untilExitOf: action.untilExitOf,
            untilEvents: action.untilEvents ?? [],
            release: action.release ?? "all",
          };
      }
    }
    return { kind: "none" };
  }

  /**
   * Runs a synchronous step as one hit of `point`: evaluates `before`, runs
   * the step unless an action stops it, evaluates `after`, and returns or
   * throws exactly what the step did unless an action says otherwise.
   */
  runSync<T>(point: Point, target: string, step: () => T, errorFor: ErrorFactory): T {
    const hit = this.nextHit(point);
    this.#applySync(this.decide(point, "before", hit), point, "before", hit, target, errorFor);
    let result: T | undefined;
    let failure: unknown;
    let threw = false;
    try {
      result = step();
    } catch (error) {
      threw = true;
      failure = error;
    }
    const after = this.decide(point, "after", hit);
    this.#applySync(after, point, "after", hit, target, errorFor, threw);
    if (threw) throw failure;
    return result as T;
  }

  /**
   * {@link runSync} for a step that returns a promise. Unless a `before`
   * delay or pause holds it, the step starts synchronously within this call,
   * as the unpatched call would (and a step that throws synchronously still
   * does); delays and pauses yield to the event loop.
   */
  runAsync<T>(
    point: Point,
    target: string,
    step: () => Promise<T>,
    errorFor: ErrorFactory,
    discard?: (result: T) => Promise<void>,
  ): Promise<T> {
    const hit = this.nextHit(point);
    const before = this.decide(point, "before", hit);
    if (before.kind === "delay" || before.kind === "pause") {
      const held = async () => {
        await this.#applyAsync(before, point, "before", hit, target, errorFor);
        let pending: Promise<T>;
        try {
          pending = step();
        } catch (error) {
          pending = Promise.reject(error);
        }
        return await this.#settle(point, hit, target, pending, errorFor, discard);
      };
      return held();
    }
    try {
      this.#applySync(before, point, "before", hit, target, errorFor);
    } catch (error) {
      return Promise.reject(error); // an async call reports its errors by rejecting
    }
    let pending: Promise<T>;
    try {
      pending = step();
    } catch (error) {
      this.#applySync(
        this.decide(point, "after", hit),
        point,
        "after",
        hit,
        target,
        errorFor,
        true,
      );
      throw error;
    }
    return this.#settle(point, hit, target, pending, errorFor, discard);
  }

  /** Waits for a started async step, then evaluates its `after` phase. */
  async #settle<T>(
    point: Point,
    hit: number,
    target: string,
    pending: Promise<T>,
    errorFor: ErrorFactory,
    discard: ((result: T) => Promise<void>) | undefined,
  ): Promise<T> {
    let result: T | undefined;
    let failure: unknown;
    let threw = false;
    try {
      result = await pending;
    } catch (error) {
      threw = true;
      failure = error;
    }
    const after = this.decide(point, "after", hit);
    if (after.kind === "error" && !threw && discard !== undefined) await discard(result as T);
    await this.#applyAsync(after, point, "after", hit, target, errorFor, threw);
    if (threw) throw failure;
    return result as T;
  }

  /** A process point (`process.start`, `process.exit`): its one `before` phase, blocking. */
  processPointSync(point: Point): void {
    const hit = this.nextHit(point);
    this.#applySync(this.decide(point, "before", hit), point, "before", hit, undefined, noError);
  }

  #applySync(
    decision: Decision,
    point: Point,
    phase: Phase,
    hit: number,
    target: string | undefined,
    errorFor: ErrorFactory,
    threw?: boolean,
  ): void {
    const fields = this.#fields(decision, point, phase, hit, target, threw);
    this.#announce(point, phase, hit);
    if (decision.kind === "delay") {
      this.#log(fields);
      this.#io.sleepSync(decision.delayMs);
      return;
    }
    if (decision.kind === "pause") {
      const startMs = this.#io.nowMs();
      let released = this.#released(decision);
      while (!released && this.#io.nowMs() - startMs < decision.timeoutMs) {
        this.#io.sleepSync(PAUSE_POLL_MS);
        released = this.#released(decision);
      }
      this.#logPause(fields, startMs, released);
      return;
    }
    this.#finish(decision, fields, errorFor);
  }

  async #applyAsync(
    decision: Decision,
    point: Point,
    phase: Phase,
    hit: number,
    target: string | undefined,
    errorFor: ErrorFactory,
    threw?: boolean,
  ): Promise<void> {
    const fields = this.#fields(decision, point, phase, hit, target, threw);
    this.#announce(point, phase, hit);
    if (decision.kind === "delay") {
      this.#log(fields);
      await this.#io.sleep(decision.delayMs);
      return;
    }
    if (decision.kind === "pause") {
      const startMs = this.#io.nowMs();
      let released = this.#released(decision);
      while (!released && this.#io.nowMs() - startMs < decision.timeoutMs) {
        await this.#io.sleep(PAUSE_POLL_MS);
        released = this.#released(decision);
      }
      this.#logPause(fields, startMs, released);
      return;
    }
    this.#finish(decision, fields, errorFor);
  }

  /** Logs, then takes a decision that does not wait: none, crash or error. */
  #finish(decision: Decision, fields: EventFields, errorFor: ErrorFactory): void {
    this.#log(fields);
    if (decision.kind === "crash") this.#io.kill();
    if (decision.kind === "error") throw errorFor(decision.error);
  }

  #fields(
    decision: Decision,
    point: Point,
    phase: Phase,
    hit: number,
    target: string | undefined,
    threw: boolean | undefined,
  ): EventFields {
    const fields: EventFields = {
      point,
      phase,
      hit,
      action: decision.kind === "error" && decision.error === "EEXIST" ? "contend" : decision.kind,
      atMs: this.#io.nowMs(),
    };
    if (decision.kind !== "none") fields.rule = decision.rule;
    if (decision.kind === "delay") fields.delayMs = decision.delayMs;
    if (decision.kind === "error") fields.error = decision.error;
    if (target !== undefined) fields.target = target;
    if (threw !== undefined) fields.threw = threw;
    return fields;
  }

  #released(pause: Extract<Decision, { kind: "pause" }>): boolean {
    return pauseReleased(this.#config.controlDir, pause, (path) => this.#io.exists(path));
  }

  #logPause(fields: EventFields, startMs: number, released: boolean): void {
    fields.atMs = startMs;
    fields.released = released;
    fields.pausedMs = Math.round((this.#io.nowMs() - startMs) * 1000) / 1000;
    this.#log(fields);
  }

  #log(fields: EventFields): void {
    if (this.#capped) return;
    const seq = ++this.#seq;
    const head = { seq, process: this.#config.process, pid: this.#io.pid };
    if (seq > LIMITS.eventsPerProcessMax) {
      this.#capped = true;
      const cap = { capped: true, ...head, limit: LIMITS.eventsPerProcessMax, atMs: fields.atMs };
      this.#io.appendLine(`${JSON.stringify(cap)}\n`);
      return;
    }
    this.#io.appendLine(`${JSON.stringify({ ...head, ...fields })}\n`);
  }
}

function noError(code: RaisedError): Error {
  throw new Error(`Cannot raise "${code}" at a process point: rejected by the config check`);
}
