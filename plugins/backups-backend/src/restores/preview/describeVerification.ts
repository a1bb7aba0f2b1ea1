import type { AgentJob } from '@safekeep/plugin-backups-common';

interface TierResult {
  tier?: string;
  ok?: boolean;
  problem?: string;
  artifacts?: Array<{ name?: string; ok?: boolean; problem?: string }>;
}

/** One sentence on what a finished verify job found, per tier. */
export function describeVerification(job: AgentJob): string {
  const tiers = (job.details?.tiers ?? []) as TierResult[];
  if (job.state !== 'succeeded')
    return `Verification failed: ${job.error ?? 'the agent gave no reason'}`;
  if (!Array.isArray(tiers) || tiers.length === 0)
    return 'The agent verified the snapshot.';
  const parts = tiers.map(tier => {
    const artifacts = tier.artifacts ?? [];
    const good = artifacts.filter(a => a.ok).length;
    return `${tier.tier}: ${good} of ${artifacts.length} artifact(s) re-read, sha256 and size match the manifest`;
  });
  return `${parts.join('; ')}.`;
}
