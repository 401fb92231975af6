/**
 * Runs `docs/guide.md` as a script, so every command in it is known to work
 * and every output it shows is real. The guide is read top to bottom as
 * fenced blocks:
 *
 * - ```` ```yaml file=<path> ```` writes the block to `<path>` (relative to
 *   the project root), as the reader is told to;
 * - ```` ```sh ```` holds commands, one a line, each run with `bash -c` from
 *   the project root; a trailing comment holds annotations separated by
 *   commas: `exit <n>` is the exit code it must end with (0 when absent),
 *   and `printed above` says the command must appear verbatim in the output
 *   of an earlier command (a replay line the reader pastes), `${TMPDIR:-/tmp}`
 *   read as the TMPDIR in use;
 * - ```` ```text output ```` shows output of the last command before it:
 *   each of its lines (but `...`) must be a line of that output, with every
 *   number read as any number and the TMPDIR in use read as `/tmp`;
 * - any other block (```` ```text ````, ```` ```yaml ```` without a file) is
 *   prose and is not run.
 *
 * `deno` resolves to the Deno running the test (its directory leads PATH).
 * {@link runGuide} returns every problem instead of throwing, so tests can
 * show that it catches each kind of breakage.
 *
 * @module
 */

/** One fenced block of the guide, in order. */
export type GuideBlock =
  | { kind: "file"; path: string; content: string; line: number }
  | { kind: "commands"; commands: GuideCommand[] }
  | { kind: "output"; lines: string[]; line: number }
  | { kind: "prose"; line: number };

/** One command of a `sh` block. */
export interface GuideCommand {
  text: string;
  exit: number;
  printedAbove: boolean;
  line: number;
}

/** Languages that name shell commands: the guide must use `sh` for them, so none goes unrun. */
const SHELL_LANGUAGES = new Set(["sh", "bash", "shell", "console", "shell-session", "zsh"]);

/** The blocks of a guide; throws on a shell block that is not `sh` or a block left open. */
export function parseGuide(markdown: string): GuideBlock[] {
  const lines = markdown.split("\n");
  const blocks: GuideBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)\s*(.*)$/.exec(lines[i]);
    if (open === null) continue;
    const [, language, info] = open;
    const start = i + 1;
    let end = start;
    while (end < lines.length && lines[end] !== "```") end++;
    if (end === lines.length) throw new Error(`guide line ${start}: the block is never closed`);
    const body = lines.slice(start, end);
    const fileMatch = /^file=(\S+)$/.exec(info);
    if (language === "sh") {
      blocks.push({ kind: "commands", commands: commandsOf(body, start + 1) });
    } else if (SHELL_LANGUAGES.has(language)) {
      throw new Error(`guide line ${start}: shell block "${language}" is not run: write it as sh`);
    } else if (language === "yaml" && fileMatch !== null) {
      blocks.push({
        kind: "file",
        path: fileMatch[1],
        content: `${body.join("\n")}\n`,
        line: start,
      });
    } else if (language === "text" && info === "output") {
      blocks.push({ kind: "output", lines: body, line: start });
    } else {
      blocks.push({ kind: "prose", line: start });
    }
    i = end;
  }
  return blocks;
}

function commandsOf(body: readonly string[], firstLine: number): GuideCommand[] {
  const commands: GuideCommand[] = [];
  body.forEach((raw, k) => {
    const text = raw.trim();
    if (text === "" || text.startsWith("#")) return;
    const comment = /\s#([^'"#]*)$/.exec(text);
    const notes = comment === null ? [] : comment[1].split(",").map((n) => n.trim());
    const exit = notes.map((n) => /^exit (\d+)$/.exec(n)).find((m) => m !== null);
    const unknown = notes.filter((n) => !/^exit \d+$/.test(n) && n !== "printed above");
    if (comment !== null && unknown.length > 0 && unknown.length === notes.length) {
      // A plain comment (words for the reader), not annotations.
      commands.push({ text, exit: 0, printedAbove: false, line: firstLine + k });
      return;
    }
    if (unknown.length > 0) {
      throw new Error(`guide line ${firstLine + k}: unknown annotation(s) ${unknown.join(", ")}`);
    }
    commands.push({
      text: comment === null ? text : text.slice(0, comment.index).trimEnd(),
      exit: exit === undefined || exit === null ? 0 : Number(exit[1]),
      printedAbove: notes.includes("printed above"),
      line: firstLine + k,
    });
  });
  return commands;
}

/** What running one command gave. */
export interface CommandRun {
  command: GuideCommand;
  code: number;
  output: string;
  durationMs: number;
}

/** Where and how the guide runs. */
export interface GuideEnvironment {
  /** The project root the commands run in (a copy: the guide writes files and commits). */
  root: string;
  /** The TMPDIR the commands get. */
  tmpDir: string;
  /** Extra environment variables. */
  env?: Record<string, string>;
  /** Longest one command may run before it is killed (a hang guard, not a timing check). */
  commandTimeoutMs?: number;
}

/** Every number read as any number, and the TMPDIR in use read as `/tmp`. */
export function normaliseOutputLine(line: string, tmpDir: string): string {
  return line.replaceAll(tmpDir, "/tmp").replace(/\d+(\.\d+)*/g, "N").trimEnd();
}

async function runCommand(
  command: GuideCommand,
  environment: GuideEnvironment,
): Promise<CommandRun> {
  const denoDir = Deno.execPath().slice(0, Deno.execPath().lastIndexOf("/"));
  // The guide's reader runs `deno` from their own shell: a test run under
  // `npx` must not make the simulator print the npx form of its replay lines.
  const inherited = Deno.env.toObject();
  delete inherited.npm_lifecycle_event;
  delete inherited.npm_command;
  const started = performance.now();
  const output = await new Deno.Command("bash", {
    args: ["-c", `exec 2>&1\n${command.text}`],
    cwd: environment.root,
    clearEnv: true,
    env: {
      ...inherited,
      ...environment.env,
      TMPDIR: environment.tmpDir,
      PATH: `${denoDir}:${Deno.env.get("PATH") ?? "/usr/bin:/bin"}`,
      NO_COLOR: "1",
    },
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(environment.commandTimeoutMs ?? 600_000),
  }).output();
  return {
    command,
    code: output.code,
    output: new TextDecoder().decode(output.stdout) + new TextDecoder().decode(output.stderr),
    durationMs: performance.now() - started,
  };
}

/** Runs the guide's blocks in order; returns every command's run and every problem found. */
export async function runGuide(
  blocks: readonly GuideBlock[],
  environment: GuideEnvironment,
): Promise<{ runs: CommandRun[]; problems: string[] }> {
  const runs: CommandRun[] = [];
  const problems: string[] = [];
  for (const block of blocks) {
    if (block.kind === "file") {
      const path = `${environment.root}/${block.path}`;
      await Deno.mkdir(path.slice(0, path.lastIndexOf("/")), { recursive: true });
      await Deno.writeTextFile(path, block.content);
    } else if (block.kind === "commands") {
      for (const command of block.commands) {
        if (command.printedAbove) {
          const expected = command.text.replaceAll("${TMPDIR:-/tmp}", environment.tmpDir);
          if (!runs.some((r) => r.output.split("\n").some((l) => l.includes(expected)))) {
            problems.push(
              `guide line ${command.line}: "${command.text}" was not printed by an earlier command`,
            );
          }
        }
        const run = await runCommand(command, environment);
        runs.push(run);
        if (run.code !== command.exit) {
          problems.push(
            `guide line ${command.line}: "${command.text}" exited ${run.code}, the guide says ${command.exit}:\n${
              run.output.slice(-3_000)
            }`,
          );
        }
      }
    } else if (block.kind === "output") {
      const last = runs.at(-1);
      if (last === undefined) {
        problems.push(`guide line ${block.line}: output shown before any command ran`);
        continue;
      }
      const seen = new Set(
        last.output.split("\n").map((l) => normaliseOutputLine(l, environment.tmpDir)),
      );
      for (const shown of block.lines) {
        if (shown.trim() === "...") continue;
        if (!seen.has(normaliseOutputLine(shown, environment.tmpDir))) {
          problems.push(
            `guide line ${block.line}: "${shown}" is not in the output of "${last.command.text}":\n${last.output}`,
          );
        }
      }
    }
  }
  return { runs, problems };
}
