import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { TestDatabases } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import type { RestoreRequest } from '@safekeep/plugin-backups-common';
import { describeWithService } from '../testing/services';
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

/** Built by packages/backup-agent/scripts/build-test-images.sh (nothing can be pulled here). */
const BUSYBOX_IMAGE = 'safekeep-test/busybox:1';

function resource(name: string, system = 'pair'): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: {
      name,
      namespace: 'default',
      annotations: {
        'safekeep.io/agent': 'demo-host',
        'safekeep.io/target': name,
        'safekeep.io/engine': 'sqlite',
      },
    },
    spec: { type: 'database', owner: 'team-a', system },
  };
}

/**
 * The preview of a group restore lists the containers the agent's own group stops (GET
 * /v1/groups), found on a real Docker Engine. Nothing is approved: no container is stopped.
 */
describeWithService(
  'SAFEKEEP_TEST_DOCKER',
  'group restore preview with the agent group containers (real Docker Engine)',
  () => {
    const container = `safekeep-test-preview-${randomBytes(3).toString('hex')}`;
    const databases = TestDatabases.create({
      ids: ['SQLITE_3'],
      disableDocker: true,
    });
    let agent: RestoreTestAgent;
    let env: Awaited<ReturnType<typeof startRestoreTestBackend>>;

    beforeAll(async () => {
      execFileSync('docker', [
        'create',
        '--name',
        container,
        '--network',
        'none',
        '--label',
        'safekeep.test=1',
        BUSYBOX_IMAGE,
        'sleep',
        '3600',
      ]);
      agent = await startRestoreTestAgent({
        sqliteRows: { 'a-db': 5, 'b-db': 7, 'c-db': 3, 'd-db': 4 },
        groups: {
          pair: { containers: [container], targets: ['a-db', 'b-db'] },
          // Its container does not exist: the agent's group restore would stop there.
          ghost: {
            containers: [`${container}-gone`],
            targets: ['c-db', 'd-db'],
          },
        },
      });
      env = await startRestoreTestBackend({
        knex: await databases.init('SQLITE_3'),
        entities: [
          resource('a-db'),
          resource('b-db'),
          {
            apiVersion: 'backstage.io/v1alpha1',
            kind: 'System',
            metadata: {
              name: 'pair',
              namespace: 'default',
              annotations: { 'safekeep.io/consistency-group': 'pair' },
            },
            spec: { owner: 'team-a' },
          },
          resource('c-db', 'ghost'),
          resource('d-db', 'ghost'),
          {
            apiVersion: 'backstage.io/v1alpha1',
            kind: 'System',
            metadata: {
              name: 'ghost',
              namespace: 'default',
              annotations: { 'safekeep.io/consistency-group': 'ghost' },
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
      execFileSync('docker', ['rm', '-f', container]);
    });

    it("lists the containers the agent's group stops", async () => {
      await env.backUp('resource/default/a-db');
      await env.backUp('resource/default/b-db');
      const created = await env
        .api()
        .post('/api/backups/entities/system/default/pair/restores')
        .set('Authorization', as(ANN))
        .send({ reason: 'roll back the pair' })
        .expect(201);
      const request: RestoreRequest = created.body;
      expect(request.status).toBe('pending');
      expect(request.preview.containersToStop).toEqual([container]);
    });

    it('refuses at preview a group whose containers the agent cannot find (its own group dry run says so)', async () => {
      await env.backUp('resource/default/c-db');
      await env.backUp('resource/default/d-db');
      const created = await env
        .api()
        .post('/api/backups/entities/system/default/ghost/restores')
        .set('Authorization', as(ANN))
        .send({ reason: 'roll back' })
        .expect(201);
      const request: RestoreRequest = created.body;
      expect(request.status).toBe('refused');
      expect(request.preview.refusals).toEqual([
        expect.stringMatching(
          /^the agent's group dry run refuses it: cannot find the containers of group "ghost", which the restore stops: /,
        ),
      ]);
    });
  },
);
