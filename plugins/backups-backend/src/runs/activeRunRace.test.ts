import knexFactory, { Knex } from 'knex';
import { createTestDatabases } from '../testing/testDatabases';
import { migrateBackupsDatabase } from '../database/migrateBackupsDatabase';
import { DatabaseBackupsStore } from './DatabaseBackupsStore';

/**
 * One active (queued or running) run per target, held by the database: replicas are played by
 * separate knex pools on one database, racing "back up now" and the schedule. On SQLite (one
 * connection) the index is checked; on the real PostgreSQL the race is real.
 */
jest.setTimeout(120_000);

const { databases } = createTestDatabases();
const TARGET = { agent: 'host-a', target: 'orders-db' };
const REPLICAS = 6;

/** Knex pools of their own on the same database, as separate backend replicas have. */
function replicaPools(first: Knex, count: number): Knex[] {
  const config = (first.client as { config: Knex.Config }).config;
  if (config.client !== 'pg') return Array.from({ length: count }, () => first);
  return Array.from({ length: count }, () =>
    knexFactory({
      client: 'pg',
      connection: config.connection,
      pool: { min: 1, max: 2 },
    }),
  );
}

async function activeRuns(knex: Knex) {
  return knex('backup_runs')
    .where(TARGET)
    .whereIn('status', ['queued', 'running'])
    .select('id', 'trigger');
}

describe('one active run per target', () => {
  it.each(databases.eachSupportedId())(
    '%p: "back up now" raced from six replicas, 15 rounds',
    async databaseId => {
      const knex = await databases.init(databaseId);
      await migrateBackupsDatabase(knex);
      const pools = replicaPools(knex, REPLICAS);
      try {
        const stores = pools.map(pool => new DatabaseBackupsStore(pool));
        for (let round = 0; round < 15; round++) {
          const results = await Promise.all(
            stores.map(store =>
              store.createUserRun({
                entityRef: 'resource:default/orders-db',
                ...TARGET,
                triggeredBy: `user:default/u${round}`,
                now: new Date(),
              }),
            ),
          );
          const created = results.filter(r => 'created' in r);
          expect(created).toHaveLength(1);
          // Everyone else is told which run is already active.
          const { created: run } = created[0] as { created: { id: string } };
          for (const result of results.filter(r => 'conflict' in r))
            expect(result).toMatchObject({ conflict: { id: run.id } });
          expect(await activeRuns(knex)).toHaveLength(1);
          await stores[0].finishRun(run.id, {
            status: 'succeeded',
            finishedAt: new Date(),
          });
        }
      } finally {
        if (pools[0] !== knex) await Promise.all(pools.map(p => p.destroy()));
      }
    },
  );

  it.each(databases.eachSupportedId())(
    '%p: a scheduled slot and "back up now" raced, and a slot while a run is active',
    async databaseId => {
      const knex = await databases.init(databaseId);
      await migrateBackupsDatabase(knex);
      const pools = replicaPools(knex, REPLICAS);
      try {
        const stores = pools.map(pool => new DatabaseBackupsStore(pool));
        for (let round = 0; round < 10; round++) {
          const slot = new Date(Date.UTC(2026, 11, 3, round));
          await Promise.all(
            stores.map((store, i) =>
              i % 2
                ? store.createUserRun({
                    entityRef: 'resource:default/orders-db',
                    ...TARGET,
                    triggeredBy: 'user:default/ann',
                    now: new Date(),
                  })
                : store.createScheduledRun({
                    entityRef: `resource:default/orders-db-${i}`,
                    ...TARGET,
                    scheduledFor: slot,
                    now: new Date(),
                  }),
            ),
          );
          const active = await activeRuns(knex);
          expect(active).toHaveLength(1);
          // A later slot while that run is active is not queued beside it.
          expect(
            await stores[0].createScheduledRun({
              entityRef: 'resource:default/orders-db',
              ...TARGET,
              scheduledFor: new Date(slot.getTime() + 1_800_000),
              now: new Date(),
            }),
          ).toBeUndefined();
          await stores[0].finishRun(active[0].id, {
            status: 'succeeded',
            finishedAt: new Date(),
          });
        }
      } finally {
        if (pools[0] !== knex) await Promise.all(pools.map(p => p.destroy()));
      }
    },
  );
});
