import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import Database from 'better-sqlite3';
import request from 'supertest';
import { craftSnapshot } from '../testing/craftSnapshot';
import { LoginRecorder } from '../testing/LoginRecorder';
import { useTempDir } from '../testing/tempDir';
import { AgentServer, startAgentServer } from './startAgentServer';

const TOKEN = 'declared-destinations-token-0123456789abcdef';
const PASSWORD = 'target-password-never-elsewhere';
const ID = '20260118T040000Z';

/**
 * The requester who names a server or a path of their own: a restore request, a preview (dry
 * run) and a drop may only name destinations the agent config declares. Fake PostgreSQL,
 * MariaDB and Redis endpoints record every login attempt; an undeclared destination must
 * cause none.
 */
describe('restore destinations are declared, never free', () => {
  const tempDir = useTempDir();
  let server: AgentServer;
  let dir: string;
  let own: Record<'pg' | 'maria' | 'redis', LoginRecorder>;
  let attacker: Record<'pg' | 'maria' | 'redis', LoginRecorder>;

  beforeEach(async () => {
    dir = tempDir();
    own = {
      pg: await LoginRecorder.start(),
      maria: await LoginRecorder.start(),
      redis: await LoginRecorder.start(),
    };
    attacker = {
      pg: await LoginRecorder.start(),
      maria: await LoginRecorder.start(),
      redis: await LoginRecorder.start(),
    };
    fs.mkdirSync(path.join(dir, 'restores/full'), { recursive: true });
    const db = new Database(path.join(dir, 'restores/full/app.db'));
    db.exec('CREATE TABLE secret_plans (id INTEGER)');
    db.close();
    process.env.SAFEKEEP_TEST_DECLARED_TOKEN = TOKEN;
    process.env.SAFEKEEP_TEST_DECLARED_PASSWORD = PASSWORD;
    const password = { env: 'SAFEKEEP_TEST_DECLARED_PASSWORD' };
    server = await startAgentServer(
      {
        agent: {
          name: 'declared-test',
          listen: { host: '127.0.0.1', port: 0 },
          token: { env: 'SAFEKEEP_TEST_DECLARED_TOKEN' },
          staging: './staging',
        },
        storage: { local: { type: 'filesystem', path: './snapshots' } },
        targets: {
          pg: {
            engine: 'postgres',
            host: '127.0.0.1',
            port: own.pg.port,
            user: 'app',
            password,
            destinations: { scratch: 'app_scratch' },
          },
          maria: {
            engine: 'mariadb',
            host: '127.0.0.1',
            port: own.maria.port,
            user: 'app',
            password,
          },
          redis: {
            engine: 'redis',
            host: '127.0.0.1',
            port: own.redis.port,
            password,
          },
          app: {
            engine: 'sqlite',
            path: './data/app.db',
            destinations: {
              copy: './copies/app.db',
              restores: { folder: './restores' },
            },
          },
        },
      },
      { baseDir: dir, log: () => undefined },
    );
    for (const [target, engine] of [
      ['pg', 'postgres'],
      ['maria', 'mariadb'],
      ['redis', 'redis'],
      ['app', 'sqlite'],
    ]) {
      await craftSnapshot({
        service: server.service,
        target,
        engine,
        id: ID,
        artifacts: [{ name: 'dump', stream: Readable.from(['x']) }],
      });
    }
  });
  afterEach(async () => {
    await server.close();
    for (const r of [...Object.values(own), ...Object.values(attacker)])
      await r.close();
  });

  const auth = { Authorization: `Bearer ${TOKEN}` };
  const api = () => request(server.url);
  const settle = () => new Promise(r => setTimeout(r, 400));

  const cases = [
    { target: 'pg', at: () => `127.0.0.1:${attacker.pg.port}/postgres` },
    { target: 'maria', at: () => `127.0.0.1:${attacker.maria.port}/test` },
    { target: 'redis', at: () => `127.0.0.1:${attacker.redis.port}` },
  ] as const;

  it.each(cases)(
    '$target: a request, a preview and a drop naming another server make no connection to it',
    async ({ target, at }) => {
      const destination = at();
      const preview = await api()
        .post('/v1/restores')
        .set(auth)
        .send({ target, snapshotId: ID, destination, dryRun: true });
      const restore = await api()
        .post('/v1/restores')
        .set(auth)
        .send({ target, snapshotId: ID, destination, force: true });
      const drop = await api()
        .post('/v1/destinations/drop')
        .set(auth)
        .send({ target, destination });
      await settle();

      for (const answer of [preview, restore, drop]) {
        expect(answer.status).toBe(403);
        expect(answer.body.error).toContain(
          `is not a restore destination of target "${target}"`,
        );
      }
      expect(
        attacker.pg.connections +
          attacker.maria.connections +
          attacker.redis.connections,
      ).toBe(0);
      expect(
        attacker.pg.text() + attacker.maria.text() + attacker.redis.text(),
      ).not.toContain(PASSWORD);
    },
  );

  it('the recorder does see logins: a preview in place connects to the target own server', async () => {
    await api()
      .post('/v1/restores')
      .set(auth)
      .send({ target: 'pg', snapshotId: ID, dryRun: true })
      .expect(200);
    await settle();
    expect(own.pg.connections).toBeGreaterThan(0);
    expect(attacker.pg.connections).toBe(0);
  });

  it('the refusal lists the declared destinations', async () => {
    const { body } = await api()
      .post('/v1/restores')
      .set(auth)
      .send({ target: 'app', snapshotId: ID, destination: '/root' })
      .expect(403);
    expect(body.error).toBe(
      '"/root" is not a restore destination of target "app": name one of copy, restores/<sub-folder> (the agent config\'s targets.app.destinations lists them)',
    );
  });

  it.each(['restores/../../etc', 'restores/', 'restores/./x', 'copy/x', '..'])(
    'refuses %s, a path that leaves the declared folder or extends a named one',
    async destination => {
      const { body } = await api()
        .post('/v1/restores')
        .set(auth)
        .send({ target: 'app', snapshotId: ID, destination, dryRun: true })
        .expect(403);
      expect(body.error).toContain('is not a restore destination');
    },
  );

  it('a preview into a declared folder says only that it holds data, not what', async () => {
    const { body } = await api()
      .post('/v1/restores')
      .set(auth)
      .send({
        target: 'app',
        snapshotId: ID,
        destination: 'restores/full/app.db',
        dryRun: true,
      })
      .expect(200);
    expect(body.destination).toMatchObject({
      empty: false,
      summary: 'holds data',
    });
    expect(body.refusals).toContain(
      'the destination holds data; restore with force to overwrite it, or into another declared destination',
    );
    expect(JSON.stringify(body)).not.toMatch(/secret_plans|1 table/);
  });

  it('refuses from: "../../etc" with 400 before anything is read', async () => {
    const { body } = await api()
      .post('/v1/restores')
      .set(auth)
      .send({ target: 'app', snapshotId: ID, from: '../../etc' })
      .expect(400);
    expect(body.error).toMatch(/from: must be a target name/);
  });

  it('lists the declared destinations of each target', async () => {
    const { body } = await api().get('/v1/targets').set(auth).expect(200);
    const app = body.targets.find((t: { name: string }) => t.name === 'app');
    expect(app.destinations).toEqual(['copy', 'restores/<sub-folder>']);
  });
});
