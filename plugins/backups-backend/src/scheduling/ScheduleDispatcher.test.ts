import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { parseSchedule, BackupSchedule } from '@safekeep/plugin-backups-common';
import { DatabaseBackupsStore } from '../runs/DatabaseBackupsStore';
import { migrateBackupsDatabase } from '../database/migrateBackupsDatabase';
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

  it.each([
    // 02:30 does not exist on 2026-03-29 in Zurich: the run comes at 03:30 CEST.
    [
      '2026-03-28T23:00:00Z',
      '2026-03-29T06:00:00Z',
      ['2026-03-29T01:30:00.000Z'],
    ],
    // 02:30 happens twice on 2026-10-25: one run, at the first.
    [
      '2026-10-24T22:00:00Z',
      '2026-10-25T06:00:00Z',
      ['2026-10-25T00:30:00.000Z'],
    ],
  ])(
    'ticking every minute from %s to %s, "daily 02:30 Europe/Zurich" queues %j',
    async (from, to, expected) => {
      const { store, dispatcher, setNow } = await setUp([
        {
          entityRef: 'resource:default/app-db',
          policy: {
            agent: 'demo-host',
            target: 'app-db',
            schedule: schedule('daily 02:30 Europe/Zurich'),
          },
        },
      ]);
      // The day before's run is on record, as in a backend that has been up all along.
      setNow(new Date(new Date(from).getTime() - 3_600_000).toISOString());
      const queued = await dispatcher.dispatch();
      for (const run of queued)
        await store.finishRun(run.id, {
          status: 'succeeded',
          finishedAt: new Date(from),
        });
      const created: string[] = [];
      for (
        let t = new Date(from).getTime();
        t < new Date(to).getTime();
        t += 60_000
      ) {
        setNow(new Date(t).toISOString());
        for (const run of await dispatcher.dispatch()) {
          created.push(run.scheduledFor!);
          await store.finishRun(run.id, {
            status: 'succeeded',
            finishedAt: new Date(t + 30_000),
          });
        }
      }
      expect(created).toEqual(expected);
    },
  );
});
