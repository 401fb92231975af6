/**
 * The hidden startup work of every `extension`/`doctor` command (swamp's
 * `configureExtensionLoaders`): open the catalog and keep it open for the
 * whole process, take a lockfile snapshot, and run ReconcileFromDisk when a
 * `populated:*` flag is missing or the manifest identity changed. NOT wrapped
 * in a try/catch: a malformed lockfile or a failed reconcile is an internal
 * error (exit 1).
 *
 * @module
 */

import { ExtensionCatalogStore } from "./catalog.ts";
import { LockfileRepository } from "./lockfile.ts";
import { needsReconcile, reconcileFromDisk } from "./reconcile.ts";
import { manifestIdentity, type RepoContext } from "./repo.ts";
import { ExtensionRepository } from "./repository.ts";

/** What startup leaves open for the process. */
export interface StartupState {
  store: ExtensionCatalogStore;
  manifestIdentity: string;
  reconciled: boolean;
}

/** Runs the startup work for a repo. */
export async function runStartup(repo: RepoContext): Promise<StartupState> {
  const { layout } = repo;
  const store = ExtensionCatalogStore.open(layout.catalogPath);
  const lockfile = await LockfileRepository.create(layout.lockfilePath);
  const identity = await manifestIdentity(repo.markerBytes);
  let reconciled = false;
  if (needsReconcile(store, identity)) {
    const repository = new ExtensionRepository(store, lockfile, {
      repoRoot: layout.repoDir,
      pulledRoot: layout.pulledRoot,
    });
    await reconcileFromDisk({ layout, lockfile, repository, store, manifestIdentity: identity });
    reconciled = true;
  }
  return { store, manifestIdentity: identity, reconciled };
}
