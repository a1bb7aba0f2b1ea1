import { applyRetention, RetentionPolicy } from '@safekeep/plugin-backups-common';
import type { TargetConfig } from '../config/loadConfig';
import { snapshotIdTime } from '../storage/snapshotId';
import type { StoredSnapshot } from '../storage/SnapshotStorage';
import { tiersToSearch } from './findSnapshot';
import type { SnapshotContext } from './SnapshotContext';

/** Incomplete snapshots (no manifest) younger than this may still be being written. */
export const INCOMPLETE_GRACE_MS = 60 * 60 * 1000;

export interface PruneOptions {
  retention: RetentionPolicy;
  /** One tier, or every tier of the target with the same policy. */
  tier?: string;
  /** List what would be removed, remove nothing. */
  dryRun?: boolean;
}

export interface TierPruneResult {
  tier: string;
  kept: Array<{ id: string; reasons: string[] }>;
  /** Complete snapshots the policy does not keep. */
  pruned: string[];
  /** Snapshots without MANIFEST.json older than an hour: failed or interrupted runs. */
  incompleteRemoved: string[];
  /** Snapshots left alone because their manifest cannot be read (or is from a newer agent). */
  skipped: Array<{ id: string; reason: string }>;
}

export interface PruneResult {
  dryRun: boolean;
  tiers: TierPruneResult[];
}

function keepsSomething(policy: RetentionPolicy): boolean {
  return !!(policy.keepLast || policy.keepWithinMs || policy.keepDaily || policy.keepWeekly || policy.keepMonthly || policy.minimum);
}

/** Applies a retention policy (applyRetention from the contract) to a target's tiers. */
export async function pruneSnapshots(context: SnapshotContext, target: TargetConfig, options: PruneOptions): Promise<PruneResult> {
  if (!keepsSomething(options.retention)) {
    throw new Error('the retention policy keeps nothing; give at least one of keepLast, keepWithinMs, keepDaily, keepWeekly, keepMonthly, minimum');
  }
  const now = context.now();
  const dryRun = options.dryRun ?? false;
  const tiers: TierPruneResult[] = [];
  for (const tier of tiersToSearch(target, options.tier)) {
    const storage = context.storageFor(tier);
    const all = await storage.listSnapshots(target.name);
    const complete = all.filter((s): s is StoredSnapshot & { manifest: { status: 'ok' } } => s.manifest.status === 'ok');
    const decision = applyRetention(
      complete,
      s => new Date((s.manifest as { manifest: { started_at: string } }).manifest.started_at),
      options.retention,
      now,
    );
    const incomplete = all.filter(s => {
      const startedAt = snapshotIdTime(s.ref.id);
      return s.manifest.status === 'missing' && startedAt && now.getTime() - startedAt.getTime() > INCOMPLETE_GRACE_MS;
    });
    const skipped = all.flatMap(s => {
      if (s.manifest.status === 'too-new') {
        return [{ id: s.ref.id, reason: `manifest_version ${s.manifest.manifestVersion} is newer than this agent understands` }];
      }
      if (s.manifest.status === 'unreadable') return [{ id: s.ref.id, reason: s.manifest.reason }];
      return [];
    });
    if (!dryRun) {
      for (const s of [...decision.prune, ...incomplete]) await storage.deleteSnapshot(s.ref);
    }
    tiers.push({
      tier,
      kept: decision.keep.map(k => ({ id: k.snapshot.ref.id, reasons: k.reasons })),
      pruned: decision.prune.map(s => s.ref.id),
      incompleteRemoved: incomplete.map(s => s.ref.id),
      skipped,
    });
  }
  return { dryRun, tiers };
}
