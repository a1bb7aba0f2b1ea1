import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { Client } from 'pg';
import {
  AgentProcess,
  call,
  kill,
  listed,
  runJob,
  stagingLeftovers,
  startAgent,
  writeKillTestConfig,
} from '../testing/killedAgent';
import { describeWithService } from '../testing/services';
import { useTempDir } from '../testing/tempDir';

jest.setTimeout(900_000);

const KILL_POINTS = 10;
const ROWS = 150_000;
const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

/**
 * A restore into a PostgreSQL server, the agent SIGKILLed at ten points of it and started
 * again: in place over changed data, the database holds the rows it had or the snapshot's,
 * never a mix; into a new database (a declared destination), that database is absent or whole.
 * The killed job is unknown to the new agent (the backend records the restore interrupted on
 * that answer, runs/agentRestart.test.ts), and the restore then runs again to its end.
 */
describeWithService(
  'SAFEKEEP_TEST_POSTGRES_URL',
  'the agent SIGKILLed during a PostgreSQL restore',
  rawUrl => {
    const tempDir = useTempDir('safekeep-kill-pg-restore-');
    const suffix = randomBytes(4).toString('hex');
    const source = `safekeep_kr_${suffix}`;
    const scratch = `safekeep_kr_${suffix}_scratch`;
    const urlOf = (database: string) =>
      Object.assign(new URL(rawUrl), { pathname: `/${database}` }).href;
    const withClient = async <T>(
      database: string,
      fn: (c: Client) => Promise<T>,
    ) => {
      const client = new Client({ connectionString: urlOf(database) });
      await client.connect();
      try {
        return await fn(client);
      } finally {
        await client.end();
      }
    };
    const admin = <T>(fn: (c: Client) => Promise<T>) =>
      withClient(new URL(rawUrl).pathname.slice(1) || 'postgres', fn);
    /** `absent`, or the table's row count and checksum of its notes. */
    const state = async (database: string) => {
      const exists = await admin(
        async c =>
          (
            await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [
              database,
            ])
          ).rowCount === 1,
      );
      if (!exists) return 'absent';
      return withClient(database, async c => {
        const table = await c.query("SELECT to_regclass('public.t') AS t");
        if (!table.rows[0].t) return 'no table t';
        const { rows } = await c.query(
          "SELECT count(*)::int AS n, md5(string_agg(note, ',' ORDER BY id)) AS sum FROM t",
        );
        return `${rows[0].n} rows ${rows[0].sum}`;
      });
    };
    /** Sessions a killed agent's pg_restore may still hold (it is not the agent: it outlives it). */
    const waitForNoSessions = async (database: string) => {
      for (let i = 0; i < 600; i++) {
        const busy = await admin(
          async c =>
            (
              await c.query(
                'SELECT 1 FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
                [database],
              )
            ).rowCount! > 0,
        );
        if (!busy) return;
        await sleep(100);
      }
      throw new Error(`sessions on ${database} did not end`);
    };
    /** Databases a restore into the scratch database is building under another name. */
    const restoringCopies = () =>
      admin(async c =>
        (
          await c.query(
            "SELECT datname FROM pg_database WHERE datname LIKE $1 || '\\_safekeep\\_restore\\_%'",
            [scratch],
          )
        ).rows.map(r => r.datname as string),
      );
    let agent: AgentProcess | undefined;

    beforeAll(async () => {
      await admin(c => c.query(`CREATE DATABASE ${source}`));
      await withClient(source, c =>
        c.query(
          `CREATE TABLE t AS SELECT g AS id, md5(g::text) || repeat('x', 200) AS note FROM generate_series(1, ${ROWS}) g`,
        ),
      );
    });
    afterEach(async () => {
      if (agent) await kill(agent);
      agent = undefined;
    });
    afterAll(async () => {
      await admin(async c => {
        await c.query(`DROP DATABASE IF EXISTS ${source} WITH (FORCE)`);
        await c.query(`DROP DATABASE IF EXISTS ${scratch} WITH (FORCE)`);
      });
      for (const name of await restoringCopies())
        await admin(c => c.query(`DROP DATABASE ${name} WITH (FORCE)`));
    });

    async function setUp() {
      const dir = tempDir();
      const url = new URL(rawUrl);
      writeKillTestConfig(dir, [
        '  pg:',
        '    engine: postgres',
        `    host: ${url.hostname}`,
        `    port: ${url.port || 5432}`,
        `    user: ${decodeURIComponent(url.username || 'postgres')}`,
        `    databases: [${source}]`,
        '    globals: false',
        `    destinations: { scratch: ${scratch} }`,
      ]);
      const config = path.join(dir, 'agent.yaml');
      agent = await startAgent(config);
      expect(
        await runJob(agent, '/v1/backups', { target: 'pg' }),
      ).toMatchObject({ state: 'succeeded' });
      const [snapshotId] = await listed(agent, 'pg');
      return { dir, config, snapshotId, snapshot: await state(source) };
    }

    /** Times one restore, then kills ten at k/11 of that time; `check` after each start. */
    async function killPoints(
      config: string,
      request: Record<string, unknown>,
      prepare: () => Promise<void>,
      check: (where: string) => Promise<void>,
    ) {
      await prepare();
      const timed = Date.now();
      expect(await runJob(agent!, '/v1/restores', request)).toMatchObject({
        state: 'succeeded',
      });
      const duration = Date.now() - timed;
      for (let point = 1; point <= KILL_POINTS; point++) {
        await prepare();
        const job = await call(agent!, '/v1/restores', request);
        await sleep((duration * point) / (KILL_POINTS + 1));
        await kill(agent!);
        agent = await startAgent(config);
        const where = `after kill ${point} (at ${Math.round(
          (100 * point) / (KILL_POINTS + 1),
        )}% of ${duration} ms)`;
        // The new agent does not know the killed job: the backend reads that as interrupted.
        await expect(call(agent, `/v1/jobs/${job.id}`)).rejects.toThrow(/404/);
        await check(where);
        expect(await runJob(agent, '/v1/restores', request)).toMatchObject({
          state: 'succeeded',
        });
      }
    }

    it('in place over changed data: after each of 10 kills the database holds its rows or the snapshot, never a mix', async () => {
      const { dir, config, snapshotId, snapshot } = await setUp();
      let before = '';
      const seen: string[] = [];
      await killPoints(
        config,
        { target: 'pg', snapshotId, force: true },
        async () => {
          await withClient(source, async c => {
            await c.query(
              "UPDATE t SET note = 'changed after the backup' WHERE id % 7 = 0",
            );
            await c.query(
              "INSERT INTO t SELECT g, 'new' FROM generate_series(1000001, 1002000) g",
            );
          });
          before = await state(source);
        },
        async where => {
          // A pg_restore the killed agent started may still run: its one transaction commits
          // whole or rolls back.
          await waitForNoSessions(source);
          const after = await state(source);
          const names: Record<string, string> = {
            [snapshot]: 'snapshot',
            [before]: 'before',
          };
          seen.push(names[after] ?? after);
          expect({
            where,
            whole: after === before || after === snapshot,
          }).toEqual({
            where,
            whole: true,
          });
          expect({ where, staging: stagingLeftovers(dir) }).toEqual({
            where,
            staging: [],
          });
        },
      );
      // eslint-disable-next-line no-console
      console.log(`in place, after each kill: ${seen.join(' ')}`);
    });

    it('into a new database: after each of 10 kills the destination is absent or whole', async () => {
      const { dir, config, snapshotId, snapshot } = await setUp();
      const seen: string[] = [];
      let leftUnderAnotherName = 0;
      let withoutComment = 0;
      await killPoints(
        config,
        { target: 'pg', snapshotId, destination: 'scratch' },
        async () => {
          // The restore after the last kill dropped what that kill left under another name.
          expect(await restoringCopies()).toEqual([]);
          await admin(c =>
            c.query(`DROP DATABASE IF EXISTS ${scratch} WITH (FORCE)`),
          );
        },
        async where => {
          // Not waiting for the copies: a killed agent's pg_restore may still load one, and the
          // next restore must drop it all the same.
          await waitForNoSessions(scratch);
          const after = await state(scratch);
          const copies = await restoringCopies();
          leftUnderAnotherName += copies.length;
          for (const name of copies)
            if (
              !(await admin(
                async c =>
                  (
                    await c.query(
                      "SELECT shobj_description(oid, 'pg_database') AS comment FROM pg_database WHERE datname = $1",
                      [name],
                    )
                  ).rows[0]?.comment,
              ))
            )
              withoutComment++;
          seen.push(after === snapshot ? 'whole' : after);
          expect({
            where,
            whole: after === 'absent' || after === snapshot,
            after,
          }).toEqual({ where, whole: true, after });
          expect({ where, staging: stagingLeftovers(dir) }).toEqual({
            where,
            staging: [],
          });
          // The restore runs again into the same destination: it must be free.
          await admin(c =>
            c.query(`DROP DATABASE IF EXISTS ${scratch} WITH (FORCE)`),
          );
        },
      );
      // eslint-disable-next-line no-console
      console.log(
        `new database, after each kill: ${seen.join(
          ' ',
        )}; restoring copies left by the kills: ${leftUnderAnotherName} (${withoutComment} without their comment)`,
      );
      expect(await restoringCopies()).toEqual([]);
    });
  },
);
