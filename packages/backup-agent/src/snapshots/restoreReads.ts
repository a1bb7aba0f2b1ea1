import type { SnapshotManifest } from '@safekeep/plugin-backups-common';
import type { AgentConfig, TargetConfig } from '../config/loadConfig';
import type { KeyLookup } from '../pipeline/encryption';
import type { SnapshotStorage } from '../storage/SnapshotStorage';
import { restoreKeys } from './restoreKeys';
import {
  findRestoreDependencies,
  StoredManifest,
} from './snapshotDependencies';

/**
 * What a restore of `manifest` reads besides it, found before anything is touched: the
 * snapshots it keeps content in (incremental engines; in the same tier) and the keys of all of
 * them. A missing dependency or key refuses the restore (RestoreRefusedError).
 */
export async function restoreReads(
  storage: SnapshotStorage,
  target: TargetConfig,
  manifest: SnapshotManifest,
  config: AgentConfig,
  /** The target the snapshots were taken from, when not `target` itself. */
  from?: string,
): Promise<{ dependencies: StoredManifest[]; keys: KeyLookup }> {
  const dependencies = await findRestoreDependencies(
    storage,
    target,
    manifest,
    from,
  );
  const keys = restoreKeys(config, [
    manifest,
    ...dependencies.map(d => d.manifest),
  ]);
  return { dependencies, keys };
}
