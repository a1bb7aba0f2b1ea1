import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { SnapshotService } from '../../snapshots/SnapshotService';
import { describeWithService } from '../../testing/services';
import { useTempDir } from '../../testing/tempDir';
import { testConfig } from '../../testing/testConfig';

jest.setTimeout(60_000);

/**
 * The postgres engine behind the real agent pipeline: config validation, zstd, checksums,
 * MANIFEST and README, the non-empty refusal, and the post-restore check.
 */
describeWithService(
  'SAFEKEEP_TEST_POSTGRES_URL',
  'postgres engine through the snapshot service',
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
    const database = `safekeep_test_${randomBytes(4).toString('hex')}_pipe`;
    const tempDir = useTempDir();
    let admin: Client;

    const query = async (db: string, sql: string) => {
      const client = new Client({ ...server, password, database: db });
      await client.connect();
      try {
        return (await client.query(sql)).rows;
      } finally {
        await client.end();
      }
    };

    beforeAll(async () => {
      admin = new Client({ ...server, password, database: 'postgres' });
      await admin.connect();
    });
    afterAll(async () => {
      for (const db of [database, `${database}_copy`])
        await admin.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
      await admin.end();
    });

    it('backs up, refuses a non-empty destination, restores with force, and its README restores by hand', async () => {
      await admin.query(`CREATE DATABASE ${database}`);
      await query(
        database,
        `CREATE TABLE notes (id int PRIMARY KEY, body text); INSERT INTO notes VALUES (1, 'one'), (2, 'two')`,
      );
      const dir = tempDir();
      const config = testConfig(
        dir,
        {
          pg: {
            engine: 'postgres',
            ...server,
            ...(password ? { password: { env: 'PGPASSWORD' } } : {}),
            databases: [database],
          },
        },
        // Whole files: the README's zstd | pg_restore steps (chunked: src/chunks tests).
        { local: { type: 'filesystem', path: './snapshots', format: 'whole' } },
      );
      const service = new SnapshotService(config);

      const { snapshots, manifest } = await service.backup('pg');
      expect(snapshots[0].artifacts.map(a => a.name)).toEqual([
        'globals.sql.zst',
        `${database}.dump.zst`,
      ]);
      expect(manifest.engine_version).toMatch(/^\d+\.\d+$/);
      expect(manifest.details).toMatchObject({
        databases: { [database]: { tables: { 'public.notes': 2 } } },
      });

      await query(
        database,
        `DELETE FROM notes WHERE id = 1; UPDATE notes SET body = 'changed'`,
      );
      await expect(service.restore('pg', snapshots[0].id)).rejects.toThrow(
        /the destination is not empty: .*database "safekeep_test_.*" has 1 table\(s\) \(public\.notes\)/,
      );
      const restored = await service.restore('pg', snapshots[0].id, {
        force: true,
      });
      expect(restored.differences).toEqual([]);
      expect(await query(database, 'SELECT * FROM notes ORDER BY id')).toEqual([
        { id: 1, body: 'one' },
        { id: 2, body: 'two' },
      ]);

      const copy = await service.restore('pg', snapshots[0].id, {
        destination: `${database}_copy`,
      });
      expect(copy.destination).toBe(
        `PostgreSQL database ${database}_copy at ${server.host}:${server.port}`,
      );
      expect(copy.differences).toEqual([]);

      // The README's hand-restore commands, run as written in the snapshot folder, bring the data back.
      const folder = path.join(dir, 'snapshots', 'pg', snapshots[0].id);
      const readme = fs.readFileSync(path.join(folder, 'README.md'), 'utf8');
      // pg_dump left compression to the agent (-Z0): the stored zstd holds an uncompressed custom-format dump.
      const listing = execFileSync(
        'sh',
        ['-c', `zstd -dc ${database}.dump.zst | pg_restore --list`],
        { cwd: folder, encoding: 'utf8' },
      );
      expect(listing).toMatch(/^;\s+Compression: (0|none)$/m);
      const commands = readme
        .split('\n')
        .filter(line =>
          /^(createdb|zstd -dc .*\.dump\.zst \| pg_restore)/.test(line),
        );
      expect(commands).toHaveLength(2);
      await admin.query(`DROP DATABASE ${database} WITH (FORCE)`);
      for (const command of commands)
        execFileSync('sh', ['-c', command.replace(/\s+# .*$/, '')], {
          cwd: folder,
          env: { ...process.env, PGPASSWORD: password ?? '' },
        });
      expect(await query(database, 'SELECT * FROM notes ORDER BY id')).toEqual([
        { id: 1, body: 'one' },
        { id: 2, body: 'two' },
      ]);
    });
  },
);
