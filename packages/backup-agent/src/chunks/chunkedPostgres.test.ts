import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { SnapshotService } from '../snapshots/SnapshotService';
import { describeWithService } from '../testing/services';
import { useTempDir } from '../testing/tempDir';
import { testConfig } from '../testing/testConfig';

jest.setTimeout(120_000);

/**
 * PostgreSQL in the chunked format (the default), with the change of the backend's restore
 * drill test (rows deleted past 60 %, row 1 changed) between two snapshots that share most
 * chunks: each snapshot restores its own rows exactly, the older one after the newer one too,
 * so no chunk of one snapshot (or of its other artifact, globals.sql) leaks into the other.
 */
describeWithService(
  'SAFEKEEP_TEST_POSTGRES_URL',
  'chunked PostgreSQL snapshots',
  rawUrl => {
    const url = new URL(rawUrl);
    const server = {
      host: url.hostname,
      port: Number(url.port || 5432),
      user: decodeURIComponent(url.username || 'postgres'),
    };
    const password = url.password
      ? decodeURIComponent(url.password)
      : undefined;
    const database = `safekeep_test_${randomBytes(4).toString('hex')}_cdc`;
    const tempDir = useTempDir();
    let admin: Client;

    const query = async (sql: string) => {
      const client = new Client({ ...server, password, database });
      await client.connect();
      try {
        return (await client.query(sql)).rows;
      } finally {
        await client.end();
      }
    };
    /** Row count and a digest of every row, in id order. */
    const contents = async () =>
      (
        await query(
          `SELECT count(*)::int AS n, md5(string_agg(id || ':' || body, ',' ORDER BY id)) AS digest FROM notes`,
        )
      )[0];

    beforeAll(async () => {
      admin = new Client({ ...server, password, database: 'postgres' });
      await admin.connect();
      await admin.query(`CREATE DATABASE ${database}`);
    });
    afterAll(async () => {
      await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      await admin.end();
    });

    it('restores each of two deduplicated snapshots to its own rows, in either order', async () => {
      // About 2.5 MB of dump: a few hundred chunks, so the change below touches only some.
      await query(
        `CREATE TABLE notes (id int PRIMARY KEY, body text);
         INSERT INTO notes SELECT i, 'note ' || i || ' ' || md5(i::text) || md5((i * 7)::text)
           FROM generate_series(1, 30000) AS i`,
      );
      const service = new SnapshotService(
        testConfig(tempDir(), {
          pg: {
            engine: 'postgres',
            ...server,
            ...(password ? { password: { env: 'PGPASSWORD' } } : {}),
            databases: [database],
          },
        }),
      );
      const first = await service.backup('pg');
      const firstRows = await contents();
      expect(first.manifest.artifacts.map(a => a.name)).toEqual([
        'globals.sql.chunks.zst',
        `${database}.dump.chunks.zst`,
      ]);

      await query(
        `DELETE FROM notes WHERE id > 18000; UPDATE notes SET body = 'changed' WHERE id = 1`,
      );
      const second = await service.backup('pg');
      const secondRows = await contents();
      expect(secondRows.n).toBe(18000);
      const [, dump] = second.manifest.artifacts;
      // Most of the dump is the rows the first snapshot stored already.
      expect(dump.chunked!.new_chunks).toBeLessThan(dump.chunked!.chunks / 2);
      expect(second.manifest.sizes!.new_bytes).toBeLessThan(
        first.manifest.sizes!.new_bytes / 2,
      );

      await query(`UPDATE notes SET body = 'later' WHERE id <= 100`);
      const firstRestore = await service.restore('pg', first.snapshots[0].id, {
        force: true,
      });
      expect(firstRestore.differences).toEqual([]);
      expect(await contents()).toEqual(firstRows);
      expect(await query(`SELECT body FROM notes WHERE id = 1`)).toEqual([
        { body: expect.stringMatching(/^note 1 /) },
      ]);

      await service.restore('pg', second.snapshots[0].id, { force: true });
      expect(await contents()).toEqual(secondRows);
      await service.restore('pg', first.snapshots[0].id, { force: true });
      expect(await contents()).toEqual(firstRows);
      for (const { snapshots } of [first, second])
        expect((await service.verify('pg', snapshots[0].id)).ok).toBe(true);
    });
  },
);
