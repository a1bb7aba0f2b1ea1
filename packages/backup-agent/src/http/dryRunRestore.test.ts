import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import request from 'supertest';
import type { AgentJob } from '@safekeep/plugin-backups-common';
import { craftSnapshot } from '../testing/craftSnapshot';
import { listFiles, useTempDir } from '../testing/tempDir';
import { AgentServer, startAgentServer } from './startAgentServer';

const TOKEN = 'dry-run-test-token-0123456789-a7c3';

/** POST /v1/restores { dryRun: true } against real SQLite files and folders. */
describe('dry-run restore over HTTP', () => {
  const tempDir = useTempDir();
  let server: AgentServer;
  let dir: string;

  beforeEach(async () => {
    dir = tempDir();
    fs.mkdirSync(path.join(dir, 'data/files'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'data/files/a.txt'), 'alpha');
    const db = new Database(path.join(dir, 'data/app.db'));
    db.exec(
      "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO items (name) VALUES ('a'), ('b');",
    );
    db.close();
    process.env.SAFEKEEP_TEST_DRY_RUN_TOKEN = TOKEN;
    server = await startAgentServer(
      {
        agent: {
          name: 'dry-run-test',
          listen: { host: '127.0.0.1', port: 0 },
          token: { env: 'SAFEKEEP_TEST_DRY_RUN_TOKEN' },
          staging: './staging',
        },
        // Whole files: a test below changes a stored file by hand.
        storage: {
          local: { type: 'filesystem', path: './snapshots', format: 'whole' },
        },
        targets: {
          app: {
            engine: 'sqlite',
            path: './data/app.db',
            destinations: { copy: './copies/app.db' },
          },
          files: { engine: 'directory', path: './data/files' },
        },
      },
      { baseDir: dir, log: () => undefined },
    );
  });
  afterEach(async () => {
    await server.close();
  });

  const auth = { Authorization: `Bearer ${TOKEN}` };
  const api = () => request(server.url);

  async function backUp(target: string): Promise<AgentJob> {
    const started = await api()
      .post('/v1/backups')
      .set(auth)
      .send({ target })
      .expect(202);
    for (let i = 0; i < 200; i++) {
      const { body } = await api()
        .get(`/v1/jobs/${started.body.id}`)
        .set(auth)
        .expect(200);
      if (body.state !== 'running') return body;
      await new Promise(r => setTimeout(r, 25));
    }
    throw new Error('backup did not finish');
  }

  const dryRun = (body: Record<string, unknown>) =>
    api()
      .post('/v1/restores')
      .set(auth)
      .send({ ...body, dryRun: true });

  it('answers 200 with no refusal for a sound snapshot into an empty destination, and writes nothing', async () => {
    const snapshot = (await backUp('app')).snapshots![0];
    const { body } = await dryRun({
      target: 'app',
      snapshotId: snapshot.id,
      destination: 'copy',
    }).expect(200);
    expect(body).toMatchObject({
      snapshotId: snapshot.id,
      tier: 'local',
      refusals: [],
      verified: true,
      containersToStop: [],
      destination: {
        empty: true,
        summary: 'empty',
        serverVersion: expect.stringMatching(/^3\./),
      },
    });
    expect(fs.existsSync(path.join(dir, 'copies'))).toBe(false);
    // No job: nothing to lock, nothing restored.
    expect(server.jobs.list().filter(j => j.kind === 'restore')).toEqual([]);
  });

  it('refuses a corrupted artifact', async () => {
    const snapshot = (await backUp('app')).snapshots![0];
    const artifact = path.join(fileURLToPath(snapshot.location), 'app.db.zst');
    const bytes = fs.readFileSync(artifact);
    bytes[Math.floor(bytes.length / 2)] ^= 0xff;
    fs.writeFileSync(artifact, bytes);

    const { body } = await dryRun({
      target: 'app',
      snapshotId: snapshot.id,
      destination: 'copy',
    }).expect(200);
    expect(body.verified).toBe(false);
    expect(body.refusals).toEqual([
      expect.stringMatching(
        /^the snapshot failed verification, nothing was changed: .*sha256/,
      ),
    ]);
    expect(body.refusalDetails).toEqual([
      expect.objectContaining({ reason: 'checksum', forceable: false }),
    ]);
  });

  it('refuses a non-empty destination without force, saying only that it holds data; with force it only reports it', async () => {
    const snapshot = (await backUp('files')).snapshots![0];
    const before = listFiles(path.join(dir, 'data/files'));

    const refused = (
      await dryRun({ target: 'files', snapshotId: snapshot.id }).expect(200)
    ).body;
    expect(refused.refusals).toEqual([
      'the destination holds data; restore with force to overwrite it, or into another declared destination',
    ]);
    expect(refused.refusalDetails).toEqual([
      expect.objectContaining({ reason: 'not-empty', forceable: true }),
    ]);
    expect(refused.verified).toBe(true);

    const forced = (
      await dryRun({
        target: 'files',
        snapshotId: snapshot.id,
        force: true,
      }).expect(200)
    ).body;
    expect(forced).toMatchObject({
      refusals: [],
      verified: true,
      destination: {
        empty: false,
        summary: 'holds data',
      },
    });
    expect(listFiles(path.join(dir, 'data/files'))).toEqual(before);
  });

  it('refuses a newer manifest_version even with force', async () => {
    await craftSnapshot({
      service: server.service,
      target: 'app',
      engine: 'sqlite',
      id: '20260101T000000Z',
      artifacts: [
        {
          name: 'app.db',
          stream: fs.createReadStream(path.join(dir, 'data/app.db')),
        },
      ],
      manifest: { manifest_version: 3 },
    });
    const { body } = await dryRun({
      target: 'app',
      snapshotId: '20260101T000000Z',
      force: true,
    }).expect(200);
    expect(body.verified).toBe(false);
    expect(body.refusals).toEqual([
      expect.stringMatching(
        /MANIFEST\.json has manifest_version 3, newer than the 2 this agent understands/,
      ),
    ]);
    expect(body.destination).toMatchObject({ empty: false });
  });

  it('answers 404 for an unknown snapshot and 400 for a bad dryRun value', async () => {
    const missing = await dryRun({
      target: 'app',
      snapshotId: '20200101T000000Z',
    }).expect(404);
    expect(missing.body.error).toContain(
      'snapshot 20200101T000000Z of target "app" was not found',
    );
    const bad = await api()
      .post('/v1/restores')
      .set(auth)
      .send({ target: 'app', snapshotId: '20200101T000000Z', dryRun: 'yes' })
      .expect(400);
    expect(bad.body.error).toContain('only run the checks');
  });
});
