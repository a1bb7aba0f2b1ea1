import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import Redis from 'ioredis';
import mysql from 'mysql2/promise';
import { connect as connectNats, StorageType } from 'nats';
import { Client } from 'pg';
import {
  call,
  incompleteFolders,
  kill,
  listed,
  runJob,
  stagingLeftovers,
  startAgent,
  writeKillTestConfig,
} from '../testing/killedAgent';
import { describeWithService } from '../testing/services';
import { useTempDir } from '../testing/tempDir';

jest.setTimeout(600_000);

const KILL_POINTS = 10;

/**
 * Plays the OOM killer and the power cord: a real agent SIGKILLed at ten points spread over a
 * backup of each engine that runs here, started again after each. After every start: nothing
 * listed that does not verify, no manifest-less snapshot folder (cleaned at start), staging
 * empty but for the agent's lock; at the end a backup succeeds and every listed snapshot
 * verifies. The points are fractions of one uninterrupted backup's time, so on a slow or loaded
 * machine they land in other phases (connect, dump, compress, store, manifest) but still spread
 * over the whole of it.
 */
function killPointsSuite(
  engine: string,
  prepare: (dir: string) => Promise<{
    target: string;
    cleanup?: () => Promise<void>;
  }>,
) {
  const tempDir = useTempDir(`safekeep-kill-${engine}-`);

  it(`${engine}: ${KILL_POINTS} kills over a backup leave nothing listed that does not verify, and no leftovers after the next start`, async () => {
    const dir = tempDir();
    const { target, cleanup } = await prepare(dir);
    const config = path.join(dir, 'agent.yaml');
    let agent = await startAgent(config);
    try {
      const timed = Date.now();
      const first = await runJob(agent, '/v1/backups', { target });
      expect(first).toMatchObject({ state: 'succeeded' });
      const duration = Date.now() - timed;
      const verified = new Set(await listed(agent, target));

      for (let point = 1; point <= KILL_POINTS; point++) {
        await call(agent, '/v1/backups', { target });
        await new Promise(r =>
          setTimeout(r, (duration * point) / (KILL_POINTS + 1)),
        );
        await kill(agent);
        agent = await startAgent(config);

        const where = `after kill ${point} of ${KILL_POINTS} (at ${Math.round(
          (100 * point) / (KILL_POINTS + 1),
        )}% of ${duration} ms)`;
        expect({ where, incomplete: incompleteFolders(dir, target) }).toEqual({
          where,
          incomplete: [],
        });
        expect({ where, staging: stagingLeftovers(dir) }).toEqual({
          where,
          staging: [],
        });
        for (const id of await listed(agent, target)) {
          if (verified.has(id)) continue;
          // A backup that finished before the kill: it must be whole.
          const check = await runJob(agent, '/v1/verify', {
            target,
            snapshotId: id,
          });
          expect({ where, id, check }).toEqual({
            where,
            id,
            check: expect.objectContaining({ state: 'succeeded' }),
          });
          verified.add(id);
        }
      }

      expect(await runJob(agent, '/v1/backups', { target })).toMatchObject({
        state: 'succeeded',
      });
      for (const id of await listed(agent, target)) {
        expect(
          await runJob(agent, '/v1/verify', { target, snapshotId: id }),
        ).toMatchObject({ state: 'succeeded' });
      }
    } finally {
      await kill(agent);
      await cleanup?.();
    }
  });
}

describe('the agent SIGKILLed at ten points of a backup, per engine', () => {
  killPointsSuite('directory', async dir => {
    fs.mkdirSync(path.join(dir, 'files'));
    for (let i = 0; i < 12; i++)
      fs.writeFileSync(
        path.join(dir, 'files', `f${i}.bin`),
        randomBytes(2 * 1024 * 1024),
      );
    writeKillTestConfig(dir, ['  files: { engine: directory, path: ./files }']);
    return { target: 'files' };
  });

  killPointsSuite('sqlite', async dir => {
    const db = new Database(path.join(dir, 'app.db'));
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, data BLOB)');
    const insert = db.prepare('INSERT INTO t (data) VALUES (?)');
    for (let i = 0; i < 300; i++) insert.run(randomBytes(64 * 1024));
    db.close();
    writeKillTestConfig(dir, ['  app: { engine: sqlite, path: ./app.db }']);
    return { target: 'app' };
  });
});

describeWithService(
  'SAFEKEEP_TEST_POSTGRES_URL',
  'the agent SIGKILLed at ten points of a PostgreSQL backup',
  rawUrl => {
    killPointsSuite('postgres', async dir => {
      const url = new URL(rawUrl);
      const database = `safekeep_kill_${randomBytes(4).toString('hex')}`;
      const admin = new Client({ connectionString: rawUrl });
      await admin.connect();
      await admin.query(`CREATE DATABASE ${database}`);
      await admin.end();
      const db = new Client({
        connectionString: Object.assign(new URL(rawUrl), {
          pathname: `/${database}`,
        }).href,
      });
      await db.connect();
      await db.query(
        "CREATE TABLE t AS SELECT g AS id, md5(g::text) || repeat('x', 200) AS note FROM generate_series(1, 150000) g",
      );
      await db.end();
      writeKillTestConfig(dir, [
        '  pg:',
        '    engine: postgres',
        `    host: ${url.hostname}`,
        `    port: ${url.port || 5432}`,
        `    user: ${decodeURIComponent(url.username || 'postgres')}`,
        `    databases: [${database}]`,
        '    globals: false',
      ]);
      return {
        target: 'pg',
        cleanup: async () => {
          const drop = new Client({ connectionString: rawUrl });
          await drop.connect();
          await drop.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
          await drop.end();
        },
      };
    });
  },
);

describeWithService(
  'SAFEKEEP_TEST_MARIADB_URL',
  'the agent SIGKILLed at ten points of a MariaDB backup',
  rawUrl => {
    killPointsSuite('mariadb', async dir => {
      const url = new URL(rawUrl);
      const database = `safekeep_kill_${randomBytes(4).toString('hex')}`;
      const admin = await mysql.createConnection(rawUrl);
      await admin.query(`CREATE DATABASE ${database}`);
      await admin.query(
        `CREATE TABLE ${database}.t (id INT PRIMARY KEY, note TEXT)`,
      );
      await admin.query(
        `INSERT INTO ${database}.t SELECT seq, REPEAT(MD5(seq), 6) FROM seq_1_to_100000`,
      );
      await admin.end();
      writeKillTestConfig(dir, [
        '  maria:',
        '    engine: mariadb',
        `    host: ${url.hostname}`,
        `    port: ${url.port || 3306}`,
        `    user: ${decodeURIComponent(url.username || 'root')}`,
        `    databases: [${database}]`,
      ]);
      return {
        target: 'maria',
        cleanup: async () => {
          const drop = await mysql.createConnection(rawUrl);
          await drop.query(`DROP DATABASE IF EXISTS ${database}`);
          await drop.end();
        },
      };
    });
  },
);

describeWithService(
  'SAFEKEEP_TEST_REDIS_URL',
  'the agent SIGKILLed at ten points of a Redis backup',
  rawUrl => {
    killPointsSuite('redis', async dir => {
      const url = new URL(rawUrl);
      const prefix = `safekeep_kill_${randomBytes(4).toString('hex')}`;
      const client = new Redis(rawUrl);
      const value = randomBytes(16 * 1024).toString('base64');
      for (let i = 0; i < 1000; i += 100) {
        const batch = client.pipeline();
        for (let j = i; j < i + 100; j++) batch.set(`${prefix}:${j}`, value);
        await batch.exec();
      }
      client.disconnect();
      writeKillTestConfig(dir, [
        '  cache:',
        '    engine: redis',
        `    host: ${url.hostname}`,
        `    port: ${url.port || 6379}`,
      ]);
      return {
        target: 'cache',
        cleanup: async () => {
          const c = new Redis(rawUrl);
          const keys = await c.keys(`${prefix}:*`);
          for (let i = 0; i < keys.length; i += 500)
            await c.del(...keys.slice(i, i + 500));
          c.disconnect();
        },
      };
    });
  },
);

describeWithService(
  'SAFEKEEP_TEST_NATS_URL',
  'the agent SIGKILLed at ten points of a NATS JetStream backup',
  rawUrl => {
    killPointsSuite('nats', async dir => {
      const stream = `SAFEKEEP_KILL_${randomBytes(4)
        .toString('hex')
        .toUpperCase()}`;
      const nc = await connectNats({ servers: rawUrl });
      const jsm = await nc.jetstreamManager();
      await jsm.streams.add({
        name: stream,
        subjects: [`${stream.toLowerCase()}.>`],
        storage: StorageType.File,
      });
      const js = nc.jetstream();
      const payload = randomBytes(4096);
      for (let i = 0; i < 6000; i += 200)
        await Promise.all(
          Array.from({ length: 200 }, (_, j) =>
            js.publish(`${stream.toLowerCase()}.m${i + j}`, payload),
          ),
        );
      await nc.close();
      writeKillTestConfig(dir, [
        '  events:',
        '    engine: nats',
        `    servers: [${rawUrl}]`,
        `    streams: [${stream}]`,
      ]);
      return {
        target: 'events',
        cleanup: async () => {
          const c = await connectNats({ servers: rawUrl });
          await (await c.jetstreamManager()).streams.delete(stream);
          await c.close();
        },
      };
    });
  },
);
