/**
 * Installs the system tools the test suite needs when they are missing:
 * `strace` (the syscall-level shim backend), from Debian's packages. Runs
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

if (!(await has("strace", ["-V"]))) {
  if (!(await installDebian("strace")) || !(await has("strace", ["-V"]))) {
    console.error(
      "ensure_tools: strace is needed by the strace shim backend's tests and could not be installed; " +
        "install it with `sudo apt-get install strace` and run the tests again",
    );
    Deno.exit(1);
  }
}
