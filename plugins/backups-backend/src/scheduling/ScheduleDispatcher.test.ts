import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { parseSchedule, BackupSchedule } from '@safekeep/plugin-backups-common';
import {
  DatabaseBackupsStore,
  migrateBackupsDatabase,
} from '../runs/DatabaseBackupsStore';
import type { ConfiguredPolicy } from '../policies/CatalogPolicyReader';
import { ScheduleDispatcher } from './ScheduleDispatcher';

const databases = TestDatabases.create({
  ids: ['SQLITE_3'],
  disableDocker: true,
});

function schedule(text: string): BackupSchedule {
  const parsed = parseSchedule(text);
  if ('error' in parsed) throw new Error(parsed.error);
  return parsed;
}

async function setUp(initial: ConfiguredPolicy[]) {
  const knex = await databases.init('SQLITE_3');
  await migrateBackupsDatabase(knex);
  const store = new DatabaseBackupsStore(knex);
  let policies = initial;
  let now = new Date('2026-11-21T12:00:00.000Z');
  const dispatcher = new ScheduleDispatcher({
    policies: { readConfigured: async () => policies },
    store,
    logger: mockServices.logger.mock(),
    now: () => now,
  });
  return {
    store,
    dispatcher,
    setPolicies: (next: ConfiguredPolicy[]) => (policies = next),
    setNow: (next: string) => (now = new Date(next)),
  };
}

const hourly = (entityRef: string, target = 'app-db'): ConfiguredPolicy => ({
  entityRef,
  policy: { agent: 'demo-host', target, schedule: schedule('hourly') },
});

describe('ScheduleDispatcher', () => {
  it('queues only the latest due slot, once', async () => {
    const { store, dispatcher } = await setUp([
      hourly('resource:default/app-db'),
    ]);
    const created = await dispatcher.dispatch();
    expect(created.map(r => r.scheduledFor)).toEqual([
      '2026-11-21T12:00:00.000Z',
    ]);
    expect(await dispatcher.dispatch()).toEqual([]);
    expect(
      (
        await store.listRuns('resource:default/app-db', {
          limit: 10,
          offset: 0,
        })
      ).total,
    ).toBe(1);
  });

  it('does not backfill slots missed while it was down', async () => {
    const { store, dispatcher, setNow } = await setUp([
      hourly('resource:default/app-db'),
    ]);
    const [first] = await dispatcher.dispatch();
    await store.finishRun(first.id, {
      status: 'succeeded',
      finishedAt: new Date('2026-11-21T12:01:00Z'),
    });
    setNow('2026-11-21T17:30:00.000Z'); // five slots later
    const created = await dispatcher.dispatch();
    expect(created.map(r => r.scheduledFor)).toEqual([
      '2026-11-21T17:00:00.000Z',
    ]);
  });

  it('does not pile up a second queued run of a target that has one waiting', async () => {
    const { store, dispatcher, setNow } = await setUp([
      hourly('resource:default/app-db'),
    ]);
    await dispatcher.dispatch();
    setNow('2026-11-21T13:00:10.000Z');
    expect(await dispatcher.dispatch()).toEqual([]);
    expect(
      (
        await store.listRuns('resource:default/app-db', {
          limit: 10,
          offset: 0,
        })
      ).total,
    ).toBe(1);
  });

  it('follows catalog changes from one tick to the next', async () => {
    const { store, dispatcher, setPolicies } = await setUp([]);
    expect(await dispatcher.dispatch()).toEqual([]);
    setPolicies([
      hourly('resource:default/cache', 'cache'),
      {
        entityRef: 'resource:default/manual',
        policy: { agent: 'demo-host', target: 'manual' },
      },
    ]);
    const created = await dispatcher.dispatch();
    expect(created.map(r => r.entityRef)).toEqual(['resource:default/cache']);
    expect(
      (
        await store.listRuns('resource:default/manual', {
          limit: 10,
          offset: 0,
        })
      ).total,
    ).toBe(0);
  });
});
