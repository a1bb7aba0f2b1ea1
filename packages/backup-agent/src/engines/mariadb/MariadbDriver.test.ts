import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import mysql from 'mysql2/promise';
import { createConfigContext } from '../../config/ConfigContext';
import { LocalProcessRunner } from '../../exec/LocalProcessRunner';
import { RecordingRunner } from '../../exec/RecordingRunner';
import {
  backupToMemory,
  brokenArtifact,
  restoreArtifacts,
  testEngineContext,
  TestEngineContext,
} from '../../testing/engineHarness';
import { describeWithService } from '../../testing/services';
import { createMariadbDriver } from './MariadbDriver';
import { MariadbSettings, mariadbSettingsSchema } from './mariadbSettings';

jest.setTimeout(60_000);

const PASSWORD_ENV = 'SAFEKEEP_TEST_MARIADB_PASSWORD';

const SCHEMA = [
  'CREATE TABLE users (id INT PRIMARY KEY, name VARCHAR(100) CHARACTER SET utf8mb4 NOT NULL, avatar BLOB, joined DATETIME(3)) ENGINE=InnoDB',
  'CREATE TABLE orders (id INT AUTO_INCREMENT PRIMARY KEY, user_id INT, total DECIMAL(10,2), FOREIGN KEY (user_id) REFERENCES users(id)) ENGINE=InnoDB',
  'CREATE TABLE audit (id INT AUTO_INCREMENT PRIMARY KEY, note VARCHAR(100)) ENGINE=InnoDB',
  `INSERT INTO users VALUES (1, 'Ada', X'00FF10', '2024-01-02 03:04:05.678'), (2, 'Grace "Hopper"', NULL, NULL), (3, 'Zoë 🚀', X'', '1999-12-31 23:59:59.000')`,
  'INSERT INTO orders (user_id, total) VALUES (1, 9.99), (1, 120.00), (3, 0.50)',
  'CREATE VIEW big_orders AS SELECT id, total FROM orders WHERE total > 100',
  `CREATE TRIGGER orders_audit AFTER INSERT ON orders FOR EACH ROW INSERT INTO audit (note) VALUES (CONCAT('order ', NEW.id))`,
  'CREATE PROCEDURE order_count(OUT n INT) SELECT COUNT(*) INTO n FROM orders',
];

describeWithService(
  'SAFEKEEP_TEST_MARIADB_URL',
  'mariadb driver (real server)',
  rawUrl => {
    const url = new URL(rawUrl);
    const server = { host: url.hostname, port: Number(url.port || 3306) };
    const admin = {
      ...server,
      user: decodeURIComponent(url.username || 'root'),
      password: url.password ? decodeURIComponent(url.password) : undefined,
    };
    const suffix = randomBytes(4).toString('hex');
    // A user of our own with a password full of option-file specials: it must survive the
    // option file, and never show in argv or messages.
    const user = `safekeep_${suffix}`;
    const password = `p"a\\ss #w'rd ${suffix};=[x]`;
    let testNumber = 0;
    let source = '';
    let copy = '';
    let root: mysql.Connection;
    let context: TestEngineContext;

    const settingsFor = (fields: Record<string, unknown>): MariadbSettings =>
      mariadbSettingsSchema(createConfigContext('/')).parse({
        ...server,
        user,
        password: { env: PASSWORD_ENV },
        ...fields,
      });

    const run = async (database: string, statements: string[]) => {
      const connection = await mysql.createConnection({ ...admin, database });
      try {
        for (const statement of statements) await connection.query(statement);
      } finally {
        await connection.end();
      }
    };

    /** All rows of every table, ordered, plus the things mysqldump must carry besides rows. */
    const contentOf = async (database: string) => {
      const connection = await mysql.createConnection({
        ...admin,
        database,
        dateStrings: true,
      });
      try {
        const rows = async (sql: string) => (await connection.query(sql))[0];
        await connection.query('CALL order_count(@n)');
        return {
          users: await rows(
            'SELECT id, name, HEX(avatar) AS avatar, joined FROM users ORDER BY id',
          ),
          orders: await rows(
            'SELECT id, user_id, total FROM orders ORDER BY id',
          ),
          audit: await rows('SELECT id, note FROM audit ORDER BY id'),
          view: await rows('SELECT id, total FROM big_orders ORDER BY id'),
          procedure: await rows('SELECT @n AS n'),
          triggers: await rows(
            `SELECT TRIGGER_NAME FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE()`,
          ),
          nextOrderId: await rows(
            `SELECT AUTO_INCREMENT FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'orders'`,
          ),
        };
      } finally {
        await connection.end();
      }
    };

    beforeAll(async () => {
      process.env[PASSWORD_ENV] = password;
      root = await mysql.createConnection(admin);
      await root.query('CREATE USER ?@? IDENTIFIED BY ?', [
        user,
        '%',
        password,
      ]);
      await root.query(
        `GRANT ALL PRIVILEGES ON \`safekeep\\_test\\_${suffix}%\`.* TO ?@?`,
        [user, '%'],
      );
    });

    afterAll(async () => {
      await root.query('DROP USER IF EXISTS ?@?', [user, '%']);
      await root.end();
      delete process.env[PASSWORD_ENV];
    });

    beforeEach(async () => {
      testNumber++;
      source = `safekeep_test_${suffix}_${testNumber}`;
      copy = `${source}_copy`;
      await root.query(`CREATE DATABASE ${source}`);
      // Created by the backup user: routines and triggers get it as their definer.
      const owner = await mysql.createConnection({
        ...server,
        user,
        password,
        database: source,
      });
      for (const statement of SCHEMA) await owner.query(statement);
      await owner.end();
      context = testEngineContext();
    });

    afterEach(async () => {
      context.cleanup();
      for (const database of [source, copy])
        await root.query(`DROP DATABASE IF EXISTS ${database}`);
    });

    it('backs up, and restores the exact content over changed data', async () => {
      const runner = new RecordingRunner(new LocalProcessRunner());
      const driver = createMariadbDriver({ runner });
      const settings = settingsFor({ databases: [source] });
      const original = await contentOf(source);

      const backup = await backupToMemory(driver, settings, context);
      expect(backup.artifacts.map(a => a.name)).toEqual([`${source}.sql`]);
      const dump = backup.artifacts[0].data.toString();
      expect(dump).not.toMatch(/CREATE DATABASE|^USE /m);
      expect(dump).toContain('CREATE DEFINER');
      expect(backup.details).toEqual({
        serverVersion: expect.stringMatching(/^\d+\.\d+\.\d+/),
        databases: { [source]: { tables: { audit: 0, orders: 3, users: 3 } } },
      });
      expect(await driver.serverVersion(settings, context)).toBe(
        backup.details.serverVersion,
      );

      await run(source, [
        `UPDATE users SET name = 'changed'`,
        'DELETE FROM orders WHERE total > 100',
        'INSERT INTO orders (user_id, total) VALUES (2, 1)',
        'DROP PROCEDURE order_count',
        'CREATE PROCEDURE order_count(OUT n INT) SELECT -1 INTO n',
      ]);
      expect(await contentOf(source)).not.toEqual(original);
      const state = await driver.inspectDestination(settings, context);
      expect(state).toEqual({
        empty: false,
        summary: expect.stringContaining(
          `database "${source}" has 3 table(s) (audit, orders, users)`,
        ),
      });

      await driver.restore(
        settings,
        restoreArtifacts(backup.artifacts),
        context,
      );
      expect(await contentOf(source)).toEqual(original);
      expect(
        driver.compareDetails!(
          backup.details,
          await driver.check(settings, context),
        ),
      ).toEqual([]);

      // Credentials went only through the option file, named first; it is gone afterwards.
      expect(runner.commands.map(c => c.command)).toEqual([
        'mysqldump',
        'mysql',
      ]);
      for (const command of runner.commands) {
        expect(command.args[0]).toMatch(
          new RegExp(`^--defaults-extra-file=${context.stagingDir}/`),
        );
        expect(JSON.stringify(command)).not.toContain(password);
      }
      expect(fs.readdirSync(context.stagingDir)).toEqual([]);
    });

    it('restores into another database, creating it', async () => {
      const driver = createMariadbDriver({ runner: new LocalProcessRunner() });
      const settings = settingsFor({ databases: [source] });
      const backup = await backupToMemory(driver, settings, context);
      const destination = driver.withDestination(
        settings,
        copy,
        createConfigContext('/'),
      );
      expect(await driver.inspectDestination(destination, context)).toEqual({
        empty: true,
        summary: `database(s) "${copy}" on MariaDB/MySQL at ${server.host}:${server.port} do(es) not exist yet`,
      });
      await driver.restore(
        destination,
        restoreArtifacts(backup.artifacts),
        context,
      );
      expect(await contentOf(copy)).toEqual(await contentOf(source));
      expect(
        driver.compareDetails!(
          backup.details,
          await driver.check(destination, context),
        ),
      ).toEqual([]);
      await run(copy, ['DELETE FROM users WHERE id = 2']);
      expect(
        driver.compareDetails!(
          backup.details,
          await driver.check(destination, context),
        ),
      ).toEqual([
        `databases.${source} (restored as ${copy}).tables.users: 3 at backup, 2 after restore`,
      ]);
    });

    it('leaves the database untouched when the dump stream fails', async () => {
      const driver = createMariadbDriver({ runner: new LocalProcessRunner() });
      const settings = settingsFor({ databases: [source] });
      const backup = await backupToMemory(driver, settings, context);
      await run(source, [`UPDATE users SET name = 'kept' WHERE id = 1`]);
      const before = await contentOf(source);
      await expect(
        driver.restore(
          settings,
          [brokenArtifact(backup.artifacts[0])],
          context,
        ),
      ).rejects.toThrow(
        `${source}.sql: stored data does not match the manifest`,
      );
      expect(await contentOf(source)).toEqual(before);
      expect(fs.readdirSync(context.stagingDir)).toEqual([]);
    });

    const databaseExists = async (database: string) => {
      const [rows] = await root.query<mysql.RowDataPacket[]>(
        'SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?',
        [database],
      );
      return rows.length === 1;
    };

    it('drops the scratch database a restore wrote, quoting its name, and says so when it is gone', async () => {
      const driver = createMariadbDriver({ runner: new LocalProcessRunner() });
      const settings = settingsFor({ databases: [source] });
      const backup = await backupToMemory(driver, settings, context);
      const destination = driver.withDestination(
        settings,
        copy,
        createConfigContext('/'),
      );
      await driver.restore(
        destination,
        restoreArtifacts(backup.artifacts),
        context,
      );
      expect(await databaseExists(copy)).toBe(true);

      expect(
        await driver.dropDestination!(destination, settings, context),
      ).toBe(
        `dropped database "${copy}" on MariaDB/MySQL at ${server.host}:${server.port}`,
      );
      expect(await databaseExists(copy)).toBe(false);
      expect(
        await driver.dropDestination!(destination, settings, context),
      ).toBe(
        `database "${copy}" does not exist on MariaDB/MySQL at ${server.host}:${server.port}; nothing to drop`,
      );

      // A backtick and a space in the name: dropped as one identifier, nothing else touched.
      const odd = `${source}_a\`b c`;
      await root.query(`CREATE DATABASE \`${odd.replace(/`/g, '``')}\``);
      try {
        await driver.dropDestination!(
          driver.withDestination(settings, odd, createConfigContext('/')),
          settings,
          context,
        );
        expect(await databaseExists(odd)).toBe(false);
      } finally {
        await root.query(
          `DROP DATABASE IF EXISTS \`${odd.replace(/`/g, '``')}\``,
        );
      }
      expect(await databaseExists(source)).toBe(true);
    });

    it("refuses the target's own databases, system databases, and any database of a target that backs up the whole server", async () => {
      const driver = createMariadbDriver({ runner: new LocalProcessRunner() });
      const settings = settingsFor({ databases: [source] });
      const at = `MariaDB/MySQL at ${server.host}:${server.port}`;
      const drop = (own: MariadbSettings, destination: string) =>
        driver.dropDestination!(
          driver.withDestination(own, destination, createConfigContext('/')),
          own,
          context,
        );

      await expect(drop(settings, source)).rejects.toThrow(
        `refusing to drop database "${source}" on ${at}: "${source}" is one of the target's databases (${source}); only a restore destination elsewhere can be dropped`,
      );
      // The same server written another way is still the same server.
      await expect(
        drop(settings, `localhost:${server.port}/${source}`),
      ).rejects.toThrow(`"${source}" is one of the target's databases`);
      await expect(drop(settings, 'mysql')).rejects.toThrow(
        `refusing to drop database "mysql" on ${at}: "mysql" is a system database`,
      );
      await expect(drop(settings, 'INFORMATION_SCHEMA')).rejects.toThrow(
        'is a system database',
      );

      await root.query(`CREATE DATABASE ${copy}`);
      const everything = settingsFor({});
      await expect(drop(everything, copy)).rejects.toThrow(
        `refusing to drop database "${copy}" on ${at}: the target backs up every database on ${at}, so "${copy}" is its data`,
      );
      await expect(
        driver.dropDestination!(settings, settings, context),
      ).rejects.toThrow(
        'refusing to drop: name the scratch database (destination), not the target itself',
      );
      expect(await databaseExists(source)).toBe(true);
      expect(await databaseExists(copy)).toBe(true);
      expect((await contentOf(source)).users).toHaveLength(3);
    });

    it('rejects a wrong password with a clear message that does not contain it', async () => {
      const driver = createMariadbDriver({ runner: new LocalProcessRunner() });
      const wrong = `${password}-wrong`;
      process.env[`${PASSWORD_ENV}_WRONG`] = wrong;
      try {
        const settings = settingsFor({
          databases: [source],
          password: { env: `${PASSWORD_ENV}_WRONG` },
        });
        const error = await driver.backup(settings, context).then(
          () => new Error('expected a failure'),
          (e: Error) => e,
        );
        expect(error.message).toMatch(
          new RegExp(
            `^cannot connect to MariaDB/MySQL at .* as ${user}: Access denied for user '${user}'@'.*' \\(using password: YES\\)$`,
          ),
        );
        expect(error.message).not.toContain(wrong);
        expect(error.message).not.toContain(password);
      } finally {
        delete process.env[`${PASSWORD_ENV}_WRONG`];
      }
    });

    it('names a database that does not exist', async () => {
      const driver = createMariadbDriver({ runner: new LocalProcessRunner() });
      await expect(
        driver.backup(
          settingsFor({ databases: [`safekeep_test_${suffix}_none`] }),
          context,
        ),
      ).rejects.toThrow(
        new RegExp(
          `^database "safekeep_test_${suffix}_none" not found on MariaDB/MySQL at .* \\(it has .*${source}.*\\); fix targets\\.test-target\\.databases`,
        ),
      );
    });

    it('fails the artifact when mysqldump fails, without the password in the message', async () => {
      const reader = `safekeep_${suffix}_r`;
      await root.query('CREATE USER ?@? IDENTIFIED BY ?', [
        reader,
        '%',
        password,
      ]);
      // SELECT only: enough to count rows, not to dump events.
      await root.query(`GRANT SELECT ON \`${source}\`.* TO ?@?`, [reader, '%']);
      try {
        const driver = createMariadbDriver({
          runner: new LocalProcessRunner(),
        });
        const error = await backupToMemory(
          driver,
          settingsFor({ user: reader, databases: [source] }),
          context,
        ).then(
          () => new Error('expected a failure'),
          (e: Error) => e,
        );
        expect(error.message).toMatch(
          /^mysqldump exited with code 2: mysqldump: Couldn't execute .*denied to user .*; the backup user needs SELECT, SHOW VIEW, TRIGGER, EVENT and LOCK TABLES/,
        );
        expect(error.message).not.toContain(password);
        expect(fs.readdirSync(context.stagingDir)).toEqual([]);
      } finally {
        await root.query('DROP USER ?@?', [reader, '%']);
      }
    });
  },
);
