import type { AgentSnapshot } from '@safekeep/plugin-backups-common';
import type { TargetConfig } from '../config/loadConfig';
import { tiersToSearch } from './findSnapshot';
import type { SnapshotContext } from './SnapshotContext';
import { toAgentSnapshot } from './toAgentSnapshot';

/** Complete snapshots of the targets in the given tier (or all their tiers), newest first. */
export async function listSnapshots(
  context: SnapshotContext,
  targets: TargetConfig[],
  tier?: string,
): Promise<AgentSnapshot[]> {
  const found: AgentSnapshot[] = [];
  for (const target of targets) {
    if (tier !== undefined && !target.tiers.includes(tier)) continue;
    for (const name of tier === undefined
      ? target.tiers
      : tiersToSearch(target, tier)) {
      const storage = context.storageFor(name);
      for (const stored of await storage.listSnapshots(target.name)) {
        // Incomplete and unreadable snapshots are never offered for restore.
        if (stored.manifest.status === 'ok')
          found.push(
            toAgentSnapshot(storage, stored.ref, stored.manifest.manifest),
          );
      }
    }
  }
  return found.sort(
    (a, b) =>
      b.createdAt.localeCompare(a.createdAt) ||
      b.id.localeCompare(a.id) ||
      a.tier.localeCompare(b.tier),
  );
}
