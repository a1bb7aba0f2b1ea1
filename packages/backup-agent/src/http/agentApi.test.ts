import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PassThrough } from 'node:stream';
import Database from 'better-sqlite3';
import request from 'supertest';
import { z } from 'zod';
import type { AgentJob, AgentSnapshot } from '@safekeep/plugin-backups-common';
import type { EngineDriver } from '../engines/EngineDriver';
import { registerEngineDriver } from '../engines/registry';
import { useTempDir } from '../testing/tempDir';
import { AgentServer, startAgentServer } from './startAgentServer';

const TOKEN = 'test-token-0123456789-a7c3e9f1b5d2';

/** An engine whose dump stays open until the test ends it, to hold a job in "running". */
let gate = new PassThrough();
const gatedDriver: EngineDriver<Record<string, never>> = {
  engine: 'gated',
  settingsSchema: () => z.object({}).strict(),
  describe: () => 'a dump the test holds open',
  withDestination: s => s,
  serverVersion: async () => null,
  backup: async () => ({
    async *artifacts() {
      yield { name: 'dump.bin', description: 'held open', stream: gate };
    },
    details: async () => ({}),
    close: async () => undefined,
  }),
  inspectDestination: async () => ({ empty: true, summary: '' }),
  restore: async () => undefined,
  check: async () => ({}),
  manualRestoreSteps: () => '',
};

describe('agent HTTP API', () => {
  const tempDir = useTempDir();
  let server: AgentServer;
  let dbFile: string;
  let unregister: () => void;

  beforeAll(() => {
    unregister = registerEngineDriver(gatedDriver);
  });
  afterAll(() => unregister());

  beforeEach(async () => {
    const dir = tempDir();
    dbFile = path.join(dir, 'data/app.db');
    fs.mkdirSync(path.dirname(dbFile));
    const db = new Database(dbFile);
    db.exec(
      "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO items (name) VALUES ('a'), ('b');",
    );
    db.close();
    process.env.SAFEKEEP_TEST_API_TOKEN = TOKEN;
    gate = new PassThrough();
    server = await startAgentServer(
      {
        agent: {
          name: 'api-test',
          listen: { host: '127.0.0.1', port: 0 },
          token: { env: 'SAFEKEEP_TEST_API_TOKEN' },
          staging: './staging',
        },
        storage: { local: { type: 'filesystem', path: './snapshots' } },
        targets: {
          app: { engine: 'sqlite', path: './data/app.db' },
          slow: { engine: 'gated' },
        },
      },
      { baseDir: dir, log: () => undefined },
    );
  });
  afterEach(async () => {
    gate.end();
    await server.close();
  });

  const api = () => request(server.url);
  const auth = { Authorization: `Bearer ${TOKEN}` };

  async function finished(jobId: string): Promise<AgentJob> {
    for (let i = 0; i < 200; i++) {
      const { body } = await api()
        .get(`/v1/jobs/${jobId}`)
        .set(auth)
        .expect(200);
      if (body.state !== 'running') return body;
      await new Promise(r => setTimeout(r, 25));
    }
    throw new Error(`job ${jobId} did not finish`);
  }

  it('answers 401, without details, to a missing or wrong token on every route', async () => {
    for (const [method, route] of [
      ['get', '/v1/health'],
      ['get', '/v1/snapshots'],
      ['post', '/v1/backups'],
      ['get', '/v1/nope'],
    ] as const) {
      const missing = await api()[method](route).send({ target: 'app' });
      expect([route, missing.status, missing.body]).toEqual([
        route,
        401,
        { error: 'unauthorized' },
      ]);
    }
    const wrongSameLength = await api()
      .get('/v1/health')
      .set({ Authorization: `Bearer ${TOKEN.replace(/.$/, 'x')}` });
    expect(wrongSameLength.status).toBe(401);
    const wrongScheme = await api()
      .get('/v1/health')
      .set({ Authorization: `Basic ${TOKEN}` });
    expect(wrongScheme.status).toBe(401);
    expect(
      await api()
        .get('/v1/health')
        .set(auth)
        .expect(200)
        .then(r => r.body),
    ).toEqual({
      status: 'ok',
      version: expect.any(String),
      name: 'api-test',
      targets: 2,
    });
  });

  it('lists targets', async () => {
    const { body } = await api().get('/v1/targets').set(auth).expect(200);
    expect(body.targets).toEqual([
      {
        name: 'app',
        engine: 'sqlite',
        tiers: ['local'],
        source: 'config',
        destinations: [],
      },
      {
        name: 'slow',
        engine: 'gated',
        tiers: ['local'],
        source: 'config',
        destinations: [],
      },
    ]);
  });

  it('runs a backup as a job; the listed snapshot matches the stored file byte for byte', async () => {
    const started = await api()
      .post('/v1/backups')
      .set(auth)
      .send({ target: 'app' })
      .expect(202);
    expect(started.body).toMatchObject({
      kind: 'backup',
      subject: { kind: 'target', name: 'app' },
      state: 'running',
    });

    const job = await finished(started.body.id);
    expect(job).toMatchObject({
      state: 'succeeded',
      phase: 'done',
      details: { tables: { items: 2 } },
    });
    expect(job.bytes).toBeGreaterThan(0);

    const { body } = await api()
      .get('/v1/snapshots')
      .query({ target: 'app', tier: 'local' })
      .set(auth)
      .expect(200);
    const snapshots: AgentSnapshot[] = body.snapshots;
    expect(snapshots).toHaveLength(1);
    const [snapshot] = snapshots;
    expect(snapshot).toEqual(job.snapshots![0]);
    expect(snapshot.bytes).toBeGreaterThan(0);
    const storedFile = path.join(
      fileURLToPath(snapshot.location),
      snapshot.artifacts[0].name,
    );
    const stored = fs.readFileSync(storedFile);
    expect(stored.length).toBe(snapshot.artifacts[0].bytes);
    expect(snapshot.sha256).toBe(
      createHash('sha256').update(stored).digest('hex'),
    );
  });

  it('answers 409 with the running job id to a second trigger for the same target', async () => {
    const first = await api()
      .post('/v1/backups')
      .set(auth)
      .send({ target: 'slow' })
      .expect(202);
    const second = await api()
      .post('/v1/backups')
      .set(auth)
      .send({ target: 'slow' })
      .expect(409);
    expect(second.body).toEqual({
      error: expect.stringContaining('already has a backup job running'),
      runningJobId: first.body.id,
    });
    // Other targets are not blocked.
    await api()
      .post('/v1/backups')
      .set(auth)
      .send({ target: 'app' })
      .expect(202);

    gate.end(Buffer.from('all done'));
    expect(await finished(first.body.id)).toMatchObject({ state: 'succeeded' });
    await api()
      .post('/v1/backups')
      .set(auth)
      .send({ target: 'slow' })
      .expect(202);
  });

  it('rejects bad requests with the field at fault', async () => {
    expect(
      (await api().post('/v1/backups').set(auth).send({}).expect(400)).body,
    ).toEqual({
      error:
        'target: required: the target to back up (or group: a consistency group)',
    });
    expect(
      (
        await api()
          .post('/v1/backups')
          .set(auth)
          .send({ target: 'nope' })
          .expect(404)
      ).body,
    ).toEqual({
      error: 'unknown target "nope"; this agent has app, slow',
    });
    expect(
      (
        await api()
          .post('/v1/restores')
          .set(auth)
          .send({ target: 'app', snapshotId: '../../etc' })
          .expect(400)
      ).body,
    ).toEqual({
      error: 'snapshotId: must be a snapshot id such as 20260118T040000Z',
    });
    expect(
      (
        await api()
          .post('/v1/prune')
          .set(auth)
          .send({ target: 'app', retention: { keepLast: 0 } })
          .expect(400)
      ).body.error,
    ).toMatch(/^retention\.keepLast: Number must be greater than 0/);
    expect(
      (
        await api()
          .post('/v1/restores')
          .set(auth)
          .send({ target: 'app', snapshotId: '20200101T000000Z' })
          .expect(404)
      ).body.error,
    ).toMatch(/snapshot 20200101T000000Z of target "app" was not found/);
    expect(
      (
        await api()
          .post('/v1/backups')
          .set(auth)
          .set('Content-Type', 'application/json')
          .send('{nope')
          .expect(400)
      ).body,
    ).toEqual({
      error: 'the request body is not valid JSON',
    });
  });

  it('verifies, restores and prunes through jobs', async () => {
    const backup = await finished(
      (
        await api().post('/v1/backups').set(auth).send({ target: 'app' })
      ).body.id,
    );
    const snapshotId = backup.snapshots![0].id;

    const verify = await finished(
      (
        await api()
          .post('/v1/verify')
          .set(auth)
          .send({ target: 'app', snapshotId })
          .expect(202)
      ).body.id,
    );
    expect(verify).toMatchObject({
      kind: 'verify',
      state: 'succeeded',
      details: { ok: true },
    });

    const db = new Database(dbFile);
    db.exec('DELETE FROM items');
    db.close();
    const refused = await finished(
      (
        await api()
          .post('/v1/restores')
          .set(auth)
          .send({ target: 'app', snapshotId })
          .expect(202)
      ).body.id,
    );
    expect(refused).toMatchObject({
      state: 'failed',
      error: expect.stringContaining('the destination is not empty'),
    });

    const restored = await finished(
      (
        await api()
          .post('/v1/restores')
          .set(auth)
          .send({ target: 'app', snapshotId, force: true })
          .expect(202)
      ).body.id,
    );
    expect(restored).toMatchObject({
      kind: 'restore',
      state: 'succeeded',
      details: { differences: [], observed: { tables: { items: 2 } } },
    });

    const pruned = await finished(
      (
        await api()
          .post('/v1/prune')
          .set(auth)
          .send({ target: 'app', retention: { keepLast: 1 }, dryRun: true })
          .expect(202)
      ).body.id,
    );
    expect(pruned).toMatchObject({
      kind: 'prune',
      state: 'succeeded',
      details: {
        dryRun: true,
        tiers: [
          {
            tier: 'local',
            kept: [{ id: snapshotId, reasons: ['last'] }],
            pruned: [],
          },
        ],
      },
    });
  });
});
