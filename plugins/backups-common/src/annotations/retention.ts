import { parseDuration } from './duration';

/**
 * How many snapshots of one tier to keep. A snapshot is kept when any rule keeps it;
 * `minimum` always wins: the newest `minimum` snapshots are never pruned, however old.
 */
export interface RetentionPolicy {
  keepLast?: number;
  keepWithinMs?: number;
  keepDaily?: number;
  keepWeekly?: number;
  keepMonthly?: number;
  minimum?: number;
}

export const RETENTION_HELP =
  'Write space-separated rules: keep-last=N keep-within=DURATION keep-daily=N keep-weekly=N keep-monthly=N min=N, ' +
  'for example "keep-last=4 keep-daily=7 min=3" or "keep-within=30d min=3".';

const COUNT_RULES: Record<string, keyof RetentionPolicy> = {
  'keep-last': 'keepLast',
  'keep-daily': 'keepDaily',
  'keep-weekly': 'keepWeekly',
  'keep-monthly': 'keepMonthly',
  min: 'minimum',
  minimum: 'minimum',
};

/** Parses retention rules. Returns the policy or an error message that names the bad rule. */
export function parseRetention(
  text: string,
): RetentionPolicy | { error: string } {
  const policy: RetentionPolicy = {};
  const rules = text
    .trim()
    .split(/[\s,;]+/)
    .filter(Boolean);
  if (rules.length === 0)
    return { error: `retention is empty. ${RETENTION_HELP}` };
  for (const rule of rules) {
    const [name, value, ...extra] = rule.split('=');
    if (value === undefined || extra.length > 0) {
      return {
        error: `"${rule}" is not of the form rule=value. ${RETENTION_HELP}`,
      };
    }
    if (name === 'keep-within') {
      const ms = parseDuration(value);
      if (ms === undefined)
        return {
          error: `"${rule}": "${value}" is not a duration such as 30d or 12h. ${RETENTION_HELP}`,
        };
      policy.keepWithinMs = ms;
      continue;
    }
    const key = COUNT_RULES[name];
    if (!key)
      return { error: `"${name}" is not a retention rule. ${RETENTION_HELP}` };
    if (!/^\d+$/.test(value) || Number(value) > 100000) {
      return {
        error: `"${rule}": "${value}" must be a whole number. ${RETENTION_HELP}`,
      };
    }
    (policy as Record<string, number>)[key] = Number(value);
  }
  const keeps =
    policy.keepLast ||
    policy.keepWithinMs ||
    policy.keepDaily ||
    policy.keepWeekly ||
    policy.keepMonthly ||
    policy.minimum;
  if (!keeps)
    return { error: `these rules would keep nothing. ${RETENTION_HELP}` };
  return policy;
}

export function formatRetention(policy: RetentionPolicy): string {
  const parts: string[] = [];
  if (policy.keepLast) parts.push(`keep-last=${policy.keepLast}`);
  if (policy.keepWithinMs)
    parts.push(`keep-within=${Math.round(policy.keepWithinMs / 3_600_000)}h`);
  if (policy.keepDaily) parts.push(`keep-daily=${policy.keepDaily}`);
  if (policy.keepWeekly) parts.push(`keep-weekly=${policy.keepWeekly}`);
  if (policy.keepMonthly) parts.push(`keep-monthly=${policy.keepMonthly}`);
  if (policy.minimum) parts.push(`min=${policy.minimum}`);
  return parts.join(' ');
}

export interface RetentionDecision<T> {
  keep: Array<{ snapshot: T; reasons: string[] }>;
  prune: T[];
}

function isoWeek(date: Date): string {
  const d = new Date(
    Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()),
  );
  const day = d.getUTCDay() || 7;
  d.setUTCDate(d.getUTCDate() + 4 - day);
  const yearStart = new Date(Date.UTC(d.getUTCFullYear(), 0, 1));
  const week = Math.ceil(
    ((d.getTime() - yearStart.getTime()) / 86_400_000 + 1) / 7,
  );
  return `${d.getUTCFullYear()}-W${week}`;
}

/**
 * Decides which snapshots a policy keeps (restic's forget semantics, in UTC buckets).
 * Snapshots may come in any order; `createdAt` says when each was taken.
 */
export function applyRetention<T>(
  snapshots: T[],
  createdAt: (snapshot: T) => Date,
  policy: RetentionPolicy,
  now: Date = new Date(),
): RetentionDecision<T> {
  const newestFirst = [...snapshots].sort(
    (a, b) => createdAt(b).getTime() - createdAt(a).getTime(),
  );
  const reasons = new Map<T, string[]>();
  const mark = (s: T, reason: string) =>
    reasons.set(s, [...(reasons.get(s) ?? []), reason]);

  newestFirst.slice(0, policy.minimum ?? 0).forEach(s => mark(s, 'minimum'));
  newestFirst.slice(0, policy.keepLast ?? 0).forEach(s => mark(s, 'last'));
  if (policy.keepWithinMs) {
    const cutoff = now.getTime() - policy.keepWithinMs;
    newestFirst
      .filter(s => createdAt(s).getTime() >= cutoff)
      .forEach(s => mark(s, 'within'));
  }
  const buckets: Array<[number | undefined, string, (d: Date) => string]> = [
    [policy.keepDaily, 'daily', d => d.toISOString().slice(0, 10)],
    [policy.keepWeekly, 'weekly', isoWeek],
    [policy.keepMonthly, 'monthly', d => d.toISOString().slice(0, 7)],
  ];
  for (const [count, reason, bucketOf] of buckets) {
    if (!count) continue;
    const seen = new Set<string>();
    for (const s of newestFirst) {
      if (seen.size >= count) break;
      const bucket = bucketOf(createdAt(s));
      if (!seen.has(bucket)) {
        seen.add(bucket);
        mark(s, reason);
      }
    }
  }
  return {
    keep: newestFirst
      .filter(s => reasons.has(s))
      .map(s => ({ snapshot: s, reasons: reasons.get(s)! })),
    prune: newestFirst.filter(s => !reasons.has(s)),
  };
}
