/* eslint-disable @backstage/no-undeclared-imports */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { TestDatabases } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import type { RestoreRequest } from '@safekeep/plugin-backups-common';
import { Client } from 'pg';
import { describeWithService } from '../testing/services';
import { DatabaseRestoresStore } from './DatabaseRestoresStore';
import {
  storedArtifactFile,
  storedNamePattern,
} from '../testing/storedArtifacts';
import {
  RESTORE_AGENT_TOKEN,
  RestoreTestAgent,
  startRestoreTestAgent,
} from '../testing/startRestoreTestAgent';
import {
  ANN,
  as,
  BOB,
  startRestoreTestBackend,
} from '../testing/startRestoreTestBackend';

jest.setTimeout(180_000);

/**
 * A PostgreSQL restore from request to check, against the machine's real server: a unique
 * database is backed up by the real agent (pg_dump), changed, and restored (pg_restore)
 * after a second person approved; the rows are compared with the snapshot's.
 */
describeWithService(
  'SAFEKEEP_TEST_POSTGRES_URL',
  'PostgreSQL restores through the real agent',
  rawUrl => {
    const databases = TestDatabases.create({
      ids: ['SQLITE_3'],
      disableDocker: true,
    });
    const suffix = randomBytes(4).toString('hex');
    const database = `safekeep_restore_${suffix}`;
    const scratch = `${database}_drill`;
    let server: { host: string; port: number; user: string; password?: string };
    let admin: Client;
    let agent: RestoreTestAgent;
    let env: Awaited<ReturnType<typeof startRestoreTestBackend>>;

    const query = async (db: string, sql: string) => {
      const client = new Client({ ...server, database: db });
      await client.connect();
      try {
        return (await client.query(sql)).rows;
      } finally {
        await client.end();
      }
    };
    const databaseExists = async (name: string) =>
      (
        await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [
          name,
        ])
      ).rowCount === 1;

    const entity = (
      name: string,
      target: string,
      annotations: Record<string, string> = {},
      system?: string,
    ): Entity => ({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Resource',
      metadata: {
        name,
        namespace: 'default',
        annotations: {
          'safekeep.io/agent': 'demo-host',
          'safekeep.io/target': target,
          ...annotations,
        },
      },
      spec: {
        type: 'database',
        owner: 'team-a',
        ...(system ? { system } : {}),
      },
    });

    beforeAll(async () => {
      const url = new URL(rawUrl);
      server = {
        host: url.hostname,
        port: Number(url.port || 5432),
        user: decodeURIComponent(url.username || 'postgres'),
        ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
      };
      if (server.password)
        process.env.SAFEKEEP_RESTORE_TEST_PGPASSWORD = server.password;
      admin = new Client({ ...server, database: 'postgres' });
      await admin.connect();
      await admin.query(`CREATE DATABASE ${database}`);
      await query(
        database,
        `CREATE TABLE notes (id int PRIMARY KEY, body text);
       INSERT INTO notes SELECT i, 'note ' || i FROM generate_series(1, 100) AS i`,
      );
      const pg = (databasesToBackUp: string[]) => ({
        engine: 'postgres',
        host: server.host,
        port: server.port,
        user: server.user,
        ...(server.password
          ? { password: { env: 'SAFEKEEP_RESTORE_TEST_PGPASSWORD' } }
          : {}),
        databases: databasesToBackUp,
      });
      agent = await startRestoreTestAgent({
        sqliteRows: {},
        emptySqlite: ['never-db'],
        targets: {
          'pg-db': { ...pg([database]), destinations: { [scratch]: scratch } },
        },
      });
      env = await startRestoreTestBackend({
        knex: await databases.init('SQLITE_3'),
        entities: [
          entity(
            'pg-db',
            'pg-db',
            {
              'safekeep.io/engine': 'postgres',
              'safekeep.io/restore-drill': 'weekly sunday 05:00 UTC',
              'safekeep.io/restore-drill-target': scratch,
            },
            'ledger',
          ),
          entity('never-db', 'never-db', {}, 'ledger'),
          {
            apiVersion: 'backstage.io/v1alpha1',
            kind: 'System',
            metadata: {
              name: 'ledger',
              namespace: 'default',
              annotations: { 'safekeep.io/consistency-group': 'ledger' },
            },
            spec: { owner: 'team-a' },
          },
        ],
        agentUrl: agent.server.url,
        agentToken: RESTORE_AGENT_TOKEN,
      });
    });

    afterAll(async () => {
      await env?.backend.stop();
      await agent?.close();
      if (admin) {
        for (const db of [database, scratch])
          await admin.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
        await admin.end();
      }
    });

    const restoreRequest = (body: Record<string, unknown>, user = ANN) =>
      env
        .api()
        .post('/api/backups/entities/resource/default/pg-db/restores')
        .set('Authorization', as(user))
        .send(body);

    let snapshotRows: unknown[];
    let goodSnapshot: string;

    it('is approved by someone else only, then restores the rows the snapshot holds', async () => {
      snapshotRows = await query(database, 'SELECT * FROM notes ORDER BY id');
      const run = await env.backUp('resource/default/pg-db');
      await query(
        database,
        `DELETE FROM notes WHERE id > 60; UPDATE notes SET body = 'changed' WHERE id = 1`,
      );

      const request: RestoreRequest = (
        await restoreRequest({
          reason: 'a bad deploy deleted 40 notes',
        }).expect(201)
      ).body;
      goodSnapshot = run.snapshotId!;
      expect(request).toMatchObject({
        status: 'pending',
        snapshotId: run.snapshotId,
      });
      expect(request.preview).toMatchObject({
        verified: true,
        refusals: [],
        overwrites: true,
      });
      expect(request.preview.artifacts.map(a => a.name)).toEqual([
        expect.stringMatching(storedNamePattern('globals.sql')),
        expect.stringMatching(storedNamePattern(`${database}.dump`)),
      ]);

      await env
        .api()
        .post(`/api/backups/restores/${request.id}/approve`)
        .set('Authorization', as(ANN))
        .send({ comment: 'self' })
        .expect(403);
      await env
        .api()
        .post(`/api/backups/restores/${request.id}/approve`)
        .set('Authorization', as(BOB))
        .send({ comment: 'ok' })
        .expect(200);

      const done = await env.runRestore(request.id);
      expect(done).toMatchObject({
        status: 'succeeded',
        decidedBy: BOB,
        error: null,
      });
      expect(done.check).toMatchObject({
        ok: true,
        differences: [],
        details: {
          observed: {
            databases: { [database]: { tables: { 'public.notes': 100 } } },
          },
        },
      });
      expect(await query(database, 'SELECT * FROM notes ORDER BY id')).toEqual(
        snapshotRows,
      );
    });

    it('drills into a scratch database, records the check, drops the scratch database and leaves the live database alone', async () => {
      const store = new DatabaseRestoresStore(env.knex);
      // What the live database holds now, whatever the test before left in it: the drill
      // must not change it (comparing with the snapshot's rows instead made this test fail
      // whenever the restore before it had not run).
      const liveBefore = await query(
        database,
        'SELECT * FROM notes ORDER BY id',
      );
      await env.dispatchDrills();
      const drill = await store.latestDrill('resource:default/pg-db');
      expect(drill).toMatchObject({
        status: 'approved',
        destination: { kind: 'other', path: scratch },
      });
      const done = await env.runRestore(drill!.id);
      expect(done.status).toBe('succeeded');
      expect(done.check).toMatchObject({
        ok: true,
        details: {
          observed: {
            databases: { [scratch]: { tables: { 'public.notes': 100 } } },
          },
        },
      });
      // Checked by the agent (100 rows above), then dropped through POST /v1/destinations/drop.
      expect(done.check!.details.scratch).toEqual({
        destination: scratch,
        removed: true,
        note: `dropped database "${scratch}" on PostgreSQL at ${server.host}:${server.port}`,
      });
      expect(await databaseExists(scratch)).toBe(false);
      expect(await query(database, 'SELECT * FROM notes ORDER BY id')).toEqual(
        liveBefore,
      );
      expect(await store.drillStatusCounts(['resource:default/pg-db'])).toEqual(
        { overdue: 0, failing: 0 },
      );
    });
    it('refuses at preview a snapshot whose dump was corrupted on disk', async () => {
      const run = await env.backUp('resource/default/pg-db');
      // The file the manifest records (in the chunked format, the chunk index) is corrupted.
      const dump = storedArtifactFile(
        fileURLToPath(run.location!),
        `${database}.dump`,
      );
      const bytes = fs.readFileSync(dump);
      bytes[bytes.length - 10] ^= 0x01;
      fs.writeFileSync(dump, bytes);
      const request: RestoreRequest = (
        await restoreRequest({
          snapshotId: run.snapshotId,
          reason: 'check the refusal',
        }).expect(201)
      ).body;
      expect(request.status).toBe('refused');
      expect(request.preview.refusals.join(' ')).toMatch(
        /failed verification.*sha256/,
      );
      await env
        .api()
        .post(`/api/backups/restores/${request.id}/approve`)
        .set('Authorization', as(BOB))
        .send({})
        .expect(409);
    });

    it('does not run an expired request', async () => {
      const request: RestoreRequest = (
        await restoreRequest({
          snapshotId: goodSnapshot,
          reason: 'too slow',
        }).expect(201)
      ).body;
      expect(request.status).toBe('pending');
      await env
        .api()
        .post(`/api/backups/restores/${request.id}/approve`)
        .set('Authorization', as(BOB))
        .send({})
        .expect(200);
      await env
        .knex('restore_requests')
        .where({ id: request.id })
        .update({ expires_at: new Date(Date.now() - 1000) });
      await query(database, 'DELETE FROM notes WHERE id = 100');
      // Relative to now, so a failure of the tests before does not fail this one too.
      const left = await query(
        database,
        'SELECT count(*)::int AS n FROM notes',
      );
      await env.tickRestores();
      expect(await env.getRestore(request.id)).toMatchObject({
        status: 'expired',
      });
      expect(
        await query(database, 'SELECT count(*)::int AS n FROM notes'),
      ).toEqual(left);
    });

    it('refuses the group restore while one member has no backup', async () => {
      const response = await env
        .api()
        .post('/api/backups/entities/system/default/ledger/restores')
        .set('Authorization', as(ANN))
        .send({ reason: 'roll back' })
        .expect(201);
      expect(response.body.status).toBe('refused');
      expect(response.body.preview.refusals).toContain(
        'all service backups are required: resource:default/never-db has no snapshot at all',
      );
    });
  },
);
