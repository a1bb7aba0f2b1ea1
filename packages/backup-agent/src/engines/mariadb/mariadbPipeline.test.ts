import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import mysql from 'mysql2/promise';
import { SnapshotService } from '../../snapshots/SnapshotService';
import { describeWithService } from '../../testing/services';
import { useTempDir } from '../../testing/tempDir';
import { testConfig } from '../../testing/testConfig';

jest.setTimeout(60_000);

/** The mariadb engine behind the real agent pipeline, with a password from a secret file. */
describeWithService(
  'SAFEKEEP_TEST_MARIADB_URL',
  'mariadb engine through the snapshot service',
  rawUrl => {
    const url = new URL(rawUrl);
    const admin = {
      host: url.hostname,
      port: Number(url.port || 3306),
      user: decodeURIComponent(url.username || 'root'),
      password: url.password ? decodeURIComponent(url.password) : undefined,
    };
    const suffix = randomBytes(4).toString('hex');
    const database = `safekeep_test_${suffix}_pipe`;
    const user = `safekeep_${suffix}_p`;
    const password = `secret ${suffix} #"'`;
    const tempDir = useTempDir();
    let root: mysql.Connection;

    beforeAll(async () => {
      root = await mysql.createConnection(admin);
      await root.query(`CREATE DATABASE ${database}`);
      await root.query('CREATE USER ?@? IDENTIFIED BY ?', [
        user,
        '%',
        password,
      ]);
      await root.query(
        `GRANT ALL PRIVILEGES ON \`safekeep\\_test\\_${suffix}%\`.* TO ?@?`,
        [user, '%'],
      );
      await root.query(
        `CREATE TABLE ${database}.notes (id INT PRIMARY KEY, body TEXT)`,
      );
      await root.query(
        `INSERT INTO ${database}.notes VALUES (1, 'one'), (2, 'two')`,
      );
    });
    afterAll(async () => {
      for (const db of [database, `${database}_copy`])
        await root.query(`DROP DATABASE IF EXISTS ${db}`);
      await root.query('DROP USER IF EXISTS ?@?', [user, '%']);
      await root.end();
    });

    const notes = async (db: string) =>
      (await root.query(`SELECT * FROM ${db}.notes ORDER BY id`))[0];

    it('backs up, refuses a non-empty destination, restores with force and into a new database', async () => {
      const dir = tempDir();
      fs.writeFileSync(`${dir}/mariadb-password`, `${password}\n`, {
        mode: 0o600,
      });
      const config = testConfig(dir, {
        db: {
          engine: 'mariadb',
          host: admin.host,
          port: admin.port,
          user,
          password: { file: './mariadb-password' },
          databases: [database],
        },
      });
      const service = new SnapshotService(config);
      const { snapshots, manifest } = await service.backup('db');
      expect(snapshots[0].artifacts.map(a => a.name)).toEqual([
        `${database}.sql.chunks.zst`,
      ]);
      expect(manifest.engine_version).toMatch(/^\d+\.\d+\.\d+/);
      expect(manifest.details).toMatchObject({
        databases: { [database]: { tables: { notes: 2 } } },
      });

      await root.query(`DELETE FROM ${database}.notes WHERE id = 1`);
      await expect(service.restore('db', snapshots[0].id)).rejects.toThrow(
        /the destination is not empty: .*has 1 table\(s\) \(notes\)/,
      );
      const restored = await service.restore('db', snapshots[0].id, {
        force: true,
      });
      expect(restored.differences).toEqual([]);
      expect(await notes(database)).toEqual([
        { id: 1, body: 'one' },
        { id: 2, body: 'two' },
      ]);

      const copy = await service.restore('db', snapshots[0].id, {
        destination: `${database}_copy`,
      });
      expect(copy.differences).toEqual([]);
      expect(await notes(`${database}_copy`)).toEqual([
        { id: 1, body: 'one' },
        { id: 2, body: 'two' },
      ]);
    });
  },
);
