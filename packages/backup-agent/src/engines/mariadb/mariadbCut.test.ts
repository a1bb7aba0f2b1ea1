import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import type { Readable } from 'node:stream';
import mysql from 'mysql2/promise';
import { createConfigContext } from '../../config/ConfigContext';
import {
  testEngineContext,
  TestEngineContext,
} from '../../testing/engineHarness';
import { describeWithService } from '../../testing/services';
import { mariadbDriver } from './MariadbDriver';
import { mariadbSettingsSchema } from './mariadbSettings';

jest.setTimeout(60_000);

const PASSWORD_ENV = 'SAFEKEEP_TEST_MARIADB_CUT_PASSWORD';

const readAll = async (stream: Readable) => {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
};

/**
 * MariaDB's own point in time in a cut: backup() with `inCut` returns once every database's
 * dump has its consistent snapshot open, so rows committed after it returned (the writers run
 * again) are in no dump, in any of the databases, and the recorded counts match the dumps.
 * The agent's user has no PROCESS privilege: it sees only its own sessions.
 */
describeWithService(
  'SAFEKEEP_TEST_MARIADB_URL',
  'mariadb in a consistency group cut (real server)',
  rawUrl => {
    const url = new URL(rawUrl);
    const server = { host: url.hostname, port: Number(url.port || 3306) };
    const admin = {
      ...server,
      user: decodeURIComponent(url.username || 'root'),
      password: url.password ? decodeURIComponent(url.password) : undefined,
    };
    const suffix = randomBytes(4).toString('hex');
    const user = `safekeep_cut_${suffix}`;
    const password = `cut-${suffix}`;
    const orders = `safekeep_cut_${suffix}_orders`;
    const ledger = `safekeep_cut_${suffix}_ledger`;
    let root: mysql.Connection;
    let context: TestEngineContext;

    const countIn = async (database: string) => {
      const [rows] = await root.query(
        `SELECT COUNT(*) AS n FROM \`${database}\`.entries`,
      );
      return Number((rows as Array<{ n: number }>)[0].n);
    };
    const add = (database: string, rows: number) =>
      root.query(
        `INSERT INTO \`${database}\`.entries (pad) SELECT REPEAT('x', 200) FROM mysql.seq_1_to_${rows}`,
      );

    beforeAll(async () => {
      process.env[PASSWORD_ENV] = password;
      root = await mysql.createConnection(admin);
      await root.query('CREATE USER ?@? IDENTIFIED BY ?', [
        user,
        '%',
        password,
      ]);
      await root.query(
        `GRANT ALL PRIVILEGES ON \`safekeep\\_cut\\_${suffix}%\`.* TO ?@?`,
        [user, '%'],
      );
      for (const database of [orders, ledger]) {
        await root.query(`CREATE DATABASE \`${database}\``);
        await root.query(
          `CREATE TABLE \`${database}\`.entries (id INT AUTO_INCREMENT PRIMARY KEY, pad VARCHAR(200)) ENGINE=InnoDB`,
        );
      }
      // Large enough that its dump outlives several polls of the processlist.
      await add(orders, 50000);
      await add(ledger, 10);
      context = testEngineContext('shop');
    });

    afterAll(async () => {
      for (const database of [
        orders,
        ledger,
        `${orders}_copy`,
        `${ledger}_copy`,
      ])
        await root.query(`DROP DATABASE IF EXISTS \`${database}\``);
      await root.query('DROP USER IF EXISTS ?@?', [user, '%']);
      await root.end();
      context?.cleanup();
      delete process.env[PASSWORD_ENV];
    });

    it('preflight: counts what a cut stages, and names a database that is not there', async () => {
      const parse = (databases: string[]) =>
        mariadbSettingsSchema(createConfigContext('/')).parse({
          ...server,
          user,
          password: { env: PASSWORD_ENV },
          databases,
        });
      // The estimate is InnoDB's statistics, which lag behind a bulk load until analyzed.
      await root.query(`ANALYZE TABLE \`${orders}\`.entries`);
      const found = await mariadbDriver.preflight!(
        parse([orders, ledger]),
        context,
      );
      expect(found.problems).toEqual([]);
      // 50 010 rows of about 200 bytes: the data length is at least that.
      expect(found.stagedCopyBytes).toBeGreaterThan(50000 * 200);
      const missing = await mariadbDriver.preflight!(
        parse([`${orders}_gone`]),
        context,
      );
      expect(missing.problems).toEqual([
        expect.stringContaining(`${orders}_gone`),
      ]);
    });

    it('fixes every database at the moment backup() returns; later commits are in no dump', async () => {
      const settings = mariadbSettingsSchema(createConfigContext('/')).parse({
        ...server,
        user,
        password: { env: PASSWORD_ENV },
        databases: [orders, ledger],
      });
      expect(mariadbDriver.pointInTime).toBe('backup');
      const backup = await mariadbDriver.backup(settings, {
        ...context,
        inCut: true,
      });

      // The writers run again: these commits come after the cut.
      await add(orders, 7);
      await add(ledger, 7);
      expect(await countIn(orders)).toBe(50007);

      const dumps: Record<string, Buffer> = {};
      try {
        for await (const artifact of backup.artifacts()) {
          dumps[artifact.name] = await readAll(artifact.stream);
          await artifact.completion;
        }
        expect(await backup.details()).toEqual({
          serverVersion: expect.stringMatching(/^\d+\.\d+\.\d+/),
          databases: {
            [orders]: { tables: { entries: 50000 } },
            [ledger]: { tables: { entries: 10 } },
          },
        });
      } finally {
        await backup.close();
      }
      // The staged dumps are gone after close.
      expect(
        fs.readdirSync(context.stagingDir).filter(f => f.startsWith('cut-')),
      ).toEqual([]);

      // Each dump loaded into a fresh database holds the rows of the cut, not the later ones.
      for (const database of [orders, ledger]) {
        await root.query(`CREATE DATABASE \`${database}_copy\``);
        execFileSync(
          'mysql',
          [
            `--host=${server.host}`,
            `--port=${server.port}`,
            `--user=${admin.user}`,
            `${database}_copy`,
          ],
          {
            input: dumps[`${database}.sql`],
            env: { ...process.env, MYSQL_PWD: admin.password ?? '' },
          },
        );
      }
      expect(await countIn(`${orders}_copy`)).toBe(50000);
      expect(await countIn(`${ledger}_copy`)).toBe(10);
    });
  },
);
