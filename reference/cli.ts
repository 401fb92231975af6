/**
 * Argv parsing. Commands: `init [dir]`, `extension pull <ref>`,
 * `extension rm|remove <name>`, `extension update [name]`,
 * `extension list|ls`, `doctor extensions`. Global flags are accepted
 * anywhere: `--json`, `--repo-dir <dir>`, `-y/--yes`, `-f/--force`, `-q`,
 * `-v`, `--log`, `--no-color`, `--no-telemetry`. An unknown command or flag,
 * a missing argument or too many arguments is a {@link UsageError} (exit 2).
 *
 * @module
 */

import { UsageError } from "./errors.ts";

/** Flags every command accepts. */
export interface GlobalFlags {
  json: boolean;
  repoDir?: string;
  yes: boolean;
  force: boolean;
  quiet: boolean;
  verbose: boolean;
  log: boolean;
  noColor: boolean;
  noTelemetry: boolean;
}

/** A parsed command. */
export type Command =
  | { name: "help" }
  | { name: "init"; dir?: string }
  | { name: "pull"; ref: string; channel?: string }
  | { name: "rm"; ref: string }
  | { name: "update"; ref?: string; check: boolean }
  | { name: "list"; checkUpdates?: boolean }
  | { name: "doctor"; repair: boolean; dryRun: boolean };

/** A parsed command line. */
export interface ParsedArgs {
  command: Command;
  flags: GlobalFlags;
}

/** The usage text. */
export const USAGE = `Usage: swamp <command> [options]

Commands:
  init [dir]
  extension pull <@scope/name[@version]> [--channel stable|beta|rc] [-y|--yes|--force]
  extension rm|remove <@scope/name> [-y|--yes] [-f|--force]
  extension update [@scope/name] [--check]
  extension list|ls [--check-updates|--no-check-updates]
  doctor extensions [--repair] [--dry-run] [--verbose] [-y|--yes] [-f|--force]

Global options: --json --repo-dir <dir> --log -q -v --no-color --no-telemetry`;

const COMMAND_FLAGS: Readonly<Record<string, readonly string[]>> = {
  init: [],
  pull: ["--channel"],
  rm: [],
  update: ["--check"],
  list: ["--check-updates", "--no-check-updates"],
  doctor: ["--repair", "--dry-run", "--verbose"],
};

/** Parses argv (without the program name). */
export function parseArgs(argv: readonly string[]): ParsedArgs {
  const flags: GlobalFlags = {
    json: false,
    yes: false,
    force: false,
    quiet: false,
    verbose: false,
    log: false,
    noColor: false,
    noTelemetry: false,
  };
  const positionals: string[] = [];
  const commandFlags = new Map<string, string | true>();
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith("-") || arg === "-") {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const name = arg.startsWith("--") && eq !== -1 ? arg.slice(0, eq) : arg;
    const inline = arg.startsWith("--") && eq !== -1 ? arg.slice(eq + 1) : undefined;
    const takeValue = (): string => {
      if (inline !== undefined) return inline;
      const next = argv[i + 1];
      if (next === undefined) throw new UsageError(`Missing value for option "${name}"`);
      i++;
      return next;
    };
    switch (name) {
      case "--json":
        flags.json = true;
        break;
      case "--repo-dir":
        flags.repoDir = takeValue();
        break;
      case "-y":
      case "--yes":
        flags.yes = true;
        break;
      case "-f":
      case "--force":
        flags.force = true;
        break;
      case "-q":
      case "--quiet":
        flags.quiet = true;
        break;
      case "-v":
        flags.verbose = true;
        break;
      case "--log":
        flags.log = true;
        break;
      case "--no-color":
        flags.noColor = true;
        break;
      case "--no-telemetry":
        flags.noTelemetry = true;
        break;
      case "-h":
      case "--help":
        help = true;
        break;
      case "--channel":
        commandFlags.set(name, takeValue());
        break;
      default:
        if (inline !== undefined) throw new UsageError(`Unknown option "${arg}"`);
        commandFlags.set(name, true);
    }
  }
  if (help) return { command: { name: "help" }, flags };
  const command = parseCommand(positionals, commandFlags);
  const allowed = COMMAND_FLAGS[command.name] ?? [];
  for (const flag of commandFlags.keys()) {
    if (!allowed.includes(flag)) {
      throw new UsageError(`Unknown option "${flag}" for ${command.name}`);
    }
  }
  return { command, flags };
}

function expectArgs(positionals: readonly string[], min: number, max: number, what: string): void {
  if (positionals.length < min) throw new UsageError(`Missing argument for "${what}"`);
  if (positionals.length > max) {
    throw new UsageError(`Too many arguments for "${what}": "${positionals.slice(max).join(" ")}"`);
  }
}

function parseCommand(
  positionals: readonly string[],
  flags: ReadonlyMap<string, string | true>,
): Command {
  const [first, second] = positionals;
  if (first === undefined) throw new UsageError("Missing command");
  if (first === "init") {
    expectArgs(positionals, 1, 2, "init");
    return positionals[1] === undefined ? { name: "init" } : { name: "init", dir: positionals[1] };
  }
  if (first === "doctor") {
    if (second !== "extensions") {
      throw new UsageError(`Unknown command "doctor ${second ?? ""}"`.trimEnd());
    }
    expectArgs(positionals, 2, 2, "doctor extensions");
    return { name: "doctor", repair: flags.has("--repair"), dryRun: flags.has("--dry-run") };
  }
  if (first !== "extension") throw new UsageError(`Unknown command "${first}"`);
  switch (second) {
    case "pull": {
      expectArgs(positionals, 3, 3, "extension pull");
      const channel = flags.get("--channel");
      return typeof channel === "string"
        ? { name: "pull", ref: positionals[2], channel }
        : { name: "pull", ref: positionals[2] };
    }
    case "rm":
    case "remove":
      expectArgs(positionals, 3, 3, `extension ${second}`);
      return { name: "rm", ref: positionals[2] };
    case "update":
      expectArgs(positionals, 2, 3, "extension update");
      return positionals[2] === undefined
        ? { name: "update", check: flags.has("--check") }
        : { name: "update", ref: positionals[2], check: flags.has("--check") };
    case "list":
    case "ls": {
      expectArgs(positionals, 2, 2, `extension ${second}`);
      if (flags.has("--check-updates")) return { name: "list", checkUpdates: true };
      if (flags.has("--no-check-updates")) return { name: "list", checkUpdates: false };
      return { name: "list" };
    }
    default:
      throw new UsageError(`Unknown command "extension ${second ?? ""}"`.trimEnd());
  }
}
