import { TestDatabases } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import {
  RESTORE_AGENT_TOKEN,
  RestoreTestAgent,
  startRestoreTestAgent,
} from '../testing/startRestoreTestAgent';
import {
  ANN,
  as,
  startRestoreTestBackend,
} from '../testing/startRestoreTestBackend';

jest.setTimeout(120_000);

/**
 * Bad input to the restore routes answers like the sibling routes do: 400 naming the field for
 * a malformed snapshot id (not 503 "agent unavailable"), 404 for an entity the catalog lacks.
 */

const APP_DB: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Resource',
  metadata: {
    name: 'app-db',
    namespace: 'default',
    annotations: {
      'safekeep.io/agent': 'demo-host',
      'safekeep.io/target': 'app-db',
      'safekeep.io/engine': 'sqlite',
    },
  },
  spec: { type: 'database', owner: 'team-a' },
};

const databases = TestDatabases.create({
  ids: ['SQLITE_3'],
  disableDocker: true,
});

let agent: RestoreTestAgent;
let env: Awaited<ReturnType<typeof startRestoreTestBackend>>;

beforeAll(async () => {
  agent = await startRestoreTestAgent({
    sqliteRows: { 'app-db': 5 },
    // A careless declaration: the target's own live file.
    destinations: { 'app-db': { own: './data/app-db.db' } },
  });
  env = await startRestoreTestBackend({
    knex: await databases.init('SQLITE_3'),
    entities: [APP_DB],
    agentUrl: agent.server.url,
    agentToken: RESTORE_AGENT_TOKEN,
  });
});

afterAll(async () => {
  await env?.backend.stop();
  await agent?.close();
});

describe('restore routes refuse bad input like their siblings', () => {
  it.each(['latest', '2026-01-18', '20260118T040000', '../20260118T040000Z'])(
    'answers 400 naming snapshotId for the malformed id %j, without asking the agent',
    async snapshotId => {
      const res = await env
        .api()
        .post('/api/backups/entities/resource/default/app-db/restores')
        .set('Authorization', as(ANN))
        .send({ snapshotId, reason: 'a test' });
      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(
        /snapshotId: must be a snapshot id such as 20260118T040000Z/,
      );
      expect(await env.knex('restore_requests').count({ n: '*' })).toEqual([
        { n: 0 },
      ]);
    },
  );

  it('accepts a well-formed id the agent does not have as a refused request, not a 400', async () => {
    const res = await env
      .api()
      .post('/api/backups/entities/resource/default/app-db/restores')
      .set('Authorization', as(ANN))
      .send({ snapshotId: '20260118T040000Z-2', reason: 'a test' });
    expect(res.status).not.toBe(400);
    expect(res.status).not.toBe(503);
  });

  it('answers 404 for the restores of an entity the catalog lacks, as for its snapshots', async () => {
    for (const route of ['restores', 'snapshots']) {
      const res = await env
        .api()
        .get(`/api/backups/entities/resource/default/no-such-db/${route}`)
        .set('Authorization', as(ANN));
      expect({ route, status: res.status }).toEqual({ route, status: 404 });
      expect(res.body.error.message).toMatch(
        /No entity resource:default\/no-such-db in the catalog/,
      );
    }
  });

  it('refuses at preview a destination that is the target’s own live data, so it can never be approved', async () => {
    await env.backUp('resource/default/app-db');
    const res = await env
      .api()
      .post('/api/backups/entities/resource/default/app-db/restores')
      .set('Authorization', as(ANN))
      .send({
        destination: { kind: 'other', path: 'own' },
        reason: 'a copy, by mistake onto itself',
      })
      .expect(201);
    expect(res.body.status).toBe('refused');
    expect(res.body.preview.refusals.join('\n')).toMatch(
      /is, lies in or holds the target's own live data/,
    );
  });

  it('still lists the restores of a known entity', async () => {
    const res = await env
      .api()
      .get('/api/backups/entities/resource/default/app-db/restores')
      .set('Authorization', as(ANN))
      .expect(200);
    expect(Array.isArray(res.body.items)).toBe(true);
  });
});
