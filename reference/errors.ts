/**
 * The error classes of the reference target. Their names and fields follow
 * swamp's: a {@link UserError} renders without a stack and exits 1 (75 when
 * its `code` is `lock_timeout`), a {@link DuplicateTypeError} is what the
 * catalog raises on an I-Repo-1 violation, and a {@link DuplicateTypeUserError}
 * is what the user sees after the install that collided was rolled back.
 *
 * @module
 */

/** The error code that makes the process exit 75 (EX_TEMPFAIL). */
export const LOCK_TIMEOUT_CODE = "lock_timeout";

/** An error the user can act on: rendered as its message only. */
export class UserError extends Error {
  /** A machine-readable code, e.g. {@link LOCK_TIMEOUT_CODE}. */
  readonly code?: string;

  /** Creates a user error; `code` is optional. */
  constructor(message: string, options?: { code?: string; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = "UserError";
    if (options?.code !== undefined) this.code = options.code;
  }
}

/** A command line that does not parse: unknown command, flag or too many args (exit 2). */
export class UsageError extends Error {
  /** Creates a usage error. */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** Files an install would overwrite while `--force` is not given. */
export class ConflictError extends UserError {
  /** Repo-relative paths that already exist. */
  readonly conflicts: string[];

  /** Creates the error for the given conflicting paths. */
  constructor(conflicts: string[]) {
    super("Files already exist. Use --force to overwrite.");
    this.name = "ConflictError";
    this.conflicts = conflicts;
  }
}

/** One side of a type collision. */
export interface DuplicateTypeOccupant {
  readonly extensionName: string;
  readonly extensionVersion: string;
  readonly canonicalPath: string;
}

/**
 * Raised inside the catalog transaction when two live rows share
 * `kind::type_normalized` (I-Repo-1). `firstSource` is the row whose
 * `source_path` sorts first, not necessarily the older one.
 */
export class DuplicateTypeError extends Error {
  readonly kind: string;
  readonly typeNormalized: string;
  readonly firstSource: DuplicateTypeOccupant;
  readonly secondSource: DuplicateTypeOccupant;

  /** Creates the error for one colliding pair. */
  constructor(args: {
    kind: string;
    typeNormalized: string;
    firstSource: DuplicateTypeOccupant;
    secondSource: DuplicateTypeOccupant;
  }) {
    super(
      `Duplicate type "${args.typeNormalized}" (kind=${args.kind}): ` +
        `${args.firstSource.canonicalPath} and ${args.secondSource.canonicalPath}`,
    );
    this.name = "DuplicateTypeError";
    this.kind = args.kind;
    this.typeNormalized = args.typeNormalized;
    this.firstSource = args.firstSource;
    this.secondSource = args.secondSource;
  }
}

/** What the user sees after an install collided and its files were rolled back. */
export class DuplicateTypeUserError extends UserError {
  readonly kind: string;
  readonly typeNormalized: string;
  readonly existing: DuplicateTypeOccupant;
  readonly conflicting: DuplicateTypeOccupant;
  readonly isGhostRow: boolean;

  /** Creates the error; the message names both sides and the way out. */
  constructor(args: {
    kind: string;
    typeNormalized: string;
    existing: DuplicateTypeOccupant;
    conflicting: DuplicateTypeOccupant;
    isGhostRow: boolean;
  }) {
    const recovery = args.isGhostRow
      ? "Ghost catalog entry detected (source deleted outside swamp). " +
        "Run `swamp doctor extensions` to reclassify and retry."
      : `Run \`swamp extension rm ${args.existing.extensionName}\` first if you intended to replace it.`;
    super(
      `Type "${args.typeNormalized}" (kind=${args.kind}) is already claimed by ` +
        `${args.existing.extensionName}@${args.existing.extensionVersion} at ` +
        `${args.existing.canonicalPath}. Cannot install ` +
        `${args.conflicting.extensionName}@${args.conflicting.extensionVersion} at ` +
        `${args.conflicting.canonicalPath} — filesystem changes rolled back. ${recovery}`,
    );
    this.name = "DuplicateTypeUserError";
    this.kind = args.kind;
    this.typeNormalized = args.typeNormalized;
    this.existing = args.existing;
    this.conflicting = args.conflicting;
    this.isGhostRow = args.isGhostRow;
  }
}

/** The message of any thrown value. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Whether an error is Deno's NotFound. */
export function isNotFound(error: unknown): boolean {
  return error instanceof Deno.errors.NotFound;
}
