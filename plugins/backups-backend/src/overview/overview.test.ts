import { randomUUID } from 'node:crypto';
import { mockServices } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import type {
  SizeSeries,
  TargetListItem,
  TeamOverview,
} from '@safekeep/plugin-backups-common';
import type { Knex } from 'knex';
import { migrateBackupsDatabase } from '../database/migrateBackupsDatabase';
import { createTestDatabases } from '../testing/testDatabases';
import { startBackupsTestBackend } from '../testing/testBackend';

jest.setTimeout(60_000);

const { databases } = createTestDatabases();
const DAY = 86_400_000;
const HOUR = 3_600_000;

function entity(
  kind: string,
  name: string,
  owner: string,
  options: { type?: string; annotations?: Record<string, string> } = {},
): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind,
    metadata: {
      name,
      namespace: 'default',
      title: `Title of ${name}`,
      annotations: options.annotations ?? {},
    },
    spec: { type: options.type ?? 'database', owner },
    // The catalog derives ownedBy from spec.owner; the in-memory catalog needs it spelled out.
    relations: [{ type: 'ownedBy', targetRef: owner }],
  };
}

const policy = (target: string, extra: Record<string, string> = {}) => ({
  annotations: {
    'safekeep.io/agent': 'demo-host',
    'safekeep.io/target': target,
    ...extra,
  },
});
const TEAM = 'group:default/team-a';
const CATALOG: Entity[] = [
  entity('Resource', 'a-ok', TEAM, policy('a-ok')),
  entity('Resource', 'a-failing', TEAM, policy('a-failing')),
  entity(
    'Resource',
    'a-stale',
    TEAM,
    policy('a-stale', { 'safekeep.io/rpo': '26h' }),
  ),
  entity('Component', 'a-never', TEAM, policy('a-never')),
  entity(
    'Resource',
    'a-invalid',
    TEAM,
    policy('a-invalid', { 'safekeep.io/schedule': 'when it rains' }),
  ),
  entity('Resource', 'a-bucket', TEAM, { type: 'bucket' }),
  entity('Resource', 'a-cache', TEAM, { type: 'Cache' }),
  entity('Resource', 'a-dashboard', TEAM, { type: 'dashboard' }),
  entity('Component', 'a-service', TEAM, { type: 'service' }),
  entity('Resource', 'a-secret', TEAM, policy('a-secret')),
  entity('Resource', 'b-db', 'group:default/team-b', policy('b-db')),
];

interface SeedRun {
  entity: string;
  status: string;
  finishedAgoMs: number;
  bytes?: number;
}

async function seed(knex: Knex, now: number, runs: SeedRun[]) {
  await migrateBackupsDatabase(knex);
  await knex.batchInsert(
    'backup_runs',
    runs.map(r => {
      const finished = new Date(now - r.finishedAgoMs);
      return {
        id: randomUUID(),
        entity_ref: `resource:default/${r.entity}`,
        agent: 'demo-host',
        target: r.entity,
        status: r.status,
        trigger: 'schedule',
        created_at: new Date(finished.getTime() - 60_000),
        started_at: new Date(finished.getTime() - 60_000),
        finished_at: finished,
        duration_ms: 60_000,
        bytes_stored: r.status === 'succeeded' ? r.bytes ?? 100 : null,
        bytes_raw: r.status === 'succeeded' ? (r.bytes ?? 100) * 3 : null,
        updated_at: finished,
      };
    }),
    200,
  );
}

function seedRuns(): SeedRun[] {
  const runs: SeedRun[] = [];
  // a-ok: one success a day for 40 days, growing by 10 bytes a day.
  for (let d = 1; d <= 40; d++)
    runs.push({
      entity: 'a-ok',
      status: 'succeeded',
      finishedAgoMs: d * DAY - HOUR,
      bytes: 1000 + (40 - d) * 10,
    });
  // a-failing: ten successes, then a failure 12 hours ago.
  for (let d = 2; d <= 11; d++)
    runs.push({
      entity: 'a-failing',
      status: 'succeeded',
      finishedAgoMs: d * DAY,
      bytes: 500,
    });
  runs.push({
    entity: 'a-failing',
    status: 'failed',
    finishedAgoMs: 12 * HOUR,
  });
  // a-stale: one success three days ago (RPO 26h).
  runs.push({
    entity: 'a-stale',
    status: 'succeeded',
    finishedAgoMs: 3 * DAY,
    bytes: 700,
  });
  // Another team's runs must not count.
  runs.push({ entity: 'b-db', status: 'failed', finishedAgoMs: HOUR });
  return runs;
}

describe.each(databases.eachSupportedId())(
  'team overview, sizes and targets on %p',
  databaseId => {
    async function start() {
      const knex = await databases.init(databaseId);
      const now = Date.now();
      await seed(knex, now, seedRuns());
      const permissions = mockServices.permissions.mock({
        authorize: async requests =>
          requests.map(r => ({
            result:
              'resourceRef' in r &&
              r.resourceRef === 'resource:default/a-secret'
                ? AuthorizeResult.DENY
                : AuthorizeResult.ALLOW,
          })),
      });
      const started = await startBackupsTestBackend({
        entities: CATALOG,
        agents: {
          'demo-host': {
            url: 'http://127.0.0.1:9',
            token: 'unused-token-0123456789',
          },
        },
        databases,
        knex,
        features: [permissions.factory],
      });
      return { ...started, now };
    }

    it('counts, orders worst first, lists unprotected data resources and computes rates and bytes', async () => {
      const { api, backend, now } = await start();
      const overview: TeamOverview = (
        await api()
          .get('/api/backups/overview?owner=group:default/team-a')
          .expect(200)
      ).body;
      expect(overview.owner).toBe(TEAM);
      expect(overview.entities.map(e => [e.entityRef, e.health])).toEqual([
        ['resource:default/a-failing', 'failing'],
        ['resource:default/a-stale', 'stale'],
        ['component:default/a-never', 'never'],
        ['resource:default/a-invalid', 'invalid'],
        ['resource:default/a-ok', 'ok'],
      ]);
      expect(overview.counts).toEqual({
        protected: 4,
        unprotected: 2,
        ok: 1,
        late: 0,
        stale: 1,
        failing: 1,
        never: 1,
        invalid: 1,
        drillsOverdue: 0,
        drillsFailing: 0,
      });
      // Data-holding Resources without annotations; the dashboard and the service are not data.
      expect(overview.unprotected).toEqual([
        {
          entityRef: 'resource:default/a-bucket',
          title: 'Title of a-bucket',
          type: 'bucket',
        },
        {
          entityRef: 'resource:default/a-cache',
          title: 'Title of a-cache',
          type: 'Cache',
        },
      ]);
      const failing = overview.entities[0];
      expect(failing.successRate30d).toBeCloseTo(10 / 11);
      expect(failing.title).toBe('Title of a-failing');
      // 30 + 10 + 1 successes, 1 failure in the window (team-b's failure does not count).
      expect(overview.successRate30d).toBeCloseTo(41 / 42);
      expect(overview.bytesStored).toBe(1390 + 500 + 700);
      // Only a-ok had a backup 30 days ago (1090 bytes then).
      expect(overview.growthBytes30d).toBe(1390 + 500 + 700 - 1090);

      expect(overview.successTrend).toHaveLength(30);
      const today = new Date(now).toISOString().slice(0, 10);
      expect(overview.successTrend[29].day).toBe(today);
      const failureDay = new Date(now - 12 * HOUR).toISOString().slice(0, 10);
      expect(
        overview.successTrend.find(d => d.day === failureDay)!.failed,
      ).toBe(1);
      const firstDay = Date.parse(`${overview.successTrend[0].day}T00:00:00Z`);
      const expected = seedRuns().filter(
        r => r.entity.startsWith('a-') && now - r.finishedAgoMs >= firstDay,
      ).length;
      expect(
        overview.successTrend.reduce((n, d) => n + d.succeeded + d.failed, 0),
      ).toBe(expected);
      await backend.stop();
    });

    it('answers an unknown team with empty lists, and a bad owner with 400', async () => {
      const { api, backend } = await start();
      const empty: TeamOverview = (
        await api().get('/api/backups/overview?owner=team-z').expect(200)
      ).body;
      expect(empty).toMatchObject({
        owner: 'group:default/team-z',
        entities: [],
        unprotected: [],
        successRate30d: null,
        growthBytes30d: null,
      });
      const missing = await api().get('/api/backups/overview').expect(400);
      expect(missing.body.error.message).toContain('owner is required');
      await api().get('/api/backups/overview?owner=group:a:b/c:d').expect(400);
      await backend.stop();
    });

    it('serves the size series of a window, oldest first, with its growth', async () => {
      const { api, backend } = await start();
      const series: SizeSeries = (
        await api()
          .get('/api/backups/entities/resource/default/a-ok/sizes?days=30')
          .expect(200)
      ).body;
      expect(series.points).toHaveLength(30);
      expect(series.points[0].bytesStored).toBe(1000 + 10 * 10);
      expect(series.points[29]).toMatchObject({
        bytesStored: 1390,
        bytesRaw: 1390 * 3,
      });
      expect(series.growthBytesPer30Days).toBe(300);
      const year: SizeSeries = (
        await api()
          .get('/api/backups/entities/resource/default/a-ok/sizes?days=365')
          .expect(200)
      ).body;
      expect(year.points).toHaveLength(40);
      const bad = await api()
        .get('/api/backups/entities/resource/default/a-ok/sizes?days=7')
        .expect(400);
      expect(bad.body.error.message).toContain('days must be 30, 90 or 365');
      await api()
        .get('/api/backups/entities/resource/default/nope/sizes')
        .expect(404);
      await api()
        .get('/api/backups/entities/resource/default/a-secret/sizes')
        .expect(403);
      await backend.stop();
    });

    it('shows the storage the kept snapshots take per entity: the oldest kept in full, then what each later one added', async () => {
      const { api, backend, knex } = await start();
      // a-ok's 40 runs, oldest first: run i stored 1000 + 10 i bytes and added i bytes to "local".
      const rows: Array<{ id: string }> = await knex('backup_runs')
        .select('id')
        .where({ entity_ref: 'resource:default/a-ok' })
        .orderBy('finished_at', 'asc');
      expect(rows).toHaveLength(40);
      for (const [i, row] of rows.entries())
        await knex('backup_runs')
          .where({ id: row.id })
          .update({
            snapshot_id: `snap-${i}`,
            bytes_new: i,
            dedup_ratio: i > 0 ? Math.round((3000 / i) * 100) / 100 : 0,
            tiers: JSON.stringify([{ tier: 'local', id: `snap-${i}` }]),
          });
      const prune = (tier: string, pruned: string[], status = 'succeeded') => ({
        id: randomUUID(),
        run_id: rows[39].id,
        entity_ref: 'resource:default/a-ok',
        agent: 'demo-host',
        target: 'a-ok',
        tier,
        retention_annotation: 'safekeep.io/retention',
        retention: '{}',
        status,
        pruned: JSON.stringify(pruned),
        created_at: new Date(),
        updated_at: new Date(),
      });
      await knex('backup_prunes').insert([
        prune(
          'local',
          Array.from({ length: 10 }, (_, i) => `snap-${i}`),
        ),
        // Removed elsewhere, or not removed at all: still kept in "local".
        prune('offsite', ['snap-10']),
        prune('local', ['snap-11'], 'failed'),
      ]);

      const overview: TeamOverview = (
        await api()
          .get('/api/backups/overview?owner=group:default/team-a')
          .expect(200)
      ).body;
      const ok = overview.entities.find(
        e => e.entityRef === 'resource:default/a-ok',
      )!;
      // snap-10 in full (1000 + 100), then snap-11..snap-39 added 11 + ... + 39.
      const added = Array.from({ length: 29 }, (_, k) => 11 + k).reduce(
        (a, b) => a + b,
        0,
      );
      expect(ok.storageUsedBytes).toBe(1100 + added);
      // Runs without a snapshot id (recorded before it existed) give no estimate.
      expect(
        overview.entities.find(e => e.entityRef === 'resource:default/a-stale')!
          .storageUsedBytes,
      ).toBeNull();
      expect(overview.storageUsedBytes).toBe(1100 + added);

      const series: SizeSeries = (
        await api()
          .get('/api/backups/entities/resource/default/a-ok/sizes?days=30')
          .expect(200)
      ).body;
      expect(series.points[29]).toMatchObject({
        bytesStored: 1390,
        bytesRaw: 1390 * 3,
        bytesNew: 39,
      });
      const runs = (
        await api()
          .get('/api/backups/entities/resource/default/a-ok/runs?limit=1')
          .expect(200)
      ).body.items;
      expect(runs[0]).toMatchObject({
        bytesNew: 39,
        dedupRatio: 76.92,
      });
      await backend.stop();
    });

    it('lists every valid policy the caller may read, with health and last run', async () => {
      const { api, backend } = await start();
      const targets: TargetListItem[] = (
        await api().get('/api/backups/targets').expect(200)
      ).body;
      expect(targets.map(t => [t.entityRef, t.health])).toEqual([
        ['resource:default/a-failing', 'failing'],
        ['component:default/a-never', 'never'],
        ['resource:default/a-ok', 'ok'],
        ['resource:default/a-stale', 'stale'],
        ['resource:default/b-db', 'failing'],
      ]);
      expect(targets[0]).toMatchObject({
        owner: TEAM,
        agent: 'demo-host',
        target: 'a-failing',
        lastRun: { status: 'failed' },
      });
      await backend.stop();
    });
  },
);
