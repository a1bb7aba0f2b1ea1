import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { Client } from 'pg';
import { createConfigContext } from '../../config/ConfigContext';
import { LocalProcessRunner } from '../../exec/LocalProcessRunner';
import {
  backupToMemory,
  restoreArtifacts,
  testEngineContext,
  TestEngineContext,
} from '../../testing/engineHarness';
import { describeWithService } from '../../testing/services';
import {
  describeWithSmallDisks,
  mountSmallDisk,
} from '../../testing/smallDisk';
import type { RestoreArtifact } from '../EngineDriver';
import { createPostgresDriver } from './PostgresDriver';
import { postgresSettingsSchema } from './postgresSettings';

jest.setTimeout(60_000);

const MiB = 1024 * 1024;

/**
 * A parallel restore stages the dump first; a staging folder without room must never fail a
 * restore that one stream can do. Played for real on small tmpfs disks (ENOSPC).
 */
describeWithSmallDisks(
  'a parallel PostgreSQL restore and a full staging disk',
  () => {
    describeWithService('SAFEKEEP_TEST_POSTGRES_URL', 'real server', rawUrl => {
      const url = new URL(rawUrl);
      const server = {
        host: url.hostname,
        port: Number(url.port || 5432),
        user: decodeURIComponent(url.username || 'postgres'),
        password: url.password ? decodeURIComponent(url.password) : undefined,
      };
      const source = `safekeep_disk_${randomBytes(4).toString('hex')}`;
      const copy = `${source}_copy`;
      const driver = createPostgresDriver({ runner: new LocalProcessRunner() });
      const { password, ...connection } = server;
      if (password) process.env.SAFEKEEP_TEST_PG_DISK_PASSWORD = password;
      const settings = postgresSettingsSchema(createConfigContext('/')).parse({
        ...connection,
        ...(password
          ? { password: { env: 'SAFEKEEP_TEST_PG_DISK_PASSWORD' } }
          : {}),
        databases: [source],
        globals: false,
        restoreJobs: 2,
      });
      const destination = driver.withDestination(
        settings,
        copy,
        createConfigContext('/'),
      );
      let admin: Client;
      let context: TestEngineContext;

      const rowsIn = async (database: string) => {
        const client = new Client({ ...server, database });
        await client.connect();
        try {
          return Number(
            (await client.query('SELECT count(*) AS n FROM items')).rows[0].n,
          );
        } finally {
          await client.end();
        }
      };

      beforeAll(async () => {
        admin = new Client({ ...server, database: 'postgres' });
        await admin.connect();
        await admin.query(`CREATE DATABASE ${source}`);
        const client = new Client({ ...server, database: source });
        await client.connect();
        await client.query(
          `CREATE TABLE items (id int PRIMARY KEY, body text);
           INSERT INTO items SELECT g, md5(g::text) FROM generate_series(1, 5000) g;`,
        );
        await client.end();
      });

      afterEach(async () => {
        context?.cleanup();
        await admin.query(`DROP DATABASE IF EXISTS ${copy} WITH (FORCE)`);
      });

      afterAll(async () => {
        await admin.query(`DROP DATABASE IF EXISTS ${source} WITH (FORCE)`);
        await admin.end();
      });

      it('streams, and says why, when the staging disk has no room for the dump', async () => {
        const disk = mountSmallDisk(16 * MiB);
        try {
          // Its log still goes to context.logs.
          context = { ...testEngineContext(), stagingDir: disk.path };
          const backup = await backupToMemory(driver, settings, context);
          await driver.restore(
            destination,
            restoreArtifacts(backup.artifacts),
            context,
          );
          expect(await rowsIn(copy)).toBe(5000);
          expect(context.logs.join('\n')).toMatch(
            new RegExp(
              `database "${copy}": restored as one stream: a parallel restore \\(restoreJobs 2\\) stages the .* dump in ${disk.path}, which has 16\\.0 MiB free`,
            ),
          );
          expect(context.logs).toContain(
            `restored database "${copy}" from the dump of "${source}"`,
          );
        } finally {
          disk.unmount();
        }
      });

      it('falls back to one stream when another writer fills the staging disk during staging', async () => {
        // Room for the check (raw dump + 256 MiB), then a filler takes it as the dump is read.
        const disk = mountSmallDisk(260 * MiB);
        try {
          // Its log still goes to context.logs.
          context = { ...testEngineContext(), stagingDir: disk.path };
          const backup = await backupToMemory(driver, settings, context);
          const [dump] = restoreArtifacts(backup.artifacts);
          const filler = path.join(disk.path, 'other-writer');
          let opened = 0;
          const crowded: RestoreArtifact = {
            ...dump,
            open: async () => {
              if (opened++ === 0) {
                const free = fs.statfsSync(disk.path);
                fs.writeFileSync(
                  filler,
                  Buffer.alloc(free.bavail * free.bsize),
                );
              }
              return Readable.from([backup.artifacts[0].data]);
            },
          };
          await driver.restore(destination, [crowded], context);
          expect(opened).toBe(2);
          expect(await rowsIn(copy)).toBe(5000);
          expect(context.logs.join('\n')).toContain(
            'filled up while the dump was staged for a parallel restore; restoring it as one stream instead',
          );
          // The partial copy is gone; only the other writer's file is left.
          expect(fs.readdirSync(disk.path)).toEqual(['other-writer']);
        } finally {
          disk.unmount();
        }
      });
    });
  },
);
