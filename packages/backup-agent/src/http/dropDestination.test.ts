import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Client } from 'pg';
import request from 'supertest';
import { describeWithService } from '../testing/services';
import { useTempDir } from '../testing/tempDir';
import { AgentServer, startAgentServer } from './startAgentServer';

const TOKEN = 'drop-test-token-0123456789-a7c3e9f';
const auth = { Authorization: `Bearer ${TOKEN}` };

async function start(
  dir: string,
  targets: Record<string, Record<string, unknown>>,
): Promise<AgentServer> {
  process.env.SAFEKEEP_TEST_DROP_TOKEN = TOKEN;
  return startAgentServer(
    {
      agent: {
        name: 'drop-test',
        listen: { host: '127.0.0.1', port: 0 },
        token: { env: 'SAFEKEEP_TEST_DROP_TOKEN' },
        staging: './staging',
      },
      storage: { local: { type: 'filesystem', path: './snapshots' } },
      targets,
    },
    { baseDir: dir, log: () => undefined },
  );
}

function sqliteFile(file: string) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file);
  db.exec(
    "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO items (name) VALUES ('a');",
  );
  db.close();
}

/** POST /v1/destinations/drop on real files, folders and (when available) PostgreSQL. */
describe('dropping a restore destination over HTTP', () => {
  const tempDir = useTempDir();
  let server: AgentServer;
  let dir: string;

  beforeEach(async () => {
    dir = tempDir();
    sqliteFile(path.join(dir, 'data/app.db'));
    fs.mkdirSync(path.join(dir, 'files/sub'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'files/sub/a.txt'), 'alpha');
    server = await start(dir, {
      app: {
        engine: 'sqlite',
        path: './data/app.db',
        // Declared by a careless operator too: the driver still refuses the target's own data.
        destinations: {
          'app-drill': './scratch/app-drill.db',
          own: './data/app.db',
          holding: './data',
          link: './link.db',
        },
      },
      files: {
        engine: 'directory',
        path: './files',
        destinations: {
          'files-drill': './scratch/files-drill',
          inside: './files/sub',
        },
      },
      bus: {
        engine: 'nats',
        servers: 'nats://127.0.0.1:4222',
        destinations: { other: 'nats://127.0.0.1:4223' },
      },
      uploads: {
        engine: 's3',
        endpoint: 'http://127.0.0.1:4569',
        forcePathStyle: true,
        bucket: 'uploads',
        destinations: { 'uploads-drill': 'uploads-drill' },
      },
    });
  });
  afterEach(async () => {
    await server.close();
  });

  const drop = (body: Record<string, unknown>) =>
    request(server.url).post('/v1/destinations/drop').set(auth).send(body);

  it('removes a scratch SQLite file and its WAL files, and answers again when it is gone', async () => {
    sqliteFile(path.join(dir, 'scratch/app-drill.db'));
    fs.writeFileSync(path.join(dir, 'scratch/app-drill.db-wal'), '');
    const { body } = await drop({
      target: 'app',
      destination: 'app-drill',
    }).expect(200);
    expect(body).toEqual({
      target: 'app',
      destination: 'app-drill',
      message: `removed file ${path.join(dir, 'scratch/app-drill.db')}`,
    });
    expect(fs.readdirSync(path.join(dir, 'scratch'))).toEqual([]);
    const again = await drop({
      target: 'app',
      destination: 'app-drill',
    }).expect(200);
    expect(again.body.message).toContain('does not exist; nothing to remove');
  });

  it("refuses the target's own file, the folder holding it, and a symlink to it", async () => {
    const own = await drop({
      target: 'app',
      destination: 'own',
    }).expect(409);
    expect(own.body.error).toBe(
      `refusing to remove ${path.join(
        dir,
        'data/app.db',
      )}: it is the target's own data (${path.join(
        dir,
        'data/app.db',
      )}); only a restore destination elsewhere can be dropped`,
    );
    const holding = await drop({
      target: 'app',
      destination: 'holding',
    }).expect(409);
    expect(holding.body.error).toContain("it holds the target's own data");
    fs.symlinkSync(path.join(dir, 'data/app.db'), path.join(dir, 'link.db'));
    await drop({ target: 'app', destination: 'link' }).expect(409);
    expect(fs.existsSync(path.join(dir, 'data/app.db'))).toBe(true);
  });

  it("removes a scratch folder, refuses one inside the target's folder", async () => {
    fs.mkdirSync(path.join(dir, 'scratch/files-drill/x'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'scratch/files-drill/x/b.txt'), 'beta');
    await drop({
      target: 'files',
      destination: 'files-drill',
    }).expect(200);
    expect(fs.existsSync(path.join(dir, 'scratch/files-drill'))).toBe(false);
    const inside = await drop({
      target: 'files',
      destination: 'inside',
    }).expect(409);
    expect(inside.body.error).toContain("it lies in the target's own data");
    expect(fs.readFileSync(path.join(dir, 'files/sub/a.txt'), 'utf8')).toBe(
      'alpha',
    );
  });

  it('answers 501 for an engine that cannot drop, 404 for an unknown target, 400 without a destination', async () => {
    const s3 = await drop({
      target: 'uploads',
      destination: 'uploads-drill',
    }).expect(501);
    expect(s3.body.error).toBe(
      'the s3 engine cannot drop a restore destination yet (only sqlite, directory, postgres, mariadb, redis, volume and nats can); remove uploads-drill by hand',
    );
    // nats can, but not for a target that backs up every stream: it cannot tell which streams a restore created.
    const nats = await drop({
      target: 'bus',
      destination: 'other',
    }).expect(501);
    expect(nats.body.error).toBe(
      'the target backs up every stream, so which streams a restore created on NATS at nats://127.0.0.1:4223 is not known and none is deleted; list them in targets.bus.streams, or delete them by hand (nats --server nats://127.0.0.1:4223 stream rm NAME)',
    );
    await drop({ target: 'nope', destination: 'x' }).expect(404);
    const bad = await drop({ target: 'app' }).expect(400);
    expect(bad.body.error).toContain('the restore destination to remove');
  });
});

describeWithService(
  'SAFEKEEP_TEST_POSTGRES_URL',
  'dropping a PostgreSQL scratch database over HTTP (real server)',
  rawUrl => {
    const tempDir = useTempDir();
    const url = new URL(rawUrl);
    const server = {
      host: url.hostname,
      port: Number(url.port || 5432),
      user: decodeURIComponent(url.username || 'postgres'),
    };
    const suffix = `${process.pid}_${Date.now() % 100000}`;
    const own = `safekeep_drop_own_${suffix}`;
    const scratch = `safekeep_drop_scratch_${suffix}`;
    let admin: Client;
    let agent: AgentServer;

    beforeEach(async () => {
      admin = new Client({
        ...server,
        database: url.pathname.slice(1) || 'postgres',
      });
      await admin.connect();
      await admin.query(`CREATE DATABASE ${own}`);
      await admin.query(`CREATE DATABASE ${scratch}`);
      agent = await start(tempDir(), {
        orders: {
          engine: 'postgres',
          ...server,
          databases: [own],
          destinations: {
            scratch,
            own,
            // The same server under another name is still the target's server.
            renamed: `${
              server.host === 'localhost' ? '127.0.0.1' : 'localhost'
            }:${server.port}/${own}`,
          },
        },
      });
    });
    afterEach(async () => {
      await agent.close();
      await admin.query(`DROP DATABASE IF EXISTS ${own} WITH (FORCE)`);
      await admin.query(`DROP DATABASE IF EXISTS ${scratch} WITH (FORCE)`);
      await admin.end();
    });

    const exists = async (db: string) =>
      (await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [db]))
        .rowCount === 1;

    it("drops the scratch database even with a session open on it, and refuses the target's own", async () => {
      const session = new Client({ ...server, database: scratch });
      await session.connect();
      session.on('error', () => undefined);
      try {
        const { body } = await request(agent.url)
          .post('/v1/destinations/drop')
          .set(auth)
          .send({ target: 'orders', destination: 'scratch' })
          .expect(200);
        expect(body.message).toBe(
          `dropped database "${scratch}" on PostgreSQL at ${server.host}:${server.port}`,
        );
        expect(await exists(scratch)).toBe(false);
      } finally {
        await session.end().catch(() => undefined);
      }
      const refused = await request(agent.url)
        .post('/v1/destinations/drop')
        .set(auth)
        .send({ target: 'orders', destination: 'own' })
        .expect(409);
      expect(refused.body.error).toContain(
        `"${own}" is one of the target's databases`,
      );
      const renamed = await request(agent.url)
        .post('/v1/destinations/drop')
        .set(auth)
        .send({ target: 'orders', destination: 'renamed' })
        .expect(409);
      expect(renamed.body.error).toContain(
        `"${own}" is one of the target's databases`,
      );
      expect(await exists(own)).toBe(true);
    });
  },
);
