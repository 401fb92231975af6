/**
 * Installs the system tools the test suite needs when they are missing, from
 * Debian's packages: `strace` (the syscall-level shim backend) and
 * `chromium` (headless, for the HTML report's browser tests). The first step
 * of `deno task test` (`.ci/test.ts`), so the README's test command sets up a
 * fresh machine by itself. Quiet: apt's output is kept and shown only when an
 * install fails.
 *
 * @module
 */

/** A system tool the tests need, how to probe it, and the Debian package that has it. */
export interface Tool {
  command: string;
  probe: string[];
  debianPackage: string;
  neededBy: string;
}

/** The tools the suite needs. */
export const TOOLS: readonly Tool[] = [
  {
    command: "strace",
    probe: ["-V"],
    debianPackage: "strace",
    neededBy: "the strace shim backend's tests",
  },
  {
    command: "chromium",
    probe: ["--version"],
    debianPackage: "chromium",
    neededBy: "the HTML report's browser tests (integration/timeline_browser_test.ts)",
  },
];

/** What {@link ensureTools} did. */
export interface EnsureResult {
  ok: boolean;
  /** One line per tool: its version, whether it was installed now, or why it is missing. */
  lines: string[];
  /** The install commands' output, when one failed. */
  output: string;
}

async function probe(command: string, args: string[]): Promise<string | undefined> {
  try {
    const out = await new Deno.Command(command, { args, stdout: "piped", stderr: "piped" })
      .output();
    if (!out.success) return undefined;
    const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
    return text.split("\n").find((l) => l.trim() !== "")?.trim() ?? command;
  } catch {
    return undefined;
  }
}

async function run(argv: string[], output: string[]): Promise<boolean> {
  output.push(`$ ${argv.join(" ")}`);
  const out = await new Deno.Command(argv[0], {
    args: argv.slice(1),
    env: { DEBIAN_FRONTEND: "noninteractive" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  output.push(decoder.decode(out.stdout), decoder.decode(out.stderr));
  return out.success;
}

async function installDebian(pkg: string, output: string[]): Promise<boolean> {
  const root = Deno.uid() === 0;
  const prefix = root
    ? []
    : (await probe("sudo", ["-n", "true"])) !== undefined
    ? ["sudo", "-n"]
    : undefined;
  if (prefix === undefined) {
    output.push("not root and no password-less sudo");
    return false;
  }
  if ((await probe("apt-get", ["--version"])) === undefined) {
    output.push("apt-get is not available");
    return false;
  }
  return await run([...prefix, "apt-get", "update", "-qq"], output) &&
    await run([...prefix, "apt-get", "install", "-y", "-qq", pkg], output);
}

/** Probes every tool and installs the missing ones; never throws for a missing tool. */
export async function ensureTools(tools: readonly Tool[] = TOOLS): Promise<EnsureResult> {
  const lines: string[] = [];
  const output: string[] = [];
  let ok = true;
  for (const tool of tools) {
    const present = await probe(tool.command, tool.probe);
    if (present !== undefined) {
      lines.push(`${tool.command}: ${present}`);
      continue;
    }
    const installed = await installDebian(tool.debianPackage, output) &&
      await probe(tool.command, tool.probe);
    if (installed) {
      lines.push(
        `${tool.command}: ${installed} (installed now from Debian's ${tool.debianPackage})`,
      );
      continue;
    }
    ok = false;
    lines.push(
      `${tool.command}: missing; it is needed by ${tool.neededBy} and could not be installed: ` +
        `install it with \`sudo apt-get install ${tool.debianPackage}\` and run the tests again`,
    );
  }
  return { ok, lines, output: ok ? "" : output.join("\n") };
}

if (import.meta.main) {
  const result = await ensureTools();
  result.lines.forEach((l) => console.error(`ensure_tools: ${l}`));
  if (!result.ok) {
    console.error(result.output);
    Deno.exit(1);
  }
}
