/**
 * A spawned process's whole tree, for killing it. A target wrapped in
 * `strace` is strace's child: a SIGKILL to strace alone detaches the target
 * and leaves it running (or stopped, if strace had stopped it), so every
 * kill the simulator makes goes to the tree.
 *
 * @module
 */

/** The parent pid in a `/proc/<pid>/stat` line (the command name may hold spaces and parentheses). */
export function parentOf(stat: string): number | undefined {
  const end = stat.lastIndexOf(")");
  if (end < 0) return undefined;
  const fields = stat.slice(end + 2).split(" ");
  const ppid = Number(fields[1]);
  return Number.isInteger(ppid) ? ppid : undefined;
}

/** Every live descendant of `pid` (not `pid` itself), parents before their children, read from `/proc`. */
export function descendantsOf(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    let stat: string;
    try {
      stat = Deno.readTextFileSync(`/proc/${entry.name}/stat`);
    } catch {
      continue; // exited while listing
    }
    const ppid = parentOf(stat);
    if (ppid === undefined) continue;
    const list = children.get(ppid) ?? [];
    list.push(Number(entry.name));
    children.set(ppid, list);
  }
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const next = children.get(queue.shift() as number) ?? [];
    found.push(...next);
    queue.push(...next);
  }
  return found;
}

/**
 * SIGKILLs `pid` and all its descendants. The tree is listed before the
 * first kill, so a child that loses its parent is still found. Processes
 * that already exited are skipped.
 */
export function killProcessTree(pid: number): void {
  const tree = [pid, ...descendantsOf(pid)];
  for (const member of tree) {
    try {
      Deno.kill(member, "SIGKILL");
    } catch {
      // Exited in the meantime.
    }
  }
}
