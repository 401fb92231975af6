/**
 * The lifecycle of one extension as a sequential specification: the states
 * an extension can be in, the actions the lifecycle ops take on it, and for
 * each action in each state every answer a serial execution can give and the
 * state it leaves. Pure and small; the linearizability search asks it what a
 * serial order would have answered.
 *
 * An extension is absent or installed at a version (its lockfile entry), and
 * its files are on disk entirely (`all`: the files that version lists), not at
 * all (`none`), or in part (`some`: what an op that died part-way leaves).
 * Only a pull without `--force` reads the files (it answers "Files already
 * exist" when any file it would write is there, and `manifest.yaml` always
 * is for an installed extension), so the model keeps no file lists: three
 * values say all an answer can depend on.
 *
 * | action | precondition | answer from state s | next state |
 * | --- | --- | --- | --- |
 * | `install v` (pull, update's upgrade) | none | without force: `conflict` when files are `all`, either answer when `some`; else `installed v` | `installed`: v with files `all`; `conflict`: s |
 * | `dependency v` (a pull's manifest dependency) | none | as `install` when absent; when installed, `skipped` (swamp) or as `install` (a re-pull) | as `install`, or s |
 * | `remove` (rm) | none | `not-installed` when absent; else `removed` at s's version | absent, files `none` (`some` may stay when they were `some`) |
 * | `read` (list, the final lockfile) | none | `listed` with s's version (or none) | s |
 * | `plan latest` (update's plan) | none | `not-installed` when absent; `planned up-to-date` when s's version is at least `latest`, else `planned outdated`, from s's version | s |
 * | `repull` (doctor `--repair`) | none | `repulled` | s, files `all` when installed |
 * | `untouched` | none | `untouched` | s |
 *
 * An op that died part-way (`info`) may leave any of {@link partialStates}.
 *
 * @module
 */

import { compareCalVer } from "../../scenario/fixture.ts";

/** Which of an installed version's files are on disk. */
export type FilesState = "none" | "all" | "some";

/** One extension's state: its lockfile version (null: absent) and its files. */
export interface ExtState {
  readonly version: string | null;
  readonly files: FilesState;
}

/** An extension that was never installed. */
export const ABSENT_STATE: ExtState = { version: null, files: "none" };

/** An extension installed cleanly at `version`. */
export function installedState(version: string): ExtState {
  return { version, files: "all" };
}

/** What one op does to one extension. */
export type ExtAction =
  | { kind: "install"; version: string; force: boolean }
  | { kind: "dependency"; version: string; force: boolean }
  | { kind: "remove" }
  | { kind: "read" }
  | { kind: "plan"; latest: string }
  | { kind: "repull" }
  | { kind: "untouched" };

/** What one op answered about one extension. */
export type ExtAnswer =
  | { kind: "installed"; version: string }
  | { kind: "conflict" }
  | { kind: "skipped" }
  | { kind: "removed"; version: string }
  | { kind: "not-installed" }
  | { kind: "listed"; version: string | null }
  | { kind: "planned"; status: "up-to-date" | "outdated"; from: string }
  | { kind: "repulled" }
  | { kind: "untouched" };

/**
 * An answer as observed, to match against the model's: `any` accepts every
 * answer; `unexpected` (an answer about something the op does not do, such
 * as an rm that names another extension) matches none; a `planned` answer without a status accepts either status (an
 * update that could not tell, e.g. `not_found`); a `removed` answer without a
 * version accepts any version.
 */
export type AnswerPattern =
  | ExtAnswer
  | { kind: "any" }
  | { kind: "unexpected"; text: string }
  | { kind: "planned"; status?: undefined; from: string }
  | { kind: "removed"; version?: undefined };

/** One serial outcome: an answer and the state it leaves. */
export interface SerialOutcome {
  answer: ExtAnswer;
  next: ExtState;
}

function installOutcomes(s: ExtState, version: string, force: boolean): SerialOutcome[] {
  const installed: SerialOutcome = {
    answer: { kind: "installed", version },
    next: installedState(version),
  };
  if (force || s.files === "none") return [installed];
  const conflict: SerialOutcome = { answer: { kind: "conflict" }, next: s };
  return s.files === "all" ? [conflict] : [conflict, installed];
}

/** Every answer a serial execution of `action` can give from `s`, with the state it leaves. */
export function serialOutcomes(s: ExtState, action: ExtAction): SerialOutcome[] {
  switch (action.kind) {
    case "install":
      return installOutcomes(s, action.version, action.force);
    case "dependency": {
      const install = installOutcomes(s, action.version, action.force);
      return s.version === null ? install : [{ answer: { kind: "skipped" }, next: s }, ...install];
    }
    case "remove": {
      if (s.version === null) return [{ answer: { kind: "not-installed" }, next: s }];
      const answer: ExtAnswer = { kind: "removed", version: s.version };
      const gone: SerialOutcome = { answer, next: ABSENT_STATE };
      return s.files === "some" ? [gone, { answer, next: { version: null, files: "some" } }] : [
        gone,
      ];
    }
    case "read":
      return [{ answer: { kind: "listed", version: s.version }, next: s }];
    case "plan": {
      if (s.version === null) return [{ answer: { kind: "not-installed" }, next: s }];
      const status = compareCalVer(s.version, action.latest) >= 0 ? "up-to-date" : "outdated";
      return [{ answer: { kind: "planned", status, from: s.version }, next: s }];
    }
    case "repull":
      return [{
        answer: { kind: "repulled" },
        next: s.version === null ? s : installedState(s.version),
      }];
    case "untouched":
      return [{ answer: { kind: "untouched" }, next: s }];
  }
}

/**
 * Every state an op that died part-way through `action` (crashed, timed out,
 * partially applied) may leave from `s`, `s` itself first: an install may
 * have copied its files without recording them, or finished; an rm may have
 * recorded the removal and deleted some, all or none of the files.
 */
export function partialStates(s: ExtState, action: ExtAction): ExtState[] {
  switch (action.kind) {
    case "install":
    case "dependency": {
      if (!action.force && s.files === "all") return [s];
      return uniqueStates([
        s,
        { version: s.version, files: "some" },
        installedState(action.version),
      ]);
    }
    case "remove":
      return s.version === null ? [s] : [s, ABSENT_STATE, { version: null, files: "some" }];
    case "repull":
      return s.version === null ? [s] : uniqueStates([s, installedState(s.version)]);
    case "read":
    case "plan":
    case "untouched":
      return [s];
  }
}

function uniqueStates(states: ExtState[]): ExtState[] {
  const seen = new Set<string>();
  return states.filter((s) => {
    const key = stateKey(s);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Whether an observed answer matches one the model gives. */
export function answerMatches(pattern: AnswerPattern, answer: ExtAnswer): boolean {
  if (pattern.kind === "any") return true;
  if (pattern.kind === "unexpected") return false;
  if (pattern.kind !== answer.kind) return false;
  switch (pattern.kind) {
    case "installed":
      return pattern.version === (answer as { version: string }).version;
    case "removed":
      return pattern.version === undefined ||
        pattern.version === (answer as { version: string }).version;
    case "listed":
      return pattern.version === (answer as { version: string | null }).version;
    case "planned": {
      const planned = answer as { status: string; from: string };
      return pattern.from === planned.from &&
        (pattern.status === undefined || pattern.status === planned.status);
    }
    default:
      return true;
  }
}

/**
 * What remains of an action and its answer when only the effect counts: an
 * install still leaves its version, now whatever the files (as with
 * `--force`); a removal still leaves the extension absent, whether or not it
 * was installed; every read, and every answer without an effect, is free.
 */
export function effectOnlyAction(
  action: ExtAction,
  answer: AnswerPattern,
): { action: ExtAction; answer: AnswerPattern } {
  if (
    answer.kind === "installed" && (action.kind === "install" || action.kind === "dependency")
  ) {
    return { action: { ...action, force: true }, answer };
  }
  return { action, answer: { kind: "any" } };
}

/**
 * Whether an action with this answer never changes the state it holds in:
 * reads and plans, and the answers that say an op did nothing (not
 * installed, files already exist, a dependency skipped). An answer that
 * matches nothing holds nowhere, so it counts as a read too.
 */
export function isRead(action: ExtAction, answer: AnswerPattern | undefined): boolean {
  if (answer === undefined) return false;
  if (action.kind === "read" || action.kind === "plan" || action.kind === "untouched") return true;
  return answer.kind === "not-installed" || answer.kind === "conflict" ||
    answer.kind === "skipped" || answer.kind === "unexpected";
}

/** A compact key of a state, for memoisation. */
export function stateKey(s: ExtState): string {
  return `${s.version ?? "-"}/${s.files}`;
}

/** A state in words, e.g. `2026.01.01.1`, `absent`, `absent (some files left)`. */
export function stateText(s: ExtState): string {
  const base = s.version ?? "absent";
  if (s.version === null) return s.files === "none" ? base : `${base} (some files left)`;
  return s.files === "all" ? base : `${base} (${s.files === "none" ? "no" : "some"} files)`;
}

/** An answer in words, e.g. `installed 2026.02.01.1`, `not installed`. */
export function answerText(a: AnswerPattern): string {
  switch (a.kind) {
    case "any":
      return "anything";
    case "unexpected":
      return a.text;
    case "installed":
      return `installed ${a.version}`;
    case "conflict":
      return "files already exist";
    case "skipped":
      return "skipped (already installed)";
    case "removed":
      return a.version === undefined ? "removed" : `removed ${a.version || '""'}`;
    case "not-installed":
      return "not installed";
    case "listed":
      return a.version === null ? "not listed" : `listed at ${a.version}`;
    case "planned":
      return a.status === undefined
        ? `planned from ${a.from}`
        : `${a.status === "up-to-date" ? "up to date at" : "outdated at"} ${a.from}`;
    case "repulled":
      return "re-pulled";
    case "untouched":
      return "untouched";
  }
}
