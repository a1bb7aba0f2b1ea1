import type { SnapshotVerificationSummary } from '@safekeep/plugin-backups-common';
import type { StoredVerification } from './VerificationsStore';

/** The entity tab's view of scheduled verify: the latest result per snapshot and tier. */
export function summarizeVerifications(
  latest: StoredVerification[],
): SnapshotVerificationSummary | undefined {
  if (latest.length === 0) return undefined;
  const failed = latest
    .filter(v => v.status === 'failed')
    .map(v => ({
      snapshotId: v.snapshotId,
      tier: v.tier,
      problem: v.problem,
      verifiedAt: v.finishedAt!,
    }))
    .sort((a, b) => b.snapshotId.localeCompare(a.snapshotId));
  return {
    lastVerifiedAt: latest
      .map(v => v.finishedAt!)
      .sort()
      .at(-1)!,
    passed: latest.filter(v => v.status === 'ok').length,
    failed,
  };
}
