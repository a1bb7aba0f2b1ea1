import type { Entity } from '@backstage/catalog-model';
import { parseBackupPolicy } from '@safekeep/plugin-backups-common';
import type { EntityRunFacts, StoredRun } from '../runs/BackupsStore';
import { computeEntitySummary } from './computeEntitySummary';

const NOW = new Date('2026-11-21T12:00:00.000Z');
const ENTITY_REF = 'resource:default/app-db';

function entity(annotations: Record<string, string>): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: { name: 'app-db', annotations },
    spec: {},
  };
}

const DAILY = entity({
  'safekeep.io/agent': 'demo-host',
  'safekeep.io/target': 'app-db',
  'safekeep.io/schedule': 'daily 01:00',
  'safekeep.io/rpo': '26h',
  'safekeep.io/retention': 'keep-last=7 min=3',
});

function run(overrides: Partial<StoredRun>): StoredRun {
  return {
    id: 'r1',
    entityRef: ENTITY_REF,
    agent: 'demo-host',
    target: 'app-db',
    status: 'succeeded',
    phase: 'done',
    trigger: 'schedule',
    triggeredBy: null,
    scheduledFor: '2026-11-21T01:00:00.000Z',
    createdAt: '2026-11-21T01:00:05.000Z',
    startedAt: '2026-11-21T01:00:06.000Z',
    finishedAt: '2026-11-21T01:01:00.000Z',
    durationMs: 54_000,
    bytesRaw: 2000,
    bytesStored: 1000,
    sha256: 'a'.repeat(64),
    snapshotId: 's1',
    location: 'file:///backups/app-db/s1',
    downtimeMs: null,
    error: null,
    agentJobId: 'j1',
    agentSeenAt: null,
    tiers: null,
    ...overrides,
  };
}

function summarize(e: Entity, facts: EntityRunFacts, now = NOW) {
  return computeEntitySummary({
    entityRef: ENTITY_REF,
    policy: parseBackupPolicy(e),
    facts,
    now,
    dispatchIntervalMs: 30_000,
  });
}

describe('computeEntitySummary', () => {
  it('says unconfigured, with the annotations to add, when there is no policy', () => {
    const summary = summarize(entity({}), {});
    expect(summary.health).toBe('unconfigured');
    expect(summary.healthReason).toContain('safekeep.io/agent');
    expect(summary.policy).toBeNull();
  });

  it('lists annotation problems instead of failing', () => {
    const summary = summarize(
      entity({
        'safekeep.io/agent': 'demo-host',
        'safekeep.io/schedule': 'sometimes',
      }),
      {},
    );
    expect(summary.health).toBe('invalid');
    expect(summary.problems.map(p => p.annotation)).toEqual(
      expect.arrayContaining(['safekeep.io/target', 'safekeep.io/schedule']),
    );
  });

  it('is ok after a recent success, with policy and next run', () => {
    const last = run({});
    const summary = summarize(DAILY, {
      lastFinished: last,
      lastSuccess: last,
      latestScheduledSlot: new Date('2026-11-21T01:00:00Z'),
    });
    expect(summary.health).toBe('ok');
    expect(summary.lastSuccess?.sha256).toBe('a'.repeat(64));
    expect(summary.nextRunAt).toBe('2026-11-22T01:00:00.000Z');
    expect(summary.policy).toEqual({
      agent: 'demo-host',
      target: 'app-db',
      engine: null,
      schedule: 'daily 01:00',
      timeZone: 'UTC',
      rpoMs: 26 * 3_600_000,
      retention: 'keep-last=7 min=3',
      retentionOffsite: null,
      restoreDrill: null,
    });
    // The REST view carries no runner bookkeeping.
    expect(summary.lastRun).not.toHaveProperty('agentJobId');
  });

  it('names the restore drill schedule and scratch destination in the policy', () => {
    const withDrill = entity({
      'safekeep.io/agent': 'demo-host',
      'safekeep.io/target': 'app-db',
      'safekeep.io/schedule': 'daily 01:00',
      'safekeep.io/restore-drill': 'weekly sunday 05:00 UTC',
      'safekeep.io/restore-drill-target': 'app_drill',
    });
    expect(summarize(withDrill, {}).policy?.restoreDrill).toEqual({
      schedule: 'weekly sunday 05:00 UTC',
      destination: 'app_drill',
    });
  });

  it('is failing when the last finished run failed, even after earlier successes', () => {
    const ok = run({});
    const failed = run({
      id: 'r2',
      status: 'failed',
      error: 'pg_dump: connection refused',
      finishedAt: '2026-11-21T02:00:00.000Z',
    });
    const summary = summarize(DAILY, {
      lastFinished: failed,
      lastSuccess: ok,
      latestScheduledSlot: new Date('2026-11-21T01:00:00Z'),
    });
    expect(summary.health).toBe('failing');
    expect(summary.healthReason).toContain('connection refused');
  });

  it('is never before any success', () => {
    const active = run({ status: 'running', finishedAt: null });
    const summary = summarize(DAILY, {
      active,
      latestScheduledSlot: new Date('2026-11-21T01:00:00Z'),
    });
    expect(summary.health).toBe('never');
    expect(summary.runningRun?.status).toBe('running');
  });

  it('is stale when the last success is older than the RPO', () => {
    const old = run({ finishedAt: '2026-11-20T01:01:00.000Z' });
    const summary = summarize(
      DAILY,
      {
        lastFinished: old,
        lastSuccess: old,
        latestScheduledSlot: new Date('2026-11-21T01:00:00Z'),
      },
      new Date('2026-11-21T04:00:00Z'),
    );
    expect(summary.health).toBe('stale');
    expect(summary.healthReason).toContain('RPO of 1d2h');
  });

  it('is late when the latest slot has no run after a dispatch interval and grace', () => {
    const last = run({
      createdAt: '2026-11-20T01:00:05.000Z',
      finishedAt: '2026-11-20T01:01:00.000Z',
      scheduledFor: '2026-11-20T01:00:00.000Z',
    });
    const facts = {
      lastFinished: last,
      lastSuccess: last,
      latestScheduledSlot: new Date('2026-11-20T01:00:00Z'),
    };
    // 30 s after the slot: not late yet (the dispatcher may not have ticked).
    expect(
      summarize(DAILY, facts, new Date('2026-11-21T01:00:30Z')).health,
    ).toBe('ok');
    const later = summarize(DAILY, facts, new Date('2026-11-21T01:05:00Z'));
    expect(later.health).toBe('late');
    expect(later.healthReason).toContain('2026-11-21T01:00:00.000Z');
  });

  it('is not late when someone backed up after the missed slot', () => {
    const last = run({
      createdAt: '2026-11-20T01:00:05.000Z',
      finishedAt: '2026-11-20T01:01:00.000Z',
      scheduledFor: '2026-11-20T01:00:00.000Z',
    });
    const manual = run({
      id: 'r2',
      trigger: 'user',
      scheduledFor: null,
      createdAt: '2026-11-21T01:03:00.000Z',
      status: 'running',
      finishedAt: null,
    });
    const facts = {
      lastFinished: last,
      lastSuccess: last,
      active: manual,
      latestScheduledSlot: new Date('2026-11-20T01:00:00Z'),
    };
    expect(
      summarize(DAILY, facts, new Date('2026-11-21T01:05:00Z')).health,
    ).toBe('ok');
  });

  describe('overlapping schedules', () => {
    const HOURLY = entity({
      'safekeep.io/agent': 'demo-host',
      'safekeep.io/target': 'app-db',
      'safekeep.io/schedule': 'hourly',
    });
    const last = run({
      finishedAt: '2026-11-21T11:59:00.000Z',
      scheduledFor: '2026-11-21T11:00:00.000Z',
    });
    const facts = (minutes: number[]) => ({
      lastFinished: last,
      lastSuccess: last,
      latestScheduledSlot: new Date('2026-11-21T12:00:00Z'),
      recentDurationsMs: minutes.map(m => m * 60_000),
    });

    it('warns when the median recent run lasts longer than the interval between slots', () => {
      const summary = summarize(HOURLY, facts([70, 65, 80, 20]));
      expect(summary.health).toBe('ok');
      expect(summary.warnings).toEqual([
        expect.stringContaining('median of the last 4 successful runs is 1h7m'),
      ]);
      expect(summary.warnings![0]).toContain('every 1h');
    });

    it('says nothing when runs fit, or with too few runs to tell', () => {
      expect(summarize(HOURLY, facts([10, 70, 12])).warnings).toEqual([]);
      expect(summarize(HOURLY, facts([90, 95])).warnings).toEqual([]);
      // Daily slots leave a day: a 70-minute backup fits.
      expect(summarize(DAILY, facts([70, 65, 80])).warnings).toEqual([]);
    });
  });
});
