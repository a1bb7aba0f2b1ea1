import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import type { RestorePreview } from '@safekeep/plugin-backups-common';
import { AgentClient } from '../agent/AgentClient';
import { migrateBackupsDatabase } from '../database/migrateBackupsDatabase';
import {
  sendJson,
  StandInAgent,
  startStandInAgent,
} from '../testing/standInAgent';
import { RestoreNotifier } from './RestoreNotifier';
import { DatabaseRestoresStore } from './DatabaseRestoresStore';
import type { GroupState } from './RestoresStore';
import { RestoreExecutor } from './RestoreExecutor';

/**
 * The runner against a stand-in agent, for what the real one cannot show here: a group
 * restore done by the agent itself needs Docker (it stops the group's containers), and an
 * agent that restarted mid-restore cannot be produced on demand. The happy paths run against
 * the real agent in restores.sqlite.test.ts and restores.postgres.test.ts.
 */
const databases = TestDatabases.create({
  ids: ['SQLITE_3'],
  disableDocker: true,
});
const TOKEN = 'stand-in-token-0a1b2c3d';

const preview: RestorePreview = {
  snapshotId: '20261122T010000Z',
  snapshotCreatedAt: '2026-11-22T01:00:00.000Z',
  verified: true,
  verification: 'ok',
  artifacts: [],
  containersToStop: ['shop-app'],
  expectedDowntimeMs: null,
  refusals: [],
  overwrites: true,
};

const group: GroupState = {
  name: 'shop',
  members: [
    {
      entityRef: 'resource:default/app-db',
      agent: 'demo-host',
      target: 'app-db',
      snapshotId: '20261122T010000Z',
      status: 'pending',
    },
    {
      entityRef: 'resource:default/notes-db',
      agent: 'demo-host',
      target: 'notes-db',
      snapshotId: '20261122T010001Z',
      status: 'pending',
    },
  ],
};

let agent: StandInAgent;
beforeAll(async () => {
  agent = await startStandInAgent();
});
afterAll(async () => {
  await agent.close();
});

async function setup() {
  const knex = await databases.init('SQLITE_3');
  await migrateBackupsDatabase(knex);
  const store = new DatabaseRestoresStore(knex);
  const client = new AgentClient(
    { name: 'demo-host', url: agent.url, token: TOKEN },
    { timeoutMs: 2000 },
  );
  const executor = new RestoreExecutor({
    store,
    agents: { get: name => (name === 'demo-host' ? client : undefined) },
    logger: mockServices.logger.mock(),
    notifier: new RestoreNotifier({ logger: mockServices.logger.mock() }),
  });
  return { store, executor, knex };
}

async function approvedRequest(
  store: DatabaseRestoresStore,
  groupState: GroupState | null,
) {
  const now = new Date();
  const created = await store.createRequest({
    entityRef: groupState ? 'system:default/shop' : 'resource:default/app-db',
    agent: groupState ? null : 'demo-host',
    target: groupState ? null : 'app-db',
    snapshotId: '20261122T010000Z',
    destination: { kind: 'in-place' },
    force: true,
    reason: 'test',
    requestedBy: 'user:default/ann',
    preview,
    groupState,
    now,
    expiresAt: new Date(now.getTime() + 3_600_000),
  });
  await store.decide(created.id, {
    decidedBy: 'user:default/bob',
    approve: true,
    comment: '',
    now,
  });
  return created.id;
}

describe('RestoreExecutor', () => {
  it('lets the agent restore a group itself and reports the containers it left stopped after a member failed', async () => {
    const { store, executor } = await setup();
    const id = await approvedRequest(store, group);
    const job = {
      id: 'job-g',
      kind: 'restore',
      subject: { kind: 'group', name: 'shop' },
      state: 'running',
      phase: 'stopping 1 container(s)',
      bytes: 0,
      startedAt: new Date().toISOString(),
    };
    let started: unknown;
    agent.handle = (req, body, res) => {
      if (req.method === 'POST') {
        started = JSON.parse(body);
        sendJson(res, 202, job);
      } else {
        sendJson(res, 200, {
          ...job,
          state: 'failed',
          finishedAt: new Date().toISOString(),
          error:
            'group shop: restoring target notes-db (snapshot 20261122T010001Z) failed: pg_restore exited 1',
          details: {
            group: 'shop',
            members: [
              {
                target: 'app-db',
                snapshotId: '20261122T010000Z',
                state: 'restored',
                result: {
                  destination: 'x',
                  tier: 'local',
                  expected: {},
                  observed: {},
                  differences: [],
                },
              },
              {
                target: 'notes-db',
                snapshotId: '20261122T010001Z',
                state: 'failed',
                error: 'pg_restore exited 1',
              },
            ],
            containers: [
              { container: 'shop-app', wasRunning: true, state: 'exited' },
            ],
            note: 'containers were left stopped on purpose (shop-app: exited): app-db was restored, no other member not; fix the cause and restore the group again',
          },
        });
      }
    };
    await executor.tick();
    expect(started).toEqual({
      group: 'shop',
      snapshotIds: {
        'app-db': '20261122T010000Z',
        'notes-db': '20261122T010001Z',
      },
      force: true,
    });
    expect(await store.getRequest(id)).toMatchObject({
      status: 'running',
      agentJobId: 'job-g',
      groupState: { mode: 'agent' },
    });
    await executor.tick();
    const done = (await store.getRequest(id))!;
    expect(done.status).toBe('failed');
    expect(done.error).toContain('pg_restore exited 1');
    expect(done.error).toContain(
      'containers were left stopped on purpose (shop-app: exited)',
    );
    expect(done.groupState!.members.map(m => [m.target, m.status])).toEqual([
      ['app-db', 'succeeded'],
      ['notes-db', 'failed'],
    ]);
  });

  it('fails a restore whose job the agent forgot (it restarted), saying the target must be checked', async () => {
    const { store, executor, knex } = await setup();
    const id = await approvedRequest(store, null);
    // Left running by a backend that stopped; meanwhile the agent restarted.
    await knex('restore_requests').where({ id }).update({
      status: 'running',
      agent_job_id: 'job-before-restart',
      started_at: new Date(),
    });
    agent.handle = (_req, _body, res) =>
      sendJson(res, 404, { error: 'no job job-before-restart' });
    await executor.tick();
    expect(await store.getRequest(id)).toMatchObject({
      status: 'failed',
      error: expect.stringMatching(
        /does not know restore job job-before-restart .* Check target app-db before using it/,
      ),
    });
  });

  it('puts a restore back to wait while the agent is busy with the target', async () => {
    const { store, executor } = await setup();
    const id = await approvedRequest(store, null);
    agent.handle = (_req, _body, res) =>
      sendJson(res, 409, {
        error: 'target "app-db" already has a backup job running (job-b)',
        runningJobId: 'job-b',
      });
    await executor.tick();
    expect(await store.getRequest(id)).toMatchObject({
      status: 'approved',
      phase: expect.stringContaining('is running another job (job-b)'),
    });
  });
});
