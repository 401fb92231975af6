/**
 * The public face of `faults/`: the fault vocabulary shared by the simulator
 * and the shims, rules and events, and the two shim backends.
 *
 * - Preload (Deno targets): write the process's {@link ShimConfig} with
 *   {@link writeShimConfig}, spawn {@link buildPreloadCommand}'s argv and env,
 *   then {@link readEventLog} its `eventsPath`.
 * - strace (any command): {@link buildStraceCommand} (throws
 *   {@link UnsupportedRuleError} before anything runs), spawn its argv inside
 *   {@link followTrace} (which holds the lock for a bounded contend and
 *   resumes the process's stops), then {@link readStraceEvents} with its plan.
 *
 * @module
 */

export * from "./vocabulary.ts";
export * from "./rule.ts";
export * from "./event.ts";
export { delayFor, hitFires, hitUnit } from "./hit.ts";
export {
  buildPreloadCommand,
  SHIM_MODULE_PATH,
  type TargetCommand,
  writeShimConfig,
} from "./preload/command.ts";
export {
  buildStraceCommand,
  type PlannedRule,
  planStrace,
  STRACE_PATH,
  type StraceCommand,
  type StraceContext,
  type StracePlan,
} from "./strace/command.ts";
export { followTrace, TraceFollowError } from "./strace/follow.ts";
export { parseStraceTrace, readStraceEvents } from "./strace/parse.ts";
export {
  renderStraceTable,
  STRACE_SUPPORT,
  type StraceFile,
  type StraceHits,
  type StraceMapping,
  straceMapping,
  type StraceTamper,
  UnsupportedRuleError,
} from "./strace/support.ts";
