/**
 * The command flows: repo resolution, startup, then each lifecycle service
 * with its own lockfile snapshot and catalog connection, and the rendering of
 * their results. Returns the exit code of a command that did not throw.
 * Services only one command uses are imported when that command runs, to
 * keep start-up of the others low.
 *
 * @module
 */

import { ExtensionCatalogStore } from "./catalog.ts";
import { type Command, type GlobalFlags, USAGE } from "./cli.ts";
import { ConflictError, UserError } from "./errors.ts";
import {
  type ExtensionRef,
  type InstallEvent,
  installExtension,
  type InstallResult,
  parseExtensionRef,
  validateExtensionName,
} from "./install.ts";
import { LockfileRepository } from "./lockfile.ts";
import { isMutant } from "./mutants.ts";
import type { Output } from "./output.ts";
import { join } from "./posix_path.ts";
import { RegistryClient, resolveServerUrl } from "./registry_client.ts";
import { initRepo, type RepoContext, requireRepo, resolveRepoDir } from "./repo.ts";
import { ExtensionRepository } from "./repository.ts";
import { runStartup } from "./startup.ts";

/** The channels `--channel` accepts. */
export const CHANNELS = ["stable", "beta", "rc"] as const;

function repositoryOver(
  store: ExtensionCatalogStore,
  lockfile: LockfileRepository,
  repo: RepoContext,
): ExtensionRepository {
  return new ExtensionRepository(store, lockfile, {
    repoRoot: repo.layout.repoDir,
    pulledRoot: repo.layout.pulledRoot,
  });
}

function renderInstallEvent(output: Output, event: InstallEvent): void {
  if (event.kind === "deprecated") {
    output.data({
      status: "deprecated",
      name: event.name,
      reason: event.reason,
      supersededBy: event.supersededBy,
    });
    output.info(`Warning: ${event.name} is deprecated`);
  } else {
    output.data({
      status: "orphans_pruned",
      name: event.name,
      version: event.version,
      paths: event.paths,
    });
    output.info(`Pruned ${event.paths.length} file(s) of the previous version of ${event.name}`);
  }
}

function renderInstallResult(output: Output, result: InstallResult): void {
  const { name, version } = result;
  output.data({ name, version, description: result.description });
  output.data({ integrity: result.integrity, name, version });
  if (result.repository !== undefined) output.data({ repository: result.repository });
  if (result.platforms.length > 0) output.data({ platforms: result.platforms });
  if (result.binaries.length > 0) output.data({ binaries: result.binaries });
  if (result.dependencies.length > 0) output.data({ dependencies: result.dependencies });
  output.data({ name, version, extractedFiles: result.extractedFiles });
  output.info(
    `Pulled ${name}@${version} (${result.integrity}): ${result.extractedFiles.length} file(s)`,
  );
  for (const dependency of result.dependencyResults) {
    output.data({
      status: "pulling_dependency",
      name: dependency.name,
      version: dependency.version,
    });
    renderInstallResult(output, dependency);
  }
}

/** Installs `ref` with a fresh snapshot over `store`. */
async function installWith(
  repo: RepoContext,
  store: ExtensionCatalogStore,
  ref: ExtensionRef,
  options: { force: boolean; channel?: string; onEvent: (event: InstallEvent) => void },
): Promise<InstallResult> {
  const lockfile = await LockfileRepository.create(repo.layout.lockfilePath);
  const serverUrl = resolveServerUrl();
  return await installExtension(ref, {
    layout: repo.layout,
    registry: new RegistryClient(serverUrl),
    serverUrl,
    lockfile,
    repository: repositoryOver(store, lockfile, repo),
    force: options.force,
    ...(options.channel === undefined ? {} : { channel: options.channel }),
    alreadyPulled: new Set(),
    onEvent: options.onEvent,
  });
}

function resolveChannel(ref: ExtensionRef, channel: string | undefined): string | undefined {
  if (channel === undefined) return undefined;
  if (!(CHANNELS as readonly string[]).includes(channel)) {
    throw new UserError(`Invalid channel "${channel}". Valid channels: ${CHANNELS.join(", ")}`);
  }
  if (channel === "stable" || ref.version !== null) return undefined;
  return channel;
}

async function openRepo(flags: GlobalFlags): Promise<RepoContext> {
  return await requireRepo(resolveRepoDir(flags.repoDir));
}

/** Runs one parsed command; returns its exit code. */
export async function runCommand(
  command: Command,
  flags: GlobalFlags,
  output: Output,
): Promise<number> {
  switch (command.name) {
    case "help":
      console.log(USAGE);
      return 0;
    case "init": {
      const result = await initRepo(resolveRepoDir(command.dir ?? flags.repoDir));
      output.data(result);
      output.info(
        result.created ? `Initialized ${result.repoDir}` : `Already initialized: ${result.repoDir}`,
      );
      return 0;
    }
    case "pull": {
      const ref = parseExtensionRef(command.ref);
      validateExtensionName(ref.name);
      const channel = resolveChannel(ref, command.channel);
      const repo = await openRepo(flags);
      await runStartup(repo);
      const store = ExtensionCatalogStore.open(repo.layout.catalogPath);
      try {
        const result = await installWith(repo, store, ref, {
          force: flags.force || flags.yes,
          ...(channel === undefined ? {} : { channel }),
          onEvent: (event) => renderInstallEvent(output, event),
        });
        renderInstallResult(output, result);
      } catch (error) {
        if (error instanceof ConflictError) {
          output.data({ conflicts: error.conflicts });
          output.info(`Conflicting files:\n${error.conflicts.map((c) => `  ${c}`).join("\n")}`);
        }
        throw error;
      }
      return 0;
    }
    case "rm": {
      validateExtensionName(command.ref);
      const { findDependents, previewRemove, removeExtension } = await import("./remove.ts");
      const repo = await openRepo(flags);
      await runStartup(repo);
      const lockfile = await LockfileRepository.create(repo.layout.lockfilePath);
      if (isMutant("rm-idempotent-success") && lockfile.getEntry(command.ref) === null) {
        output.data({
          removed: {
            name: command.ref,
            version: "",
            filesDeleted: 0,
            filesSkipped: 0,
            dirsRemoved: 0,
          },
        });
        return 0;
      }
      const entry = previewRemove(command.ref, lockfile);
      const dependents = await findDependents(command.ref, repo.layout, lockfile);
      if (dependents.length > 0) {
        output.data({ dependencyWarning: dependents });
        output.info(`Warning: depended on by ${dependents.join(", ")}`);
      }
      const store = ExtensionCatalogStore.open(repo.layout.catalogPath);
      const removed = await removeExtension(command.ref, entry, {
        layout: repo.layout,
        lockfile,
        repository: repositoryOver(store, lockfile, repo),
      });
      output.data({ removed });
      output.info(
        `Removed ${removed.name} (v${removed.version}) — deleted ${removed.filesDeleted} file(s)`,
      );
      return 0;
    }
    case "update": {
      if (command.ref !== undefined) validateExtensionName(command.ref);
      const { runUpdate } = await import("./update.ts");
      const repo = await openRepo(flags);
      await runStartup(repo);
      const lockfile = await LockfileRepository.create(repo.layout.lockfilePath);
      const store = ExtensionCatalogStore.open(repo.layout.catalogPath);
      const report = await runUpdate(command.ref, command.check, {
        lockfile,
        registry: new RegistryClient(resolveServerUrl()),
        output,
        install: (ref, channel, onEvent) =>
          installWith(repo, store, ref, {
            force: true,
            ...(channel === undefined ? {} : { channel }),
            onEvent,
          }),
      });
      output.data(report);
      const { summary } = report;
      output.info(
        `${summary.total} extension(s): ${summary.upToDate} up to date, ${summary.updated} updated, ${summary.failed} failed`,
      );
      return 0;
    }
    case "list": {
      const { listExtensions } = await import("./list.ts");
      const repo = await openRepo(flags);
      await runStartup(repo);
      const lockfile = await LockfileRepository.create(repo.layout.lockfilePath);
      const listed = listExtensions(lockfile.getAllEntries());
      if (isMutant("list-stale-cache")) {
        const cachePath = join(repo.layout.swampDir, "extension-list-cache.json");
        const cached: unknown = await Deno.readTextFile(cachePath).then(JSON.parse, () => null);
        if (cached !== null) {
          output.data(cached);
          return 0;
        }
        await Deno.writeTextFile(cachePath, JSON.stringify(listed));
      }
      output.data(listed);
      for (const e of listed.extensions) {
        output.info(`${e.name}@${e.version} (${e.files.length} files)`);
      }
      return 0;
    }
    case "doctor": {
      const { runDoctor } = await import("./doctor.ts");
      const repo = await openRepo(flags);
      const startup = await runStartup(repo);
      const lockfile = await LockfileRepository.create(repo.layout.lockfilePath);
      const store = ExtensionCatalogStore.open(repo.layout.catalogPath);
      const report = await runDoctor({
        layout: repo.layout,
        store,
        lockfile,
        repository: repositoryOver(store, lockfile, repo),
        manifestIdentity: startup.manifestIdentity,
        repair: command.repair,
        dryRun: command.dryRun,
        repull: async (name, version) => {
          await installWith(repo, store, { name, version }, { force: true, onEvent: () => {} });
        },
      });
      output.data(report);
      output.info(`Extensions doctor: ${report.overallStatus}`);
      return report.overallStatus === "fail" ? 1 : 0;
    }
  }
}
