/**
 * Rendering: JSON documents on stdout (each pretty-printed on its own), log
 * lines otherwise, and errors on stderr. Exit codes: 2 for a usage error, 75
 * iff the error's `code` is `lock_timeout`, 1 for every other error.
 *
 * JSON errors are one pretty object `{error, stack?, code?, duplicateType?}`;
 * `stack` appears only for errors that are not UserErrors.
 *
 * @module
 */

import { DuplicateTypeUserError, LOCK_TIMEOUT_CODE, UsageError, UserError } from "./errors.ts";

/** Where a command writes its results. */
export interface Output {
  readonly json: boolean;
  /** Prints one JSON document (JSON mode only). */
  data(document: unknown): void;
  /** Prints one log line (log mode only). */
  info(line: string): void;
}

/** The output for a mode. */
export function createOutput(json: boolean): Output {
  return {
    json,
    data(document: unknown): void {
      if (json) console.log(JSON.stringify(document, null, 2));
    },
    info(line: string): void {
      if (!json) console.log(line);
    },
  };
}

/** The exit code of an error. */
export function exitCodeForError(error: unknown): number {
  if (error instanceof UsageError) return 2;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === "string" && code.toLowerCase() === LOCK_TIMEOUT_CODE) return 75;
  return 1;
}

/** The JSON object an error renders as. */
export function buildErrorJson(error: Error): Record<string, unknown> {
  const data: Record<string, unknown> = { error: error.message };
  if (!(error instanceof UserError) && !(error instanceof UsageError) && error.stack) {
    const lines = error.stack.split("\n").filter((line) => line.trim().startsWith("at "));
    if (lines.length > 0) data.stack = lines.join("\n");
  }
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string" && code.length > 0) {
    data.code = code.toLowerCase() === LOCK_TIMEOUT_CODE ? LOCK_TIMEOUT_CODE : code;
  }
  if (error instanceof DuplicateTypeUserError) {
    data.duplicateType = {
      kind: error.kind,
      type: error.typeNormalized,
      isGhostRow: error.isGhostRow,
      existing: { ...error.existing },
      conflicting: { ...error.conflicting },
    };
  }
  return data;
}

/** Writes an error to stderr in the given mode. */
export function renderError(error: unknown, json: boolean): void {
  const err = error instanceof Error ? error : new Error(String(error));
  if (json) {
    console.error(JSON.stringify(buildErrorJson(err), null, 2));
  } else if (err instanceof UserError || err instanceof UsageError) {
    console.error(`Error: ${err.message}`);
  } else {
    console.error(`FATAL ${err.stack ?? err.message}`);
  }
}
