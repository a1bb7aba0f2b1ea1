import {
  applyRetention,
  RetentionPolicy,
  SnapshotManifest,
} from '@safekeep/plugin-backups-common';
import { SweepResult, sweepUnusedPacks } from '../chunks/sweepUnusedPacks';
import type { TargetConfig } from '../config/loadConfig';
import { EncryptionKeyring } from '../pipeline/encryption/EncryptionKeyring';
import { snapshotIdTime } from '../storage/snapshotId';
import type { StoredSnapshot } from '../storage/SnapshotStorage';
import { tiersToSearch } from './findSnapshot';
import { dependenciesOf } from './snapshotDependencies';
import type { SnapshotContext } from './SnapshotContext';

/** Incomplete snapshots (no manifest) younger than this may still be being written. */
export const INCOMPLETE_GRACE_MS = 60 * 60 * 1000;

export interface PruneOptions {
  retention: RetentionPolicy;
  /** One tier, or every tier of the target with the same policy. */
  tier?: string;
  /** List what would be removed, remove nothing. */
  dryRun?: boolean;
  /**
   * Snapshots a scheduled verify found broken (the backend records them): never counted as a
   * good one by the policy, so a keep-last keeps older good ones instead; left in place, for
   * inspection, and reported as skipped.
   */
  failedVerify?: string[];
}

export interface TierPruneResult {
  tier: string;
  kept: Array<{ id: string; reasons: string[] }>;
  /** Complete snapshots the policy does not keep and no kept snapshot depends on. */
  pruned: string[];
  /** Snapshots without MANIFEST.json older than an hour: failed or interrupted runs. */
  incompleteRemoved: string[];
  /** Snapshots left alone because their manifest cannot be read (or is from a newer agent). */
  skipped: Array<{ id: string; reason: string }>;
  /**
   * Phase two, for the tier's chunk pools (shared by all its targets): packs no committed
   * snapshot references any more, removed (or, with dryRun, only counted).
   */
  chunks: SweepResult;
}

export interface PruneResult {
  dryRun: boolean;
  tiers: TierPruneResult[];
}

type CompleteSnapshot = StoredSnapshot & {
  manifest: { status: 'ok'; manifest: SnapshotManifest };
};

/**
 * The kept snapshots plus every snapshot they depend on (incremental engines keep content in
 * earlier snapshots), transitively, with reason `needed by <id>`; newest first.
 */
function keepDependencies(
  keep: Array<{ snapshot: CompleteSnapshot; reasons: string[] }>,
  complete: CompleteSnapshot[],
): Array<{ snapshot: CompleteSnapshot; reasons: string[] }> {
  const byId = new Map(complete.map(s => [s.ref.id, s]));
  const reasons = new Map(keep.map(k => [k.snapshot.ref.id, [...k.reasons]]));
  const queue = keep.map(k => k.snapshot.ref.id);
  while (queue.length > 0) {
    const id = queue.shift()!;
    for (const dependency of dependenciesOf(byId.get(id)!.manifest.manifest)) {
      // A dependency missing from this tier has nothing to protect; verify and restore report it.
      if (!byId.has(dependency)) continue;
      const why = reasons.get(dependency);
      if (why) {
        if (!why.includes(`needed by ${id}`)) why.push(`needed by ${id}`);
      } else {
        reasons.set(dependency, [`needed by ${id}`]);
        queue.push(dependency);
      }
    }
  }
  return complete
    .filter(s => reasons.has(s.ref.id))
    .sort(
      (a, b) =>
        b.manifest.manifest.started_at.localeCompare(
          a.manifest.manifest.started_at,
        ) || b.ref.id.localeCompare(a.ref.id),
    )
    .map(s => ({ snapshot: s, reasons: reasons.get(s.ref.id)! }));
}

function keepsSomething(policy: RetentionPolicy): boolean {
  return !!(
    policy.keepLast ||
    policy.keepWithinMs ||
    policy.keepDaily ||
    policy.keepWeekly ||
    policy.keepMonthly ||
    policy.minimum
  );
}

/** Applies a retention policy (applyRetention from the contract) to a target's tiers. */
export async function pruneSnapshots(
  context: SnapshotContext,
  target: TargetConfig,
  options: PruneOptions,
): Promise<PruneResult> {
  if (!keepsSomething(options.retention)) {
    throw new Error(
      'the retention policy keeps nothing; give at least one of keepLast, keepWithinMs, keepDaily, keepWeekly, keepMonthly, minimum',
    );
  }
  const now = context.now();
  const dryRun = options.dryRun ?? false;
  const tiers: TierPruneResult[] = [];
  for (const tier of tiersToSearch(target, options.tier)) {
    const storage = context.storageFor(tier);
    const all = await storage.listSnapshots(target.name);
    const failedVerify = new Set(options.failedVerify ?? []);
    const complete = all.filter(
      (s): s is CompleteSnapshot =>
        s.manifest.status === 'ok' && !failedVerify.has(s.ref.id),
    );
    const decision = applyRetention(
      complete,
      s => new Date(s.manifest.manifest.started_at),
      options.retention,
      now,
    );
    const kept = keepDependencies(decision.keep, complete);
    const incomplete = all.filter(s => {
      const startedAt = snapshotIdTime(s.ref.id);
      return (
        s.manifest.status === 'missing' &&
        startedAt &&
        now.getTime() - startedAt.getTime() > INCOMPLETE_GRACE_MS
      );
    });
    const skipped = all.flatMap(s => {
      if (s.manifest.status === 'ok' && failedVerify.has(s.ref.id))
        return [
          {
            id: s.ref.id,
            reason:
              'it failed a scheduled verify: not counted as a good snapshot, kept for inspection (remove it by hand)',
          },
        ];
      if (s.manifest.status === 'too-new') {
        return [
          {
            id: s.ref.id,
            reason: `manifest_version ${s.manifest.manifestVersion} is newer than this agent understands`,
          },
        ];
      }
      if (s.manifest.status === 'unreadable')
        return [{ id: s.ref.id, reason: s.manifest.reason }];
      return [];
    });
    const keptIds = new Set(kept.map(k => k.snapshot.ref.id));
    const pruned = decision.prune.filter(s => !keptIds.has(s.ref.id));
    if (!dryRun) {
      for (const s of [...pruned, ...incomplete])
        await storage.deleteSnapshot(s.ref);
    }
    const keys = new EncryptionKeyring(context.config);
    const chunks = await sweepUnusedPacks(storage, {
      now,
      dryRun,
      keys: keyId => keys.byId(keyId),
    });
    tiers.push({
      chunks,
      tier,
      kept: kept.map(k => ({ id: k.snapshot.ref.id, reasons: k.reasons })),
      pruned: pruned.map(s => s.ref.id),
      incompleteRemoved: incomplete.map(s => s.ref.id),
      skipped,
    });
  }
  return { dryRun, tiers };
}
