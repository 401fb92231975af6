/**
 * Installs the system tools the test suite needs when they are missing, from
 * Debian's packages: `strace` (the syscall-level shim backend) and
 * `chromium` (headless, for the HTML report's browser tests). Runs
 * as the first step of `deno task test`, so the README's test command sets
 * up a fresh machine by itself. Exits 1 with a clear message when it cannot.
 *
 * @module
 */

async function has(command: string, args: string[]): Promise<boolean> {
  try {
    const out = await new Deno.Command(command, { args, stdout: "null", stderr: "null" }).output();
    return out.success;
  } catch {
    return false;
  }
}

async function run(argv: string[]): Promise<boolean> {
  console.error(`ensure_tools: ${argv.join(" ")}`);
  const out = await new Deno.Command(argv[0], {
    args: argv.slice(1),
    env: { DEBIAN_FRONTEND: "noninteractive" },
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  return out.success;
}

async function installDebian(pkg: string): Promise<boolean> {
  const root = Deno.uid() === 0;
  const prefix = root ? [] : (await has("sudo", ["-n", "true"])) ? ["sudo", "-n"] : undefined;
  if (prefix === undefined || !(await has("apt-get", ["--version"]))) return false;
  return await run([...prefix, "apt-get", "update", "-qq"]) &&
    await run([...prefix, "apt-get", "install", "-y", "-qq", pkg]);
}

/** A system tool the tests need, how to probe it, and the Debian package that has it. */
interface Tool {
  command: string;
  probe: string[];
  debianPackage: string;
  neededBy: string;
}

const TOOLS: readonly Tool[] = [
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

for (const tool of TOOLS) {
  if (await has(tool.command, tool.probe)) continue;
  if (!(await installDebian(tool.debianPackage)) || !(await has(tool.command, tool.probe))) {
    console.error(
      `ensure_tools: ${tool.command} is needed by ${tool.neededBy} and could not be installed; ` +
        `install it with \`sudo apt-get install ${tool.debianPackage}\` and run the tests again`,
    );
    Deno.exit(1);
  }
}
