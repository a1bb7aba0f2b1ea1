import { TestDatabases } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { startBackupsTestBackend } from '../testing/testBackend';

const databases = TestDatabases.create({
  ids: ['SQLITE_3'],
  disableDocker: true,
});

const owned = (
  kind: string,
  name: string,
  annotations: Record<string, string>,
): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind,
  metadata: { name, namespace: 'default', annotations },
  spec: { type: 'database', owner: 'group:default/team-a' },
  relations: [{ type: 'ownedBy', targetRef: 'group:default/team-a' }],
});

const ENTITIES = [
  owned('Resource', 'app-db', {
    'safekeep.io/agent': 'demo-host',
    'safekeep.io/target': 'app-db',
  }),
  owned('Resource', 'bucket', {}),
];

describe('every route refuses without permission', () => {
  it.each([
    ['GET', '/entities/resource/default/app-db/summary', 'backups.read'],
    ['GET', '/entities/resource/default/app-db/runs', 'backups.read'],
    ['POST', '/entities/resource/default/app-db/runs', 'backups.run.create'],
    ['GET', '/entities/resource/default/app-db/sizes', 'backups.read'],
    ['GET', '/entities/resource/default/app-db/snapshots', 'backups.read'],
    ['GET', '/entities/resource/default/app-db/restores', 'backups.read'],
    [
      'POST',
      '/entities/resource/default/app-db/restores',
      'backups.restore.request',
    ],
  ])('%s %s answers 403 naming %s', async (method, path, permission) => {
    const { api, backend, knex } = await startBackupsTestBackend({
      entities: ENTITIES,
      agents: {
        'demo-host': {
          url: 'http://127.0.0.1:9',
          token: 'unused-token-0123456789',
        },
      },
      databases,
      deny: true,
    });
    const url = `/api/backups${path}`;
    const response =
      method === 'GET'
        ? await api().get(url)
        : await api()
            .post(url)
            .send(path.endsWith('/restores') ? { reason: 'test' } : {});
    expect([response.status, response.body.error?.message]).toEqual([
      403,
      expect.stringContaining(permission),
    ]);
    expect(await knex('backup_runs').count({ n: '*' }).first()).toEqual({
      n: 0,
    });
    await backend.stop();
  });

  it('leaves everything the caller may not read out of the lists', async () => {
    const { api, backend } = await startBackupsTestBackend({
      entities: ENTITIES,
      agents: {
        'demo-host': {
          url: 'http://127.0.0.1:9',
          token: 'unused-token-0123456789',
        },
      },
      databases,
      deny: true,
    });
    const overview = (
      await api()
        .get('/api/backups/overview?owner=group:default/team-a')
        .expect(200)
    ).body;
    expect(overview).toMatchObject({
      entities: [],
      unprotected: [],
      counts: { protected: 0, unprotected: 0 },
    });
    expect((await api().get('/api/backups/targets').expect(200)).body).toEqual(
      [],
    );
    expect((await api().get('/api/backups/restores').expect(200)).body).toEqual(
      { items: [] },
    );
    await backend.stop();
  });
});
