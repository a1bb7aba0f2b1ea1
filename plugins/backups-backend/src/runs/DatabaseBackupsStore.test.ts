import { TestDatabaseId } from '@backstage/backend-test-utils';
import knexFactory, { Knex } from 'knex';
import { createTestDatabases } from '../testing/testDatabases';
import { DatabaseBackupsStore } from './DatabaseBackupsStore';
import { migrateBackupsDatabase } from '../database/migrateBackupsDatabase';

const { databases } = createTestDatabases();

const TOKEN = 'agent-token-0123456789abcdef';
const ENTITY = 'resource:default/app-db';
const T0 = new Date('2026-11-21T10:00:00.000Z');

const extraClients: Knex[] = [];
afterAll(async () => {
  await Promise.all(extraClients.map(client => client.destroy()));
});

async function setUp(id: TestDatabaseId): Promise<{
  knex: Knex;
  store: DatabaseBackupsStore;
  replica: DatabaseBackupsStore;
}> {
  const knex = await databases.init(id);
  await migrateBackupsDatabase(knex);
  // A second connection pool on the same database, as a second backend replica would have.
  // SQLite in memory has a single connection, so there the "replica" shares it.
  const second = id === 'SQLITE_3' ? knex : knexFactory(knex.client.config);
  if (second !== knex) extraClients.push(second);
  return {
    knex,
    store: new DatabaseBackupsStore(knex, [TOKEN]),
    replica: new DatabaseBackupsStore(second, [TOKEN]),
  };
}

describe.each(databases.eachSupportedId())(
  'DatabaseBackupsStore on %p',
  databaseId => {
    it('creates one run per (entity, slot) even when replicas insert it at the same time', async () => {
      const { store, replica } = await setUp(databaseId);
      const slot = new Date('2026-11-21T01:00:00.000Z');
      const attempts = Array.from({ length: 10 }, (_, i) =>
        (i % 2 ? replica : store).createScheduledRun({
          entityRef: ENTITY,
          agent: 'demo-host',
          target: 'app-db',
          scheduledFor: slot,
          now: T0,
        }),
      );
      const results = await Promise.all(attempts);
      expect(results.filter(Boolean)).toHaveLength(1);
      const { items, total } = await store.listRuns(ENTITY, {
        limit: 50,
        offset: 0,
      });
      expect(total).toBe(1);
      expect(items[0]).toMatchObject({
        trigger: 'schedule',
        status: 'queued',
        scheduledFor: slot.toISOString(),
      });
      expect(await store.getLatestScheduledSlot(ENTITY)).toEqual(slot);
      expect(await store.hasRunForSlot(ENTITY, slot)).toBe(true);
      expect(
        await store.hasRunForSlot(ENTITY, new Date('2026-11-22T01:00:00.000Z')),
      ).toBe(false);
    });

    it('never lets two runs of one target run at once, even when claimed concurrently', async () => {
      const { store, replica } = await setUp(databaseId);
      const slot = (i: number) => new Date(T0.getTime() - (4 - i) * 3_600_000);
      const queued = await store.createScheduledRun({
        entityRef: ENTITY,
        agent: 'demo-host',
        target: 'app-db',
        scheduledFor: slot(0),
        now: T0,
      });
      // Later slots are not queued beside it: one active (queued or running) run per target.
      for (let i = 1; i < 4; i++)
        expect(
          await replica.createScheduledRun({
            entityRef: ENTITY,
            agent: 'demo-host',
            target: 'app-db',
            scheduledFor: slot(i),
            now: T0,
          }),
        ).toBeUndefined();
      const claims = await Promise.all(
        [store, replica, store, replica].map(s =>
          s.claimQueuedRun(queued!.id, T0),
        ),
      );
      expect(claims.filter(c => 'claimed' in c)).toHaveLength(1);
      // The others find it taken ('gone'), or on PostgreSQL may trip the running index ('busy').
      expect(claims.filter(c => 'gone' in c || 'busy' in c)).toHaveLength(3);
      expect(await store.listRunsInStatus('running')).toHaveLength(1);

      // Another target of the same agent is not blocked.
      const other = await store.createUserRun({
        entityRef: 'resource:default/cache',
        agent: 'demo-host',
        target: 'cache',
        triggeredBy: null,
        now: T0,
      });
      expect(
        'created' in other &&
          'claimed' in (await store.claimQueuedRun(other.created.id, T0)),
      ).toBe(true);

      // Once the running one finishes, the next slot of the target can be queued and start.
      expect(
        await store.finishRun(queued!.id, {
          status: 'succeeded',
          finishedAt: T0,
        }),
      ).toBe(true);
      const next = await replica.createScheduledRun({
        entityRef: ENTITY,
        agent: 'demo-host',
        target: 'app-db',
        scheduledFor: slot(3),
        now: T0,
      });
      expect('claimed' in (await store.claimQueuedRun(next!.id, T0))).toBe(
        true,
      );
    });

    it('refuses a user run while a run of the same target is queued or running, naming it', async () => {
      const { store } = await setUp(databaseId);
      const first = await store.createUserRun({
        entityRef: ENTITY,
        agent: 'demo-host',
        target: 'app-db',
        triggeredBy: 'user:default/ann',
        now: T0,
      });
      expect('created' in first).toBe(true);
      const second = await store.createUserRun({
        entityRef: ENTITY,
        agent: 'demo-host',
        target: 'app-db',
        triggeredBy: 'user:default/bob',
        now: T0,
      });
      expect('conflict' in second && second.conflict.id).toBe(
        'created' in first && first.created.id,
      );
    });

    it('stores errors with the agent token and passwords redacted', async () => {
      const { store } = await setUp(databaseId);
      const created = await store.createUserRun({
        entityRef: ENTITY,
        agent: 'demo-host',
        target: 'app-db',
        triggeredBy: null,
        now: T0,
      });
      const id = 'created' in created ? created.created.id : '';
      await store.finishRun(id, {
        status: 'failed',
        finishedAt: T0,
        error: `pg_dump: connection to postgres://app:s3cret@db:5432/app failed; password=hunter2; sent Bearer ${TOKEN}; token ${TOKEN}`,
      });
      const run = await store.getRun(id);
      expect(run?.status).toBe('failed');
      expect(run?.error).toContain(
        'pg_dump: connection to postgres://app:[redacted]@db:5432/app failed',
      );
      expect(run?.error).not.toContain('s3cret');
      expect(run?.error).not.toContain('hunter2');
      expect(run?.error).not.toContain(TOKEN);
      // A finished run cannot be finished again.
      expect(
        await store.finishRun(id, { status: 'succeeded', finishedAt: T0 }),
      ).toBe(false);
    });

    it('lists runs newest first with totals, and keeps large byte counts exact', async () => {
      const { store } = await setUp(databaseId);
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        const result = await store.createUserRun({
          entityRef: ENTITY,
          agent: 'demo-host',
          target: `t${i}`,
          triggeredBy: null,
          now: new Date(T0.getTime() + i * 1000),
        });
        ids.push('created' in result ? result.created.id : '');
      }
      await store.claimQueuedRun(ids[4], T0);
      await store.finishRun(ids[4], {
        status: 'succeeded',
        finishedAt: T0,
        bytesStored: 5_000_000_000_123,
        bytesRaw: 9_000_000_000_456,
        sha256: 'a'.repeat(64),
      });
      const page = await store.listRuns(ENTITY, { limit: 2, offset: 1 });
      expect(page.total).toBe(5);
      expect(page.items.map(r => r.id)).toEqual([ids[3], ids[2]]);
      const newest = (await store.listRuns(ENTITY, { limit: 1, offset: 0 }))
        .items[0];
      expect(newest).toMatchObject({
        id: ids[4],
        bytesStored: 5_000_000_000_123,
        bytesRaw: 9_000_000_000_456,
        finishedAt: T0.toISOString(),
      });
    });
  },
);
