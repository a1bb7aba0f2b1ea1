import {
  AgentSnapshot,
  EntityBackupSummary,
  parseRetention,
  RetentionPolicy,
} from '@safekeep/plugin-backups-common';

export interface TierView {
  /** The agent's tier name, or "primary" / "offsite" when no snapshot says it. */
  tier: string;
  /** 0 is the primary tier (safekeep.io/retention), 1 the second (safekeep.io/retention-offsite). */
  position: number;
  /** The retention annotation's text for this tier, or null without one. */
  retention: string | null;
  /** The retention in words, or why it does not parse. */
  retentionMeaning: string | null;
  /** Newest first. */
  snapshots: AgentSnapshot[];
  bytes: number;
}

type Policy = EntityBackupSummary['policy'];

/** "keep-last=12 keep-daily=7 min=3" reads as "the newest 12, the newest of each of the last 7 days, never fewer than 3". */
export function retentionInWords(text: string): string {
  const parsed = parseRetention(text);
  if ('error' in parsed) return `Not understood: ${parsed.error}`;
  return describeRetention(parsed);
}

function describeRetention(policy: RetentionPolicy): string {
  const parts: string[] = [];
  if (policy.keepLast) parts.push(`the newest ${policy.keepLast}`);
  if (policy.keepWithinMs) {
    const hours = Math.round(policy.keepWithinMs / 3_600_000);
    parts.push(
      hours % 24 === 0
        ? `all of the last ${hours / 24} days`
        : `all of the last ${hours} hours`,
    );
  }
  if (policy.keepDaily) parts.push(`one per day for ${policy.keepDaily} days`);
  if (policy.keepWeekly)
    parts.push(`one per week for ${policy.keepWeekly} weeks`);
  if (policy.keepMonthly)
    parts.push(`one per month for ${policy.keepMonthly} months`);
  const keeps = parts.length > 0 ? `Keeps ${parts.join(', ')}` : 'Keeps';
  return policy.minimum
    ? `${keeps}${parts.length ? ';' : ''} never fewer than ${policy.minimum}.`
    : `${keeps}.`;
}

function retentionOf(position: number, policy: Policy): string | null {
  if (!policy) return null;
  if (position === 0) return policy.retention;
  if (position === 1) return policy.retentionOffsite;
  return null;
}

/**
 * The snapshots grouped by tier, the primary tier first. The primary is the tier holding the
 * last success's snapshot (its location is the primary's); failing that, the first tier listed.
 * Without snapshots, the tiers the policy gives a retention for are shown empty.
 */
export function tierViews(
  snapshots: AgentSnapshot[],
  policy: Policy,
  primaryLocation: string | null | undefined,
): TierView[] {
  const byTier = new Map<string, AgentSnapshot[]>();
  for (const snapshot of snapshots) {
    byTier.set(snapshot.tier, [...(byTier.get(snapshot.tier) ?? []), snapshot]);
  }
  let names = [...byTier.keys()];
  const primary = snapshots.find(s => s.location === primaryLocation)?.tier;
  if (primary) names = [primary, ...names.filter(name => name !== primary)];
  if (names.length === 0) {
    names = ['primary'];
    if (policy?.retentionOffsite) names.push('offsite');
  }
  return names.map((tier, position) => {
    const tierSnapshots = (byTier.get(tier) ?? []).sort((a, b) =>
      b.createdAt.localeCompare(a.createdAt),
    );
    const retention = retentionOf(position, policy);
    return {
      tier,
      position,
      retention,
      retentionMeaning: retention ? retentionInWords(retention) : null,
      snapshots: tierSnapshots,
      bytes: tierSnapshots.reduce((sum, s) => sum + s.bytes, 0),
    };
  });
}
