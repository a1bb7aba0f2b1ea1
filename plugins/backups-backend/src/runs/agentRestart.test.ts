import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { AgentRegistry } from '../agent/AgentRegistry';
import { DatabaseRestoresStore } from '../restores/DatabaseRestoresStore';
import { RestoreExecutor } from '../restores/RestoreExecutor';
import { RestoreNotifier } from '../restores/RestoreNotifier';
import { migrateBackupsDatabase } from '../database/migrateBackupsDatabase';
import { DatabaseBackupsStore } from './DatabaseBackupsStore';
import { RunExecutor } from './RunExecutor';

/**
 * Plays the restarts of a real deployment, with the real agent as a separate process (its jobs
 * live in its memory) and a real SQLite store: the agent SIGKILLed and started again while the
 * backend follows its job, and the backend "restarted" (a new RunExecutor over the same
 * database, as a new process or another replica would be) while a job runs.
 */
const databases = TestDatabases.create({
  ids: ['SQLITE_3'],
  disableDocker: true,
});
const TOKEN = randomBytes(24).toString('hex');
const TOKEN_ENV = 'SAFEKEEP_RESTART_TEST_TOKEN';
const MiB = 1024 * 1024;
// The agent's bin compiles its TypeScript at start (a few seconds on a loaded machine).
jest.setTimeout(180_000);

const agentBin = path.join(
  path.dirname(require.resolve('@safekeep/backup-agent/package.json')),
  'bin/safekeep-agent',
);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

interface AgentProcess {
  child: ChildProcess;
  output: () => string;
}

async function startAgent(dir: string, port: number): Promise<AgentProcess> {
  const child = spawn(
    process.execPath,
    [agentBin, 'serve', '--config', path.join(dir, 'agent.yaml')],
    {
      env: { ...process.env, [TOKEN_ENV]: TOKEN },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const log: Buffer[] = [];
  child.stdout!.on('data', d => log.push(d));
  child.stderr!.on('data', d => log.push(d));
  const output = () => Buffer.concat(log).toString('utf8');
  const healthy = () =>
    fetch(`http://127.0.0.1:${port}/v1/health`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    }).then(
      r => r.ok,
      () => false,
    );
  const until = Date.now() + 120_000;
  while (!(await healthy())) {
    if (child.exitCode !== null)
      throw new Error(`the agent exited at start: ${output()}`);
    if (Date.now() > until)
      throw new Error(`the agent did not answer: ${output()}`);
    await new Promise(r => setTimeout(r, 100));
  }
  return { child, output };
}

async function kill(agent: AgentProcess) {
  if (agent.child.exitCode !== null || agent.child.signalCode !== null) return;
  const exited = new Promise(r => agent.child.once('exit', r));
  agent.child.kill('SIGKILL');
  await exited;
}

describe('restarts while a backup runs (real agent process, real store)', () => {
  let dir: string;
  let port: number;
  const agents: AgentProcess[] = [];

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'safekeep-restart-test-'));
    port = await freePort();
    fs.mkdirSync(path.join(dir, 'files'));
    // Large enough that the backup is still running when the test acts on it.
    for (let i = 0; i < 8; i++)
      fs.writeFileSync(
        path.join(dir, 'files', `part-${i}.bin`),
        randomBytes(16 * MiB),
      );
    fs.writeFileSync(
      path.join(dir, 'agent.yaml'),
      [
        'agent:',
        '  name: restart-host',
        `  listen: { host: 127.0.0.1, port: ${port} }`,
        `  token: { env: ${TOKEN_ENV} }`,
        '  staging: ./staging',
        'storage:',
        '  local: { type: filesystem, path: ./snapshots }',
        'targets:',
        '  files: { engine: directory, path: ./files }',
        '',
      ].join('\n'),
    );
  });
  afterEach(async () => {
    await Promise.all(agents.splice(0).map(kill));
  });
  afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function setUp() {
    const knex = await databases.init('SQLITE_3');
    await migrateBackupsDatabase(knex);
    const store = new DatabaseBackupsStore(knex, [TOKEN]);
    const executor = () =>
      new RunExecutor({
        store,
        agents: new AgentRegistry({
          agents: new Map([
            [
              'restart-host',
              {
                name: 'restart-host',
                url: `http://127.0.0.1:${port}`,
                token: TOKEN,
              },
            ],
          ]),
          dispatchIntervalSeconds: 30,
          defaultTimeZone: 'UTC',
        }),
        logger: mockServices.logger.mock(),
      });
    const createRun = async () => {
      const created = await store.createUserRun({
        entityRef: 'resource:default/files',
        agent: 'restart-host',
        target: 'files',
        triggeredBy: null,
        now: new Date(),
      });
      if (!('created' in created)) throw new Error('no run was created');
      return created.created.id;
    };
    return { store, executor, createRun, knex };
  }

  async function tickUntilFinished(
    executor: RunExecutor,
    store: DatabaseBackupsStore,
    runId: string,
  ) {
    const until = Date.now() + 120_000;
    for (;;) {
      await executor.tick();
      const run = await store.getRun(runId);
      if (run && !['queued', 'running'].includes(run.status)) return run;
      if (Date.now() > until) throw new Error(`run ${runId} did not finish`);
      await new Promise(r => setTimeout(r, 200));
    }
  }

  const snapshotFolders = () =>
    fs.existsSync(path.join(dir, 'snapshots', 'files'))
      ? fs.readdirSync(path.join(dir, 'snapshots', 'files'))
      : [];

  it('the agent killed and started again mid-job: the run is interrupted saying so, the partial snapshot is gone, the next run succeeds', async () => {
    agents.push(await startAgent(dir, port));
    const { store, executor, createRun } = await setUp();
    const runner = executor();
    const runId = await createRun();
    await runner.tick();
    const started = await store.getRun(runId);
    expect(started).toMatchObject({ status: 'running' });
    expect(started?.agentJobId).toBeTruthy();

    await kill(agents[0]);
    const before = snapshotFolders();
    agents.push(await startAgent(dir, port));
    await runner.tick();
    const run = await store.getRun(runId);
    expect(run).toMatchObject({ status: 'interrupted' });
    expect(run?.error).toContain(
      `does not know job ${started?.agentJobId} (it probably restarted)`,
    );
    // The killed job's folder (if it got that far) was removed by the new agent at its start.
    expect(snapshotFolders().filter(id => before.includes(id))).toEqual([]);

    const next = await tickUntilFinished(runner, store, await createRun());
    expect(next).toMatchObject({ status: 'succeeded' });
    expect(next.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(snapshotFolders()).toEqual([next.snapshotId]);
  });

  it('the backend replaced mid-job (a new executor over the same database) follows the job to its success', async () => {
    agents.push(await startAgent(dir, port));
    const { store, executor, createRun } = await setUp();
    const runId = await createRun();
    await executor().tick();
    expect(await store.getRun(runId)).toMatchObject({ status: 'running' });

    // The first backend is gone; nothing of it is used again.
    const run = await tickUntilFinished(executor(), store, runId);
    expect(run).toMatchObject({ status: 'succeeded', error: null });
    expect(run.bytesRaw).toBeGreaterThan(128 * MiB);
    expect(snapshotFolders()).toContain(run.snapshotId);
  });

  it('the backend replaced mid-restore (a new restore executor over the same database) follows the restore to its success', async () => {
    agents.push(await startAgent(dir, port));
    const { store, executor, createRun, knex } = await setUp();
    const backup = await tickUntilFinished(
      executor(),
      store,
      await createRun(),
    );
    expect(backup).toMatchObject({ status: 'succeeded' });
    const snapshot = fs
      .readdirSync(path.join(dir, 'files'))
      .sort()
      .map(name => [name, fs.statSync(path.join(dir, 'files', name)).size]);
    fs.rmSync(path.join(dir, 'files', 'part-0.bin'));

    const restores = new DatabaseRestoresStore(knex);
    const now = new Date();
    const request = await restores.createRequest({
      entityRef: 'resource:default/files',
      agent: 'restart-host',
      target: 'files',
      snapshotId: backup.snapshotId!,
      destination: { kind: 'in-place' },
      force: true,
      reason: 'the backend restarts meanwhile',
      requestedBy: 'user:default/ann',
      preview: {
        snapshotId: backup.snapshotId!,
        snapshotCreatedAt: now.toISOString(),
        verified: true,
        verification: 'ok',
        artifacts: [],
        containersToStop: [],
        expectedDowntimeMs: null,
        refusals: [],
        overwrites: true,
      },
      groupState: null,
      now,
      expiresAt: new Date(now.getTime() + 3_600_000),
    });
    await restores.decide(request.id, {
      decidedBy: 'user:default/bob',
      approve: true,
      comment: '',
      now,
    });
    const restoreExecutor = () =>
      new RestoreExecutor({
        store: restores,
        agents: new AgentRegistry({
          agents: new Map([
            [
              'restart-host',
              {
                name: 'restart-host',
                url: `http://127.0.0.1:${port}`,
                token: TOKEN,
              },
            ],
          ]),
          dispatchIntervalSeconds: 30,
          defaultTimeZone: 'UTC',
        }),
        logger: mockServices.logger.mock(),
        notifier: new RestoreNotifier({ logger: mockServices.logger.mock() }),
      });

    await restoreExecutor().tick();
    expect(await restores.getRequest(request.id)).toMatchObject({
      status: 'running',
    });
    // The first backend is gone; a new one carries on from the database.
    const next = restoreExecutor();
    const until = Date.now() + 120_000;
    let finished = await restores.getRequest(request.id);
    while (finished?.status === 'running' && Date.now() < until) {
      await new Promise(r => setTimeout(r, 200));
      await next.tick();
      finished = await restores.getRequest(request.id);
    }
    expect(finished).toMatchObject({ status: 'succeeded' });
    expect(
      fs
        .readdirSync(path.join(dir, 'files'))
        .sort()
        .map(name => [name, fs.statSync(path.join(dir, 'files', name)).size]),
    ).toEqual(snapshot);
  });
});
