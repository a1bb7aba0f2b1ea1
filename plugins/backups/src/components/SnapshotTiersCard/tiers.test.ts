import type { AgentSnapshot } from '@safekeep/plugin-backups-common';
import { policy } from '../../__testUtils__/fixtures';
import { retentionInWords, tierViews } from './tiers';

function snapshot(
  id: string,
  tier: string,
  createdAt: string,
  bytes = 100,
): AgentSnapshot {
  return {
    id,
    target: 'orders',
    tier,
    createdAt,
    bytes,
    rawBytes: bytes * 3,
    sha256: 'a'.repeat(64),
    artifacts: [],
    location: `file:///backups/${tier}/${id}`,
    engine: 'postgres',
    engineVersion: '15',
    manifestVersion: 1,
  };
}

describe('retentionInWords', () => {
  it('says what the rules keep', () => {
    expect(retentionInWords('keep-last=12 keep-daily=7 min=3')).toBe(
      'Keeps the newest 12, one per day for 7 days; never fewer than 3.',
    );
    expect(retentionInWords('keep-within=30d keep-monthly=12')).toBe(
      'Keeps all of the last 30 days, one per month for 12 months.',
    );
  });

  it('says why rules it cannot read are wrong', () => {
    expect(retentionInWords('keep-yearly=2')).toMatch(
      /^Not understood: "keep-yearly" is not a retention rule/,
    );
  });
});

describe('tierViews', () => {
  const both = { ...policy, retentionOffsite: 'keep-monthly=12 min=3' };

  it('groups snapshots by tier, the primary (holding the last success) first, with its retention', () => {
    const snapshots = [
      snapshot('s2', 'offsite', '2026-11-20T01:00:00Z', 10),
      snapshot('s2', 'local', '2026-11-20T01:00:00Z', 10),
      snapshot('s1', 'local', '2026-11-19T01:00:00Z', 20),
    ];
    const views = tierViews(snapshots, both, 'file:///backups/local/s2');

    expect(
      views.map(v => [v.tier, v.retention, v.snapshots.length, v.bytes]),
    ).toEqual([
      ['local', 'keep-last=7 keep-daily=14 min=3', 2, 30],
      ['offsite', 'keep-monthly=12 min=3', 1, 10],
    ]);
    expect(views[0].snapshots.map(s => s.id)).toEqual(['s2', 's1']);
  });

  it('shows the tiers the policy names, empty, before the first snapshot', () => {
    expect(
      tierViews([], both, null).map(v => [v.tier, v.snapshots.length]),
    ).toEqual([
      ['primary', 0],
      ['offsite', 0],
    ]);
    expect(tierViews([], policy, null).map(v => v.tier)).toEqual(['primary']);
  });
});
