import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import request from 'supertest';
import type { AgentJob } from '@safekeep/plugin-backups-common';
import { listFiles, useTempDir } from '../testing/tempDir';
import { AgentServer, startAgentServer } from './startAgentServer';

const TOKEN = 'group-dry-run-test-token-0123-a7c3';

/**
 * POST /v1/group-restores { group, dryRun: true } for a group of a SQLite file and a folder, with no
 * Docker Engine to ask: every member is still checked, and the group is refused because its
 * containers cannot be found (the real-Docker case is in src/groups/groupRestoreCli.test.ts).
 */
describe('group dry-run restore over HTTP (no Docker Engine)', () => {
  const tempDir = useTempDir();
  let server: AgentServer;
  let dir: string;

  const rows = () => {
    const db = new Database(path.join(dir, 'data/app.db'), { readonly: true });
    const count = (
      db.prepare('SELECT count(*) AS n FROM items').get() as { n: number }
    ).n;
    db.close();
    return count;
  };

  beforeEach(async () => {
    dir = tempDir();
    fs.mkdirSync(path.join(dir, 'data/files'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'data/files/a.txt'), 'alpha');
    const db = new Database(path.join(dir, 'data/app.db'));
    db.exec(
      "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO items (name) VALUES ('a'), ('b');",
    );
    db.close();
    process.env.SAFEKEEP_TEST_GROUP_DRY_RUN_TOKEN = TOKEN;
    server = await startAgentServer(
      {
        agent: {
          name: 'group-dry-run-test',
          listen: { host: '127.0.0.1', port: 0 },
          token: { env: 'SAFEKEEP_TEST_GROUP_DRY_RUN_TOKEN' },
          staging: './staging',
        },
        storage: { local: { type: 'filesystem', path: './snapshots' } },
        docker: { socketPath: './no-docker.sock' },
        targets: {
          app: { engine: 'sqlite', path: './data/app.db' },
          files: { engine: 'directory', path: './data/files' },
        },
        groups: {
          shop: { containers: ['shop-web'], targets: ['app', 'files'] },
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
    await server.jobs.waitFor(started.body.id);
    return (
      await api().get(`/v1/jobs/${started.body.id}`).set(auth).expect(200)
    ).body;
  }

  async function backUpBoth(): Promise<Record<string, string>> {
    const app = (await backUp('app')).snapshots![0];
    const files = (await backUp('files')).snapshots![0];
    return { app: app.id, files: files.id };
  }

  /** Changes after the backup, which a restore would undo and a dry run must leave alone. */
  function changeData() {
    const db = new Database(path.join(dir, 'data/app.db'));
    db.exec("INSERT INTO items (name) VALUES ('c')");
    db.close();
    fs.writeFileSync(path.join(dir, 'data/files/b.txt'), 'bravo');
  }

  const dryRun = (body: Record<string, unknown>) =>
    api()
      .post('/v1/group-restores')
      .set(auth)
      .send({ group: 'shop', ...body, dryRun: true });

  it('checks every member, refuses occupied destinations naming the member, says the containers cannot be found, and writes nothing', async () => {
    const ids = await backUpBoth();
    changeData();

    const { body } = await dryRun({ snapshotIds: ids }).expect(200);
    expect(body.group).toBe('shop');
    expect(
      body.members.map((m: { target: string; snapshotId: string }) => [
        m.target,
        m.snapshotId,
      ]),
    ).toEqual([
      ['app', ids.app],
      ['files', ids.files],
    ]);
    expect(body.members[0]).toMatchObject({
      verified: true,
      destination: {
        empty: false,
        serverVersion: expect.stringMatching(/^3\./),
      },
    });
    expect(body.members[1]).toMatchObject({
      verified: true,
      destination: {
        empty: false,
        summary: `${path.join(dir, 'data/files')} holds 2 entries`,
      },
    });
    expect(body.containersToStop).toBeNull();
    expect(body.refusals).toEqual([
      expect.stringMatching(
        new RegExp(
          `^target app \\(snapshot ${ids.app}\\): the destination is not empty: .*restore with --force`,
        ),
      ),
      expect.stringMatching(
        new RegExp(
          `^target files \\(snapshot ${ids.files}\\): the destination is not empty: .*holds 2 entries`,
        ),
      ),
      expect.stringMatching(
        /^cannot find the containers of group "shop", which the restore stops: no Docker Engine answers at unix:\/\/.*no-docker\.sock/,
      ),
    ]);

    // Nothing restored, nothing created, no job.
    expect(rows()).toBe(3);
    expect(listFiles(path.join(dir, 'data/files'))).toEqual(['a.txt', 'b.txt']);
    expect(server.jobs.list().filter(j => j.kind === 'restore')).toEqual([]);
  });

  it('with force only reports the occupied destinations; a damaged member snapshot is refused by name', async () => {
    const ids = await backUpBoth();
    changeData();
    const forced = (await dryRun({ snapshotIds: ids, force: true }).expect(200))
      .body;
    expect(forced.refusals).toEqual([
      expect.stringMatching(/^cannot find the containers of group "shop"/),
    ]);
    expect(
      forced.members.every(
        (m: { refusals: string[] }) => m.refusals.length === 0,
      ),
    ).toBe(true);

    const files = (
      await api().get('/v1/snapshots?target=files').set(auth).expect(200)
    ).body.snapshots[0];
    const artifact = path.join(
      fileURLToPath(files.location),
      files.artifacts[0].name,
    );
    const bytes = fs.readFileSync(artifact);
    bytes[Math.floor(bytes.length / 2)] ^= 0xff;
    fs.writeFileSync(artifact, bytes);
    const damaged = (
      await dryRun({ snapshotIds: ids, force: true }).expect(200)
    ).body;
    expect(damaged.refusals[0]).toMatch(
      new RegExp(
        `^target files \\(snapshot ${ids.files}\\): the snapshot failed verification, nothing was changed: .*sha256`,
      ),
    );
    expect(damaged.members[1]).toMatchObject({
      target: 'files',
      verified: false,
      refusalDetails: [expect.objectContaining({ reason: 'checksum' })],
    });
    expect(rows()).toBe(3);
    expect(listFiles(path.join(dir, 'data/files'))).toEqual(['a.txt', 'b.txt']);
  });

  it('is a request of its own: a group sent to /v1/restores is refused, naming the route; jobs say their subject', async () => {
    const ids = await backUpBoth();
    const refused = await api()
      .post('/v1/restores')
      .set(auth)
      .send({ group: 'shop', snapshotIds: ids, dryRun: true })
      .expect(400);
    expect(refused.body.error).toContain(
      'group: a consistency group is restored with POST /v1/group-restores',
    );

    const backup = await api()
      .post('/v1/backups')
      .set(auth)
      .send({ group: 'shop' })
      .expect(202);
    expect(backup.body.subject).toEqual({ kind: 'group', name: 'shop' });
    expect(backup.body).not.toHaveProperty('target');
    // The group's job holds its members until it ends (here it fails: no Docker Engine).
    await server.jobs.waitFor(backup.body.id);
    const single = await backUp('app');
    expect(single.subject).toEqual({ kind: 'target', name: 'app' });
  });

  it('picks by window like the restore: 404 naming the member without a snapshot in it; 400 for a bad dryRun', async () => {
    const app = (await backUp('app')).snapshots![0];
    const window = {
      from: app.createdAt,
      to: new Date(Date.now() + 60_000).toISOString(),
    };
    const missing = await dryRun({ window }).expect(404);
    expect(missing.body.error).toMatch(
      /^target files of group "shop" has no complete snapshot started between/,
    );

    const files = (await backUp('files')).snapshots![0];
    const { body } = await dryRun({ window, force: true }).expect(200);
    expect(
      body.members.map((m: { snapshotId: string }) => m.snapshotId),
    ).toEqual([app.id, files.id]);

    const unknown = await dryRun({
      snapshotIds: { app: app.id, files: '20200101T000000Z' },
    }).expect(404);
    expect(unknown.body.error).toContain(
      'snapshot 20200101T000000Z of target "files" was not found',
    );
    const bad = await api()
      .post('/v1/group-restores')
      .set(auth)
      .send({
        group: 'shop',
        snapshotIds: { app: app.id, files: files.id },
        dryRun: 1,
      })
      .expect(400);
    expect(bad.body.error).toContain(
      'only run the checks, stop and restore nothing',
    );
  });
});
