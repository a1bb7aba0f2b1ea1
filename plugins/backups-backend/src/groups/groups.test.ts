import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import type {
  EntityBackupSummary,
  RunsPage,
  StartRunResponse,
} from '@safekeep/plugin-backups-common';
import { AGENT_TOKEN, RealAgent, startRealAgent } from '../testing/realAgent';
import { startBackupsTestBackend } from '../testing/testBackend';

jest.setTimeout(120_000);

const databases = TestDatabases.create({
  ids: ['SQLITE_3'],
  disableDocker: true,
});
let agent: RealAgent;

beforeAll(async () => {
  agent = await startRealAgent({ extraTargets: ['files-db'] });
});

afterAll(async () => {
  await agent?.close();
});

const SHOP: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'System',
  metadata: {
    name: 'shop',
    namespace: 'default',
    annotations: { 'safekeep.io/consistency-group': 'shop' },
  },
  spec: { owner: 'group:default/team-a' },
};

/** A Resource of the shop System, with the partOf relation the catalog derives from spec.system. */
function member(name: string, annotations: Record<string, string>): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: { name, namespace: 'default', annotations },
    spec: { type: 'database', owner: 'group:default/team-a', system: 'shop' },
    relations: [{ type: 'partOf', targetRef: 'system:default/shop' }],
  };
}

const policy = (target: string) => ({
  'safekeep.io/agent': 'demo-host',
  'safekeep.io/target': target,
});
const SHOP_DB = member('shop-db', policy('app-db'));
const SHOP_FILES = member('shop-files', policy('files-db'));
const OUTSIDER: Entity = {
  ...member('outsider', policy('app-db')),
  relations: [],
};

async function start(
  entities: Entity[],
  features = [] as Parameters<typeof startBackupsTestBackend>[0]['features'],
) {
  return startBackupsTestBackend({
    entities,
    agents: { 'demo-host': { url: agent.server.url, token: AGENT_TOKEN } },
    databases,
    features,
  });
}

describe('consistency groups', () => {
  it("summarizes a System's group, backs the members up together, and refuses overlapping runs", async () => {
    const { api, backend, runUntilFinished } = await start([
      SHOP,
      SHOP_DB,
      SHOP_FILES,
      OUTSIDER,
    ]);
    const before: EntityBackupSummary = (
      await api()
        .get('/api/backups/entities/system/default/shop/summary')
        .expect(200)
    ).body;
    expect(before.health).toBe('never');
    expect(before.healthReason).toContain(
      '2 of 2 members of consistency group "shop"',
    );
    expect(before.group).toEqual({
      name: 'shop',
      members: [
        expect.objectContaining({
          entityRef: 'resource:default/shop-db',
          health: 'never',
        }),
        expect.objectContaining({
          entityRef: 'resource:default/shop-files',
          health: 'never',
        }),
      ],
    });

    const started: StartRunResponse = (
      await api()
        .post('/api/backups/entities/system/default/shop/runs')
        .expect(202)
    ).body;
    expect(started.memberRuns!.map(r => r.entityRef)).toEqual([
      'resource:default/shop-db',
      'resource:default/shop-files',
    ]);

    // While the group's runs are queued, neither the group nor a member can start another.
    const again = await api()
      .post('/api/backups/entities/system/default/shop/runs')
      .expect(409);
    expect(again.body.error.message).toContain('resource:default/shop-db');
    await api()
      .post('/api/backups/entities/resource/default/shop-files/runs')
      .expect(409);

    for (const run of started.memberRuns!) {
      const path = run.entityRef.replace(
        /^resource:default\//,
        'resource/default/',
      );
      const finished = await runUntilFinished(path, run.runId);
      expect(finished).toMatchObject({
        status: 'succeeded',
        groupRunId: started.runId,
        trigger: 'user',
      });
    }

    const groupRuns: RunsPage = (
      await api()
        .get('/api/backups/entities/system/default/shop/runs')
        .expect(200)
    ).body;
    expect(groupRuns.total).toBe(2);
    expect(
      groupRuns.items.every(
        r => r.groupRunId === started.runId && r.status === 'succeeded',
      ),
    ).toBe(true);

    const after: EntityBackupSummary = (
      await api()
        .get('/api/backups/entities/system/default/shop/summary')
        .expect(200)
    ).body;
    expect(after.health).toBe('ok');
    expect(after.healthReason).toBe(
      'All 2 members of consistency group "shop" are backed up.',
    );
    // The outsider (not part of the System) was never touched.
    const outsider: RunsPage = (
      await api()
        .get('/api/backups/entities/resource/default/outsider/runs')
        .expect(200)
    ).body;
    expect(outsider.total).toBe(0);
    await backend.stop();
  });

  it('refuses to back up a group with a member that has no valid policy, and says which', async () => {
    const bare = member('shop-cache', {});
    const { api, backend } = await start([SHOP, SHOP_DB, bare]);
    const summary: EntityBackupSummary = (
      await api()
        .get('/api/backups/entities/system/default/shop/summary')
        .expect(200)
    ).body;
    // Worst first, in the order the team overview uses: never comes before invalid/unconfigured.
    expect(summary.health).toBe('never');
    expect(summary.healthReason).toContain('2 of 2 members');
    expect(summary.group!.members.map(m => [m.entityRef, m.health])).toEqual([
      ['resource:default/shop-db', 'never'],
      ['resource:default/shop-cache', 'unconfigured'],
    ]);
    const refused = await api()
      .post('/api/backups/entities/system/default/shop/runs')
      .expect(400);
    expect(refused.body.error.message).toContain(
      'resource:default/shop-cache has no backup policy',
    );
    const runs: RunsPage = (
      await api()
        .get('/api/backups/entities/resource/default/shop-db/runs')
        .expect(200)
    ).body;
    expect(runs.total).toBe(0);
    await backend.stop();
  });

  it('says a group without members is invalid', async () => {
    const { api, backend } = await start([SHOP]);
    const summary: EntityBackupSummary = (
      await api()
        .get('/api/backups/entities/system/default/shop/summary')
        .expect(200)
    ).body;
    expect(summary.health).toBe('invalid');
    expect(summary.problems).toEqual([
      expect.objectContaining({
        annotation: 'safekeep.io/consistency-group',
        message: expect.stringContaining('spec.system: shop'),
      }),
    ]);
    await api()
      .post('/api/backups/entities/system/default/shop/runs')
      .expect(400);
    await backend.stop();
  });

  it('refuses (403) when the caller may back up the System but not every member', async () => {
    const permissions = mockServices.permissions.mock({
      authorize: async requests =>
        requests.map(r => ({
          result:
            'resourceRef' in r &&
            r.resourceRef === 'resource:default/shop-files'
              ? AuthorizeResult.DENY
              : AuthorizeResult.ALLOW,
        })),
    });
    const { api, backend } = await start(
      [SHOP, SHOP_DB, SHOP_FILES],
      [permissions.factory],
    );
    const refused = await api()
      .post('/api/backups/entities/system/default/shop/runs')
      .expect(403);
    expect(refused.body.error.message).toContain('resource:default/shop-files');
    const runs: RunsPage = (
      await api()
        .get('/api/backups/entities/resource/default/shop-db/runs')
        .expect(200)
    ).body;
    expect(runs.total).toBe(0);
    await backend.stop();
  });
});
