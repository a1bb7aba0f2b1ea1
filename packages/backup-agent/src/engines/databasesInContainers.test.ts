import Redis from 'ioredis';
import mysql from 'mysql2/promise';
import { Client } from 'pg';
import { SnapshotService } from '../snapshots/SnapshotService';
import {
  DB_IMAGE,
  describeWithDocker,
  execIn,
  removeTestResources,
  testPrefix,
} from '../testing/dockerHarness';
import {
  ServerContainer,
  startMariadbContainer,
  startPostgresContainer,
  startRedisContainer,
} from '../testing/dockerServers';
import { useTempDir } from '../testing/tempDir';
import { testConfig } from '../testing/testConfig';

jest.setTimeout(120_000);

const PASSWORD_ENV = 'SAFEKEEP_TEST_CONTAINER_DB_PASSWORD';
const PASSWORD = 'c0ntainer-pw-8d1e';

/**
 * No exec the agent ran in the container (as the engine reports them: argv, user, and
 * everything else exec inspect shows), and not the container's config, holds the password.
 */
async function expectNoSecretVisible(
  docker: import('dockerode'),
  agent: SnapshotService,
  container: string,
  tools: string[],
): Promise<void> {
  const info = await docker.getContainer(container).inspect();
  expect(JSON.stringify(info.Config)).not.toContain(PASSWORD);
  const execs = await Promise.all(
    agent
      .docker()
      .execRunner(container)
      .execIds.map(id => docker.getExec(id).inspect()),
  );
  // The tools really ran there (the PID wrapper passes the tool as $0).
  const ran = execs.map(e => e.ProcessConfig.arguments[2]);
  expect(ran).toEqual(expect.arrayContaining(tools));
  for (const exec of execs)
    expect(JSON.stringify(exec)).not.toContain(PASSWORD);
  // Secret files were removed from /tmp after use.
  expect(
    await execIn(docker, container, [
      'sh',
      '-c',
      'ls -A /tmp | grep safekeep || true',
    ]),
  ).toBe('');
}

/**
 * postgres, mariadb and redis targets with `container`: every dump and restore tool runs by
 * docker exec inside a container started from safekeep-test/db:1 (host network, spare port),
 * while the agent's own connection (row counts, snapshots) reaches the same server.
 */
describeWithDocker(
  'database engines with tools in containers (real servers in real containers)',
  docker => {
    const prefix = testPrefix('dbs');
    const tempDir = useTempDir();
    let pg: ServerContainer;
    let maria: ServerContainer;
    let cache: ServerContainer;

    beforeAll(async () => {
      process.env[PASSWORD_ENV] = PASSWORD;
      [pg, maria, cache] = await Promise.all([
        startPostgresContainer(docker, `${prefix}-pg`, PASSWORD),
        startMariadbContainer(docker, `${prefix}-maria`, 'safekeep', PASSWORD),
        startRedisContainer(docker, `${prefix}-cache`, PASSWORD),
      ]);
    });
    afterAll(async () => {
      delete process.env[PASSWORD_ENV];
      await removeTestResources(docker, prefix);
    });

    const service = (targets: Record<string, Record<string, unknown>>) =>
      new SnapshotService(
        testConfig(tempDir(), targets, undefined, { docker: {} }),
      );

    it('postgres: pg_dump and pg_restore run inside the container; the rows come back', async () => {
      const connect = async (database: string) => {
        const client = new Client({
          host: '127.0.0.1',
          port: pg.port,
          user: 'postgres',
          password: PASSWORD,
          database,
        });
        await client.connect();
        return client;
      };
      const admin = await connect('postgres');
      await admin.query('CREATE DATABASE shop');
      await admin.end();
      const shop = await connect('shop');
      await shop.query(
        `CREATE TABLE orders (id int PRIMARY KEY, item text); INSERT INTO orders VALUES (1, 'tea'), (2, 'cups')`,
      );

      const agent = service({
        shop: {
          engine: 'postgres',
          port: pg.port,
          password: { env: PASSWORD_ENV },
          databases: ['shop'],
          container: pg.name,
        },
      });
      expect(agent.target('shop').settings).toMatchObject({
        container: { name: pg.name },
      });
      const { snapshots, manifest } = await agent.backup('shop');
      expect(snapshots[0].artifacts.map(a => a.name)).toEqual([
        'globals.sql.chunks.zst',
        'shop.dump.chunks.zst',
      ]);
      expect(manifest.details).toMatchObject({
        databases: { shop: { tables: { 'public.orders': 2 } } },
      });

      await shop.query(
        `DELETE FROM orders; INSERT INTO orders VALUES (3, 'spoon')`,
      );
      await shop.end();
      const restored = await agent.restore('shop', snapshots[0].id, {
        force: true,
      });
      expect(restored.destination).toBe(
        `PostgreSQL database shop at 127.0.0.1:${pg.port} (tools in container ${pg.name})`,
      );
      expect(restored.differences).toEqual([]);
      const check = await connect('shop');
      expect(
        (await check.query('SELECT * FROM orders ORDER BY id')).rows,
      ).toEqual([
        { id: 1, item: 'tea' },
        { id: 2, item: 'cups' },
      ]);
      await check.end();
      await expectNoSecretVisible(docker, agent, pg.name, [
        'pg_dumpall',
        'pg_dump',
        'pg_restore',
      ]);
    });

    it('mariadb: mysqldump and mysql run inside the container with the option file copied in', async () => {
      const connection = await mysql.createConnection({
        host: '127.0.0.1',
        port: maria.port,
        user: 'safekeep',
        password: PASSWORD,
      });
      await connection.query('CREATE DATABASE crm');
      await connection.query(
        'CREATE TABLE crm.contacts (id INT PRIMARY KEY, name VARCHAR(40))',
      );
      await connection.query(
        "INSERT INTO crm.contacts VALUES (1, 'Ada'), (2, 'Grace')",
      );

      const agent = service({
        crm: {
          engine: 'mariadb',
          port: maria.port,
          user: 'safekeep',
          password: { env: PASSWORD_ENV },
          databases: ['crm'],
          container: maria.name,
        },
      });
      const { snapshots, manifest } = await agent.backup('crm');
      expect(snapshots[0].artifacts.map(a => a.name)).toEqual([
        'crm.sql.chunks.zst',
      ]);
      expect(manifest.details).toMatchObject({
        databases: { crm: { tables: { contacts: 2 } } },
      });

      await connection.query('DELETE FROM crm.contacts WHERE id = 1');
      const restored = await agent.restore('crm', snapshots[0].id, {
        force: true,
      });
      expect(restored.differences).toEqual([]);
      const [rows] = await connection.query(
        'SELECT * FROM crm.contacts ORDER BY id',
      );
      expect(rows).toEqual([
        { id: 1, name: 'Ada' },
        { id: 2, name: 'Grace' },
      ]);
      await connection.end();
      await expectNoSecretVisible(docker, agent, maria.name, [
        'mysqldump',
        'mysql',
      ]);
    });

    it('redis: the RDB file BGSAVE wrote is copied out of the container (no redis-cli, no diskless-sync delay), and the keys come back', async () => {
      const client = new Redis({
        host: '127.0.0.1',
        port: cache.port,
        password: PASSWORD,
        lazyConnect: true,
      });
      await client.connect();
      await client.set('session:1', 'alice');
      await client.hset('cart:1', { tea: '2' });
      await client.rpush('queue', 'a', 'b');

      const agent = service({
        cache: {
          engine: 'redis',
          port: cache.port,
          password: { env: PASSWORD_ENV },
          container: cache.name,
        },
      });
      const { manifest, snapshots } = await agent.backup('cache');
      expect(manifest.details).toMatchObject({
        keys: 3,
        keysCountedFrom: 'the RDB file',
      });
      expect(manifest.artifacts[0].description).toBe(
        `RDB file /tmp/dump.rdb of container ${cache.name} after BGSAVE on Redis at 127.0.0.1:${cache.port}`,
      );

      await client.flushall();
      await client.set('other', 'x');
      const restored = await agent.restore('cache', snapshots[0].id, {
        force: true,
      });
      expect(restored.differences).toEqual([]);
      expect(await client.get('session:1')).toBe('alice');
      expect(await client.hgetall('cart:1')).toEqual({ tea: '2' });
      expect(await client.lrange('queue', 0, -1)).toEqual(['a', 'b']);
      expect(await client.exists('other')).toBe(0);
      client.disconnect();
      // Neither the backup nor the replay needs a tool in the container.
      await expectNoSecretVisible(docker, agent, cache.name, []);
    });

    it('refuses settings that cannot work in a container, saying why', () => {
      expect(() =>
        service({
          c: { engine: 'redis', container: 'x', rdbPath: '/data/dump.rdb' },
        }),
      ).toThrow(
        "targets.c.rdbPath: is a path on the agent's host and cannot be combined with container: leave it out (the RDB is fetched with redis-cli --rdb inside the container)",
      );
    });
  },
  [DB_IMAGE],
);
