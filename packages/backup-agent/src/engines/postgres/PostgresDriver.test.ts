import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { Client } from 'pg';
import { createConfigContext } from '../../config/ConfigContext';
import type { CommandRunner } from '../../exec/CommandRunner';
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
import { createPostgresDriver } from './PostgresDriver';
import { PostgresSettings, postgresSettingsSchema } from './postgresSettings';

jest.setTimeout(60_000);

const PASSWORD_ENV = 'SAFEKEEP_TEST_PG_PASSWORD';

const SCHEMA = `
  CREATE SCHEMA app;
  CREATE TABLE app.users (id int PRIMARY KEY, name text NOT NULL, profile jsonb, avatar bytea);
  CREATE TABLE app.orders (id serial PRIMARY KEY, user_id int REFERENCES app.users(id), total numeric(10,2));
  INSERT INTO app.users VALUES (1, 'Ada', '{"team": "core"}', '\\x00ff10'), (2, 'Grace ''Hopper''', NULL, NULL), (3, 'Zoë', '{"emoji": "🚀"}', '\\x');
  INSERT INTO app.orders (user_id, total) VALUES (1, 9.99), (1, 120.00), (3, 0.50);
  -- Rows pg_dump skips: a table that belongs to an extension, like DocumentDB's catalog.
  CREATE EXTENSION hstore;
  CREATE TABLE public.ext_catalog (id int PRIMARY KEY, name text);
  INSERT INTO public.ext_catalog VALUES (1, 'collections'), (2, 'indexes');
  ALTER EXTENSION hstore ADD TABLE public.ext_catalog;
`;

const EXTRA_SQL = [
  {
    name: 'ext-catalog',
    query: 'SELECT id, name FROM public.ext_catalog',
    // After pg_restore the extension exists again without this table's rows (here: without the table).
    beforeReplay:
      'CREATE TABLE public.ext_catalog (id int PRIMARY KEY, name text)',
    replay: 'COPY public.ext_catalog (id, name) FROM STDIN',
  },
];

describeWithService(
  'SAFEKEEP_TEST_POSTGRES_URL',
  'postgres driver (real server)',
  rawUrl => {
    const url = new URL(rawUrl);
    const server = {
      host: url.hostname,
      port: Number(url.port || 5432),
      user: decodeURIComponent(url.username || 'postgres'),
    };
    const serverPassword = url.password
      ? decodeURIComponent(url.password)
      : undefined;
    const suffix = randomBytes(4).toString('hex');
    let testNumber = 0;
    let source = '';
    let copy = '';
    // The server may use trust auth; the password still goes through PGPASSFILE and is checked
    // never to show up in argv or messages.
    const password = serverPassword ?? `pw-${randomBytes(8).toString('hex')}`;
    let admin: Client;
    let context: TestEngineContext;

    const settingsFor = (fields: Record<string, unknown>): PostgresSettings =>
      postgresSettingsSchema(createConfigContext('/')).parse({
        ...server,
        password: { env: PASSWORD_ENV },
        ...fields,
      });

    const connect = async (database: string) => {
      const client = new Client({
        ...server,
        password: serverPassword,
        database,
      });
      await client.connect();
      return client;
    };

    const sql = async (database: string, statements: string) => {
      const client = await connect(database);
      try {
        await client.query(statements);
      } finally {
        await client.end();
      }
    };

    /** Everything a user would look at: all rows of every table, ordered, and the sequence. */
    const contentOf = async (database: string) => {
      const client = await connect(database);
      try {
        return {
          users: (
            await client.query(
              'SELECT id, name, profile, avatar FROM app.users ORDER BY id',
            )
          ).rows,
          orders: (
            await client.query(
              'SELECT id, user_id, total::text FROM app.orders ORDER BY id',
            )
          ).rows,
          catalog: (
            await client.query(
              'SELECT id, name FROM public.ext_catalog ORDER BY id',
            )
          ).rows,
          orderSequence: (
            await client.query(
              'SELECT last_value, is_called FROM app.orders_id_seq',
            )
          ).rows[0],
        };
      } finally {
        await client.end();
      }
    };

    beforeAll(async () => {
      process.env[PASSWORD_ENV] = password;
      admin = await connect(url.pathname.slice(1) || 'postgres');
    });

    afterAll(async () => {
      await admin.end();
      delete process.env[PASSWORD_ENV];
    });

    beforeEach(async () => {
      testNumber++;
      source = `safekeep_test_${suffix}_${testNumber}`;
      copy = `${source}_copy`;
      await admin.query(`CREATE DATABASE ${source}`);
      await sql(source, SCHEMA);
      context = testEngineContext();
    });

    afterEach(async () => {
      context.cleanup();
      for (const database of [source, copy])
        await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    });

    it('backs up, and restores the exact content over changed data, extension-owned rows included', async () => {
      const runner = new RecordingRunner(new LocalProcessRunner());
      const driver = createPostgresDriver({ runner });
      const settings = settingsFor({
        databases: [source],
        extraSql: EXTRA_SQL,
      });
      const original = await contentOf(source);

      const backup = await backupToMemory(driver, settings, context);
      expect(backup.artifacts.map(a => a.name)).toEqual([
        'globals.sql',
        `${source}.dump`,
        'ext-catalog.copy',
      ]);
      expect(backup.artifacts[0].data.toString()).toContain('CREATE ROLE');
      expect(backup.artifacts[1].data.subarray(0, 5).toString()).toBe('PGDMP');
      expect(backup.artifacts[2].data.toString()).toBe(
        '1\tcollections\n2\tindexes\n',
      );
      expect(backup.details).toEqual({
        serverVersion: expect.stringMatching(/^\d+\.\d+$/),
        globals: 'with role passwords',
        databases: {
          [source]: {
            tables: {
              'app.orders': 3,
              'app.users': 3,
              'public.ext_catalog': 2,
            },
          },
        },
      });
      expect(await driver.serverVersion(settings, context)).toBe(
        backup.details.serverVersion,
      );

      await sql(
        source,
        `UPDATE app.users SET name = 'changed'; DELETE FROM app.orders WHERE total > 100; INSERT INTO app.orders (user_id, total) VALUES (2, 1);
       CREATE TABLE public.later (x int); INSERT INTO public.later VALUES (1); DELETE FROM public.ext_catalog WHERE id = 2`,
      );
      expect(await contentOf(source)).not.toEqual(original);
      const state = await driver.inspectDestination(settings, context);
      expect(state.empty).toBe(false);
      expect(state.summary).toContain(
        `database "${source}" has 4 table(s) (app.orders, app.users, public.ext_catalog, public.later)`,
      );

      await driver.restore(
        settings,
        restoreArtifacts(backup.artifacts),
        context,
      );
      expect(await contentOf(source)).toEqual(original);
      expect(context.logs).toContain(
        'globals.sql (roles, tablespaces) was not replayed: roles usually exist already; set restoreGlobals: true to replay it',
      );
      // pg_restore --clean drops what the dump holds; a table created after the backup stays, and the check says so.
      expect(
        driver.compareDetails!(
          backup.details,
          await driver.check(settings, context),
        ),
      ).toEqual([
        `databases.${source}.tables.public.later: not in the backup, 1 after restore`,
      ]);

      // The password went through a 0600 file named in PGPASSFILE, never through argv.
      expect(runner.commands.map(c => c.command)).toEqual([
        'pg_dumpall',
        'pg_dump',
        'psql',
        'pg_restore',
        'psql',
      ]);
      for (const command of runner.commands) {
        expect(command.args.join(' ')).not.toContain(password);
        expect(command.env.PGPASSFILE).toMatch(
          new RegExp(`^${context.stagingDir}/`),
        );
        expect(command.args).toContain('--no-password');
      }
      expect(fs.readdirSync(context.stagingDir)).toEqual([]);
    });

    it('restores into another database, creating it, and checks it against the snapshot', async () => {
      const driver = createPostgresDriver({ runner: new LocalProcessRunner() });
      const settings = settingsFor({
        databases: [source],
        extraSql: EXTRA_SQL,
        globals: false,
        restoreJobs: 2,
      });
      const backup = await backupToMemory(driver, settings, context);
      expect(backup.artifacts.map(a => a.name)).toEqual([
        `${source}.dump`,
        'ext-catalog.copy',
      ]);

      const destination = driver.withDestination(
        settings,
        copy,
        createConfigContext('/'),
      );
      expect(driver.describe(destination)).toBe(
        `PostgreSQL database ${copy} at ${server.host}:${server.port}`,
      );
      expect(await driver.inspectDestination(destination, context)).toEqual({
        empty: true,
        summary: `database(s) "${copy}" on PostgreSQL at ${server.host}:${server.port} do(es) not exist yet`,
      });
      await driver.restore(
        destination,
        restoreArtifacts(backup.artifacts),
        context,
      );
      expect(await contentOf(copy)).toEqual(await contentOf(source));
      // A new database is loaded by two pg_restore workers from a staged copy, removed after.
      expect(context.logs).toContain(
        `restored database "${copy}" from the dump of "${source}" with pg_restore --jobs=2`,
      );
      expect(fs.readdirSync(context.stagingDir)).toEqual([]);
      expect(
        driver.compareDetails!(
          backup.details,
          await driver.check(destination, context),
        ),
      ).toEqual([]);

      // A changed copy is reported against the snapshot's database.
      await sql(copy, 'DELETE FROM app.users WHERE id = 2');
      expect(
        driver.compareDetails!(
          backup.details,
          await driver.check(destination, context),
        ),
      ).toEqual([
        `databases.${source} (restored as ${copy}).tables.app.users: 3 at backup, 2 after restore`,
      ]);
    });

    it('rolls back and says why when objects created after the backup depend on restored ones', async () => {
      const driver = createPostgresDriver({ runner: new LocalProcessRunner() });
      const settings = settingsFor({ databases: [source], globals: false });
      const backup = await backupToMemory(driver, settings, context);
      await sql(
        source,
        `CREATE TABLE app.dependent (x int); UPDATE app.users SET name = 'kept' WHERE id = 3`,
      );
      const before = await contentOf(source);
      await expect(
        driver.restore(settings, restoreArtifacts(backup.artifacts), context),
      ).rejects.toThrow(
        /failed and was rolled back: .*cannot drop schema app because other objects depend on it.*objects created after the backup depend on objects it restores: drop them \(see DETAIL\), or restore into a new database \(destination\)/s,
      );
      expect(await contentOf(source)).toEqual(before);
    });

    it('leaves the database as it was when the dump stream fails halfway', async () => {
      const driver = createPostgresDriver({ runner: new LocalProcessRunner() });
      const settings = settingsFor({ databases: [source], globals: false });
      const backup = await backupToMemory(driver, settings, context);
      await sql(source, `UPDATE app.users SET name = 'kept' WHERE id = 1`);
      const before = await contentOf(source);

      await expect(
        driver.restore(
          settings,
          [brokenArtifact(backup.artifacts[0])],
          context,
        ),
      ).rejects.toThrow(
        new RegExp(
          `^restoring database "${source}" on PostgreSQL at .* failed and was rolled back: pg_restore was stopped because its input failed: ${source}\\.dump: stored data does not match the manifest$`,
        ),
      );
      expect(await contentOf(source)).toEqual(before);
    });

    it('restores into a new database in one stream with restoreJobs 1, and leaves no database when the stream fails', async () => {
      const driver = createPostgresDriver({ runner: new LocalProcessRunner() });
      const settings = settingsFor({ databases: [source], globals: false });
      const backup = await backupToMemory(driver, settings, context);
      const into = (restoreJobs: number) =>
        driver.withDestination(
          { ...settings, restoreJobs },
          copy,
          createConfigContext('/'),
        );
      const databases = async () =>
        (
          await admin.query(
            `SELECT datname FROM pg_database WHERE datname LIKE $1 ORDER BY 1`,
            [`${copy}%`],
          )
        ).rows.map(row => row.datname);

      // Staged and verified before pg_restore starts: the failing stream leaves nothing.
      await expect(
        driver.restore(into(2), [brokenArtifact(backup.artifacts[0])], context),
      ).rejects.toThrow(`stored data does not match the manifest`);
      expect(await databases()).toEqual([]);
      expect(fs.readdirSync(context.stagingDir)).toEqual([]);

      await driver.restore(
        into(1),
        restoreArtifacts(backup.artifacts),
        context,
      );
      expect(context.logs).toContain(
        `restored database "${copy}" from the dump of "${source}"`,
      );
      expect(await databases()).toEqual([copy]);
      const restored = await connect(copy);
      try {
        const { rows } = await restored.query(
          'SELECT name FROM app.users ORDER BY id',
        );
        expect(rows.map(row => row.name)).toEqual([
          'Ada',
          "Grace 'Hopper'",
          'Zoë',
        ]);
      } finally {
        await restored.end();
      }
    });

    it('refuses an unknown database with the list, without the password', async () => {
      const driver = createPostgresDriver({ runner: new LocalProcessRunner() });
      const settings = settingsFor({ databases: ['safekeep_no_such_db'] });
      const error = await driver.backup(settings, context).then(
        () => new Error('expected a failure'),
        (e: Error) => e,
      );
      expect(error.message).toMatch(
        /^database "safekeep_no_such_db" not found on PostgreSQL at .* \(it has .*safekeep_test_.*\); fix targets\.test-target\.databases in the agent config$/,
      );
      expect(error.message).not.toContain(password);
    });

    it('fails the artifact when pg_dump fails (here: killed), and cleans up', async () => {
      const local = new LocalProcessRunner();
      const killing: CommandRunner = {
        where: local.where,
        writeSecretFile: (...args) => local.writeSecretFile(...args),
        toolOutputFile: (...args) => local.toolOutputFile(...args),
        run(spec) {
          const running = local.run(spec);
          if (spec.command === 'pg_dump')
            setTimeout(() => running.kill(true), 20);
          return running;
        },
      };
      const driver = createPostgresDriver({ runner: killing });
      const settings = settingsFor({ databases: [source], globals: false });
      await expect(backupToMemory(driver, settings, context)).rejects.toThrow(
        'pg_dump was killed (SIGKILL)',
      );
      expect(fs.readdirSync(context.stagingDir)).toEqual([]);
    });

    it('backs up globals without role passwords as a non-superuser, and says so', async () => {
      const role = `safekeep_test_${suffix}_reader`;
      await admin.query(
        `CREATE ROLE ${role} LOGIN; GRANT pg_read_all_data TO ${role}`,
      );
      try {
        const driver = createPostgresDriver({
          runner: new LocalProcessRunner(),
        });
        const settings = settingsFor({ user: role, databases: [source] });
        const backup = await backupToMemory(driver, settings, context);
        expect(backup.details.globals).toBe('without role passwords');
        expect(backup.artifacts[0].data.toString()).toContain(
          `CREATE ROLE ${role}`,
        );
        expect(context.logs).toContain(
          `${role} is not a superuser: globals.sql holds roles without their passwords. Connect as a superuser, or set targets.test-target.globals: false to skip globals`,
        );
      } finally {
        await admin.query(`DROP ROLE ${role}`);
      }
    });

    it('replays globals only when asked, tolerating roles that exist', async () => {
      const driver = createPostgresDriver({ runner: new LocalProcessRunner() });
      const settings = {
        ...settingsFor({ databases: [source] }),
        restoreGlobals: true,
      };
      const backup = await backupToMemory(driver, settings, context);
      await driver.restore(
        settings,
        restoreArtifacts(backup.artifacts),
        context,
      );
      expect(context.logs.find(l => l.startsWith('globals.sql:'))).toMatch(
        /^globals\.sql: (\d+) statement\(s\) failed, \1 because the object already exists$/,
      );
    });

    it('refuses snapshots it cannot place before touching anything', async () => {
      const driver = createPostgresDriver({ runner: new LocalProcessRunner() });
      const settings = settingsFor({ databases: [source] });
      const unopened = async (): Promise<never> => {
        throw new Error('must not be opened');
      };
      const dump = { name: `${source}.dump`, open: unopened };
      const other = { name: 'other.dump', open: unopened };
      await expect(
        driver.restore(
          driver.withDestination(settings, 'x', createConfigContext('/')),
          [dump, other],
          context,
        ),
      ).rejects.toThrow(
        `the snapshot holds 2 databases (${source}, other) and a destination can name one database only`,
      );
      await expect(
        driver.restore(
          settings,
          [dump, { name: 'ext-catalog.copy', open: unopened }],
          context,
        ),
      ).rejects.toThrow(
        'the snapshot holds extra rows "ext-catalog.copy" but the target has no extraSql entry named "ext-catalog"',
      );
    });
  },
);
