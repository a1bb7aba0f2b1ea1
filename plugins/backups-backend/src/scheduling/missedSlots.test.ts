import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import type { SchedulerService } from '@backstage/backend-plugin-api';
import { parseSchedule, BackupSchedule } from '@safekeep/plugin-backups-common';
import type { Knex } from 'knex';
import { AgentRegistry } from '../agent/AgentRegistry';
import { migrateBackupsDatabase } from '../database/migrateBackupsDatabase';
import { DatabaseBackupsStore } from '../runs/DatabaseBackupsStore';
import { RunExecutor } from '../runs/RunExecutor';
import {
  sendJson,
  StandInAgent,
  startStandInAgent,
} from '../testing/standInAgent';
import {
  DISPATCH_TASK_ID,
  registerBackupTasks,
  RUNNER_TASK_ID,
} from './registerBackupTasks';
import { ScheduleDispatcher } from './ScheduleDispatcher';

/**
 * Slots missed while the backend was down: the scheduler's tasks (dispatcher and runner, as
 * registered by the plugin) over a real SQLite store, a fake clock, and a stand-in agent that
 * answers every backup with a snapshot. The backend "restarts" as new tasks over the same
 * database; the missed slots get one run, which records what it caught up against the RPO.
 */
const databases = TestDatabases.create({
  ids: ['SQLITE_3'],
  disableDocker: true,
});
const TOKEN = 'missed-slots-token-abcdef123456';
const ENTITY = 'resource:default/app-db';
const HOUR = 3600_000;

type MockScheduler = SchedulerService & {
  triggerTask(id: string): Promise<void>;
};

function schedule(text: string): BackupSchedule {
  const parsed = parseSchedule(text);
  if ('error' in parsed) throw new Error(parsed.error);
  return parsed;
}

/** The fake clock every part reads (dispatcher, runner, the stand-in agent's job times). */
let now = new Date('2026-11-21T12:00:05.000Z');
let agent: StandInAgent;
let backups = 0;
beforeAll(async () => {
  agent = await startStandInAgent();
  agent.handle = (req, _body, res) => {
    if (req.method === 'POST' && req.url === '/v1/backups') {
      backups++;
      sendJson(res, 202, {
        id: `job-${backups}`,
        kind: 'backup',
        subject: { kind: 'target', name: 'app-db' },
        state: 'running',
        phase: 'starting',
        bytes: 0,
        startedAt: new Date().toISOString(),
      });
      return;
    }
    const job = /^\/v1\/jobs\/(job-\d+)$/.exec(req.url ?? '');
    if (job) {
      sendJson(res, 200, {
        id: job[1],
        kind: 'backup',
        subject: { kind: 'target', name: 'app-db' },
        state: 'succeeded',
        phase: 'done',
        bytes: 100,
        startedAt: now.toISOString(),
        finishedAt: now.toISOString(),
        snapshots: [
          {
            id: job[1],
            target: 'app-db',
            tier: 'local',
            createdAt: now.toISOString(),
            bytes: 100,
            rawBytes: 300,
            sha256: 'a'.repeat(64),
            artifacts: [
              { name: 'app.db.zst', bytes: 100, sha256: 'a'.repeat(64) },
            ],
            location: `file:///backups/app-db/${job[1]}/`,
            engine: 'sqlite',
            engineVersion: '3.45.0',
            manifestVersion: 1,
          },
        ],
      });
      return;
    }
    sendJson(res, 404, { error: 'no such route' });
  };
});
afterAll(async () => {
  await agent.close();
});

/** One backend process: the plugin's two tasks on a scheduler, over the shared database. */
async function startBackend(knex: Knex) {
  const scheduler = mockServices.scheduler() as unknown as MockScheduler;
  const store = new DatabaseBackupsStore(knex, [TOKEN]);
  const logger = mockServices.logger.mock();
  const agents = new AgentRegistry(
    {
      agents: new Map([
        ['demo-host', { name: 'demo-host', url: agent.url, token: TOKEN }],
      ]),
      dispatchIntervalSeconds: 30,
      defaultTimeZone: 'UTC',
    },
    { timeoutMs: 2000 },
  );
  await registerBackupTasks({
    scheduler,
    dispatcher: new ScheduleDispatcher({
      policies: {
        readConfigured: async () => [
          {
            entityRef: ENTITY,
            policy: {
              agent: 'demo-host',
              target: 'app-db',
              schedule: schedule('hourly'),
              rpoMs: 2 * HOUR,
            },
          },
        ],
      },
      store,
      logger,
      now: () => now,
      dispatchIntervalMs: 30_000,
    }),
    executor: new RunExecutor({ store, agents, logger, now: () => now }),
    dispatchIntervalSeconds: 30,
  });
  /** Thirty seconds of the backend's life: a dispatch tick, then runner ticks. */
  const tick = async () => {
    await scheduler.triggerTask(DISPATCH_TASK_ID);
    for (let i = 0; i < 3; i++) await scheduler.triggerTask(RUNNER_TASK_ID);
    now = new Date(now.getTime() + 30_000);
  };
  return { store, logger, tick };
}

async function runs(store: DatabaseBackupsStore) {
  return (await store.listRuns(ENTITY, { limit: 100, offset: 0 })).items
    .slice()
    .reverse();
}

describe('slots missed while the backend was down', () => {
  it('get one catch-up run, which records the missed slots and the RPO it broke; later slots run on time', async () => {
    const knex = await databases.init('SQLITE_3');
    await migrateBackupsDatabase(knex);

    // 12:00: the backend runs, the slot's backup succeeds.
    const first = await startBackend(knex);
    await first.tick();
    const [onTime] = await runs(first.store);
    expect(onTime).toMatchObject({
      status: 'succeeded',
      scheduledFor: '2026-11-21T12:00:00.000Z',
    });
    expect(onTime.catchUp ?? null).toBeNull();

    // Down from 12:01 to 16:40: the 13:00 ... 16:00 slots pass with no backend.
    now = new Date('2026-11-21T16:40:00.000Z');
    const second = await startBackend(knex);
    // Ten minutes of ticks after the restart: the missed slots are not queued one by one.
    for (let i = 0; i < 20; i++) await second.tick();
    const afterRestart = await runs(second.store);
    expect(afterRestart.map(r => [r.scheduledFor, r.status])).toEqual([
      ['2026-11-21T12:00:00.000Z', 'succeeded'],
      ['2026-11-21T16:00:00.000Z', 'succeeded'],
    ]);
    expect(backups).toBe(2);
    expect(afterRestart[1].catchUp).toEqual({
      missedSlots: 3,
      firstMissedSlot: '2026-11-21T13:00:00.000Z',
      lateMs: 40 * 60_000,
      // The 12:00 run finished at 12:00:05 (the agent's finishedAt).
      sinceLastSuccessMs: 4 * HOUR + 40 * 60_000 - 5_000,
      rpoMs: 2 * HOUR,
      rpoExceeded: true,
    });
    expect(second.logger.warn).toHaveBeenCalledWith(
      expect.stringMatching(
        /^Catching up the scheduled backup of resource:default\/app-db with one run, queued 40m after its slot: 3 slot\(s\) missed since 2026-11-21T13:00:00.000Z; the last success is 4h39m55s old, more than the RPO of 2h$/,
      ),
    );

    // 17:00 comes while the backend runs: on time, nothing to catch up.
    while (now.getTime() < new Date('2026-11-21T17:01:00.000Z').getTime())
      await second.tick();
    const later = await runs(second.store);
    expect(later).toHaveLength(3);
    expect(later[2]).toMatchObject({
      scheduledFor: '2026-11-21T17:00:00.000Z',
      status: 'succeeded',
      catchUp: null,
    });
  });
});
