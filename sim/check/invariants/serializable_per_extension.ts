/**
 * `serializable-per-extension`: per extension, the final lockfile state is
 * the result of some serial order of the ops that respects real time.
 *
 * Every lifecycle op sets an extension to a constant state: pull and an
 * update's upgrade set a version, rm sets "absent". ok ops certainly took
 * effect; info ops (crashed, timed out, partially applied) may or may not
 * have; fail ops did not. With constant effects, a serial order exists iff
 * some op that could have happened and yields the final state is not
 * followed in real time (completed before the other began) by an ok op with
 * a different effect; or no ok op has a different effect than the state
 * after set-up. The checker is O(n^2) in the ops touching one extension.
 *
 * A pull also sets the dependencies it printed it extracted (ok) or that the
 * fixture's manifest names (info, or not printed); an upgrade may install
 * the new version's dependencies.
 *
 * Reads (list, a "not installed" answer) are not checked.
 *
 * @module
 */

import { findVersion } from "../../scenario/fixture.ts";
import { type HistoryOp, opLabel } from "../../record/history.ts";
import { lockEntries } from "../../record/layers.ts";
import { relMs, updateResults } from "./ops.ts";
import { type CheckContext, invalid, type Invariant, listSome, unknown, valid } from "./verdict.ts";

const ABSENT = "absent";

/** One op's possible effect on one extension. */
interface Effect {
  op: HistoryOp;
  /** A version, or "absent". */
  state: string;
  /** ok: certainly happened; otherwise it may have. */
  definite: boolean;
}

/** One possible effect of an op on one extension. */
interface OneEffect {
  name: string;
  state: string;
  definite: boolean;
}

function refParts(ref: string): { name: string; version?: string } {
  const at = ref.indexOf("@", 1);
  return at === -1 ? { name: ref } : { name: ref.slice(0, at), version: ref.slice(at + 1) };
}

function latestOf(ctx: CheckContext, name: string): string | undefined {
  return findVersion(ctx.fixture, name)?.version.version;
}

/** What an ok pull printed it extracted: the top-level extension and each dependency, by name. */
function pulledVersions(op: HistoryOp): Map<string, string> {
  const out = new Map<string, string>();
  for (const doc of op.json) {
    if (typeof doc !== "object" || doc === null) continue;
    const d = doc as { name?: unknown; version?: unknown; extractedFiles?: unknown };
    if (
      typeof d.name === "string" && typeof d.version === "string" && d.extractedFiles !== undefined
    ) {
      out.set(d.name, d.version);
    }
  }
  return out;
}

/** How deep swamp follows manifest dependencies. */
const DEPENDENCY_DEPTH_MAX = 10;

/**
 * The fixture dependencies an install of `name@version` may also install,
 * transitively: each at its pinned version or the latest (swamp resolves
 * constraints to the latest). None is certain: a dependency already pulled
 * is skipped.
 */
function dependencyEffects(ctx: CheckContext, name: string, version: string): OneEffect[] {
  const out: OneEffect[] = [];
  const seen = new Set<string>([name]);
  let frontier = [{ name, version }];
  for (let depth = 0; depth < DEPENDENCY_DEPTH_MAX && frontier.length > 0; depth++) {
    const next: Array<{ name: string; version: string }> = [];
    for (const ref of frontier) {
      const dependencies = findVersion(ctx.fixture, ref.name, ref.version)?.version.dependencies;
      for (const dependency of dependencies ?? []) {
        const parts = refParts(dependency);
        if (seen.has(parts.name)) continue;
        seen.add(parts.name);
        const states = new Set(
          [parts.version, latestOf(ctx, parts.name)].filter((v): v is string => v !== undefined),
        );
        for (const state of states) {
          out.push({ name: parts.name, state, definite: false });
          next.push({ name: parts.name, version: state });
        }
      }
    }
    frontier = next;
  }
  return out;
}

/** The effects of one op, per extension. */
function effectsOf(ctx: CheckContext, op: HistoryOp): OneEffect[] {
  const type = op.outcome.type;
  if (type === "fail") return [];
  const definite = type === "ok";
  switch (op.op.op) {
    case "pull": {
      const { name, version } = refParts(op.op.ref);
      const pulled = definite ? pulledVersions(op) : new Map<string, string>();
      const state = pulled.get(name) ?? version ?? latestOf(ctx, name);
      if (state === undefined) return [];
      const effects: OneEffect[] = [...pulled]
        .filter(([n]) => n !== name)
        .map(([n, v]) => ({ name: n, state: v, definite }));
      effects.unshift({ name, state, definite });
      for (const dependency of dependencyEffects(ctx, name, state)) {
        if (!pulled.has(dependency.name)) effects.push(dependency);
      }
      return effects;
    }
    case "rm":
      return [{ name: op.op.name, state: ABSENT, definite }];
    case "update": {
      if (definite) {
        return updateResults(op).flatMap((r): OneEffect[] => {
          if (r.to === undefined) return [];
          const applied = r.status === "updated" || r.status === "kept_with_collision";
          if (!applied && r.status !== "failed") return [];
          // A failed upgrade may have got as far as the lockfile write.
          return [
            { name: r.name, state: r.to, definite: applied },
            ...dependencyEffects(ctx, r.name, r.to),
          ];
        });
      }
      const only = op.op.name;
      return ctx.fixture.extensions
        .filter((e) => only === undefined || e.name === only)
        .flatMap((e): OneEffect[] => {
          const latest = latestOf(ctx, e.name);
          return latest === undefined ? [] : [
            { name: e.name, state: latest, definite: false },
            ...dependencyEffects(ctx, e.name, latest),
          ];
        });
    }
    default:
      return [];
  }
}

/** The ops whose effects the phase's final state reflects: run ops, plus recovery ops after recovery. */
function effectOps(ctx: CheckContext): HistoryOp[] {
  return ctx.history.ops.filter((op) =>
    op.phase === "run" || (ctx.phase === "recovery" && op.phase === "recovery")
  );
}

/** Per-extension serialisability of the final lockfile state. */
export const serializablePerExtension: Invariant = {
  id: "serializable-per-extension",
  check(ctx) {
    const entries = lockEntries(ctx.snapshot);
    if (!entries.ok) return unknown(`Cannot check: ${entries.reason}.`);
    const byName = new Map<string, Effect[]>();
    for (const op of effectOps(ctx)) {
      for (const e of effectsOf(ctx, op)) {
        const list = byName.get(e.name) ?? [];
        list.push({ op, state: e.state, definite: e.definite });
        byName.set(e.name, list);
      }
    }
    const names = new Set([
      ...byName.keys(),
      ...Object.keys(entries.entries),
      ...Object.keys(ctx.initial),
    ]);
    const problems: string[] = [];
    const processes = new Set<number>();
    const violated: string[] = [];
    for (const name of [...names].sort()) {
      const effects = byName.get(name) ?? [];
      const final = entries.entries[name]?.version ?? ABSENT;
      const initial = ctx.initial[name] ?? ABSENT;
      const problem = explainFinal(ctx, name, final, initial, effects);
      if (problem !== undefined) {
        problems.push(problem.text);
        violated.push(name);
        for (const p of problem.processes) processes.add(p);
      }
    }
    if (problems.length > 0) {
      return invalid(problems.join(" "), { processes: [...processes], entries: violated });
    }
    return valid(
      `The final lockfile state of each of ${names.size} extension(s) is explained by a serial order of its ops.`,
    );
  },
};

/** Undefined when `final` is explained; otherwise why not. */
function explainFinal(
  ctx: CheckContext,
  name: string,
  final: string,
  initial: string,
  effects: readonly Effect[],
): { text: string; processes: number[] } | undefined {
  const definite = effects.filter((e) => e.definite);
  const differing = definite.filter((e) => e.state !== final);
  if (final === initial && differing.length === 0) return undefined;
  const producers = effects.filter((e) => e.state === final);
  for (const c of producers) {
    const blocked = differing.some((d) => c.op.completeMs < d.op.invokeMs);
    if (!blocked) return undefined;
  }
  const finalText = final === ABSENT ? "no entry" : `version ${final}`;
  if (producers.length === 0) {
    const ops = effects.map((e) => `${opLabel(e.op)} (${e.op.outcome.type}: ${e.state})`);
    // As after set-up: the state itself is fine, but an ok op certainly changed it since.
    const why = final === initial
      ? `, as after set-up, but ${
        listSome(differing.map((d) => opLabel(d.op)))
      } certainly changed it and no op could have restored it`
      : `, but no op could have produced it and it was ${
        initial === ABSENT ? "absent" : initial
      } after set-up`;
    return {
      text: `The lockfile ends with ${finalText} for ${name}${why}${
        ops.length > 0 ? `; its ops were ${listSome(ops)}` : ""
      }.`,
      processes: effects.map((e) => e.op.process),
    };
  }
  const last = producers.reduce((a, b) => (b.op.completeMs > a.op.completeMs ? b : a));
  const blocker = differing.find((d) => last.op.completeMs < d.op.invokeMs);
  if (blocker === undefined) {
    throw new Error("explainFinal() found no blocker for a blocked producer");
  }
  return {
    text:
      `The lockfile ends with ${finalText} for ${name}, but every op that yields it completed before an ok op with another effect began: ${
        opLabel(last.op)
      } ended at ${relMs(ctx, last.op.completeMs)}, then ${opLabel(blocker.op)} (ok, ${
        blocker.state === ABSENT ? "removes it" : `sets ${blocker.state}`
      }) began at ${relMs(ctx, blocker.op.invokeMs)}.`,
    processes: [last.op.process, blocker.op.process],
  };
}
