import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { AgentRegistry } from '../agent/AgentRegistry';
import { DatabaseBackupsStore } from './DatabaseBackupsStore';
import { migrateBackupsDatabase } from '../database/migrateBackupsDatabase';
import {
  closedPortUrl,
  sendJson,
  StandInAgent,
  startStandInAgent,
} from '../testing/standInAgent';
import { RunExecutor } from './RunExecutor';

/**
 * The runner's handling of agents that are busy, gone or silent, against a stand-in agent
 * (the real one cannot be made to misbehave on demand) and a real SQLite store. The normal
 * path runs against the real agent in plugin.test.ts.
 */
const databases = TestDatabases.create({
  ids: ['SQLITE_3'],
  disableDocker: true,
});
const TOKEN = 'runner-test-token-abcdef123456';
const MINUTE = 60_000;

let agent: StandInAgent;
beforeAll(async () => {
  agent = await startStandInAgent();
});
afterAll(async () => {
  await agent.close();
});

async function setUp(agentUrl = agent.url) {
  const knex = await databases.init('SQLITE_3');
  await migrateBackupsDatabase(knex);
  const store = new DatabaseBackupsStore(knex, [TOKEN]);
  let now = new Date('2026-11-21T10:00:00.000Z');
  const agents = new AgentRegistry(
    {
      agents: new Map([
        ['demo-host', { name: 'demo-host', url: agentUrl, token: TOKEN }],
      ]),
      dispatchIntervalSeconds: 30,
      defaultTimeZone: 'UTC',
    },
    { timeoutMs: 1000 },
  );
  const executor = new RunExecutor({
    store,
    agents,
    logger: mockServices.logger.mock(),
    now: () => now,
  });
  const created = await store.createUserRun({
    entityRef: 'resource:default/app-db',
    agent: 'demo-host',
    target: 'app-db',
    triggeredBy: null,
    now,
  });
  const runId = 'created' in created ? created.created.id : '';
  return {
    store,
    executor,
    runId,
    advance: (ms: number) => (now = new Date(now.getTime() + ms)),
  };
}

const runningJob = {
  id: 'job-7',
  kind: 'backup',
  subject: { kind: 'target', name: 'app-db' },
  state: 'running',
  phase: 'dumping',
  bytes: 10,
  startedAt: '2026-11-21T10:00:00.000Z',
};

describe('RunExecutor', () => {
  it('keeps a run queued while the agent runs another job of the target (409), and gives up after an hour', async () => {
    agent.handle = (_req, _body, res) =>
      sendJson(res, 409, {
        error: 'target "app-db" already has a backup job running',
        runningJobId: 'cli-job',
      });
    const { store, executor, runId, advance } = await setUp();

    await executor.tick();
    expect(await store.getRun(runId)).toMatchObject({
      status: 'queued',
      startedAt: null,
      phase:
        'waiting: agent "demo-host" is running another job (cli-job) of target "app-db"',
    });

    advance(61 * MINUTE);
    await executor.tick();
    const run = await store.getRun(runId);
    expect(run?.status).toBe('failed');
    expect(run?.error).toContain('kept running another job (cli-job)');
  });

  it('fails a run whose agent cannot be reached, saying where to look, without the token', async () => {
    const { store, executor, runId } = await setUp(await closedPortUrl());
    await executor.tick();
    const run = await store.getRun(runId);
    expect(run?.status).toBe('failed');
    expect(run?.error).toMatch(
      /unreachable \(ECONNREFUSED\).*backups\.agents\.demo-host\.url/,
    );
    expect(run?.error).not.toContain(TOKEN);
  });

  it("fails a run the agent refuses, with the agent's reason", async () => {
    agent.handle = (_req, _body, res) =>
      sendJson(res, 404, {
        error: 'unknown target "app-db"; this agent has cache',
      });
    const { store, executor, runId } = await setUp();
    await executor.tick();
    expect(await store.getRun(runId)).toMatchObject({
      status: 'failed',
      error: expect.stringContaining(
        'unknown target "app-db"; this agent has cache',
      ),
    });
  });

  it('follows a started job, tolerates a short agent outage, and interrupts after a long one', async () => {
    agent.handle = (_req, _body, res) => sendJson(res, 202, runningJob);
    const { store, executor, runId, advance } = await setUp();
    await executor.tick();
    expect(await store.getRun(runId)).toMatchObject({
      status: 'running',
      phase: 'dumping',
    });
    expect((await store.getRun(runId))?.agentJobId).toBe('job-7');

    agent.handle = (_req, _body, res) =>
      sendJson(res, 200, { ...runningJob, phase: 'uploading', bytes: 5000 });
    advance(2000);
    await executor.tick();
    expect(await store.getRun(runId)).toMatchObject({
      status: 'running',
      phase: 'uploading',
      bytesStored: 5000,
    });

    agent.handle = (_req, _body, res) =>
      sendJson(res, 503, { error: 'restarting' });
    advance(5 * MINUTE);
    await executor.tick();
    expect((await store.getRun(runId))?.status).toBe('running');

    advance(6 * MINUTE);
    await executor.tick();
    const run = await store.getRun(runId);
    expect(run?.status).toBe('interrupted');
    expect(run?.error).toContain('has not answered about job job-7');
  });

  it('interrupts a run a stopped backend left without a job id, once no start can still be under way', async () => {
    const { store, executor, runId, advance } = await setUp();
    // The previous backend claimed the run, then stopped before the agent answered.
    await store.claimQueuedRun(runId, new Date('2026-11-21T10:00:00.000Z'));
    await executor.followRunning();
    expect((await store.getRun(runId))?.status).toBe('running');
    advance(3 * MINUTE);
    await executor.followRunning();
    expect(await store.getRun(runId)).toMatchObject({
      status: 'interrupted',
      error: expect.stringContaining('unknown whether it ran'),
    });
  });
});
