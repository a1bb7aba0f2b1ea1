import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import authPlugin from '@backstage/plugin-auth-backend';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import request from 'supertest';
import { demoApproverAuthModule } from './demoApproverAuthProvider';

const approver = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'User',
  metadata: { name: 'approver', namespace: 'default' },
  spec: { memberOf: ['restore-approvers'] },
  relations: [
    { type: 'memberOf', targetRef: 'group:default/restore-approvers' },
  ],
};

async function startAuth() {
  const { server } = await startTestBackend({
    features: [
      authPlugin,
      demoApproverAuthModule,
      mockServices.rootConfig.factory({
        data: {
          app: { baseUrl: 'http://localhost:3000' },
          auth: {
            providers: {
              'demo-approver': { userEntityRef: 'user:default/approver' },
            },
          },
        },
      }),
      catalogServiceMock.factory({ entities: [approver] }),
    ],
  });
  return server;
}

const refresh = (server: Awaited<ReturnType<typeof startAuth>>) =>
  request(server)
    .get('/api/auth/demo-approver/refresh')
    .set('X-Requested-With', 'XMLHttpRequest');

describe('the demo-approver sign-in', () => {
  const nodeEnv = process.env.NODE_ENV;
  afterEach(() => {
    process.env.NODE_ENV = nodeEnv;
  });

  it('refuses to sign anyone in outside development', async () => {
    process.env.NODE_ENV = 'production';
    const response = await refresh(await startAuth());
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(JSON.stringify(response.body)).toContain(
      'only works in development',
    );
    expect(response.body.backstageIdentity).toBeUndefined();
  });

  it('signs in as the catalog user in development, with the groups that let it approve', async () => {
    process.env.NODE_ENV = 'development';
    const response = await refresh(await startAuth()).expect(200);
    expect(response.body.backstageIdentity.identity).toMatchObject({
      userEntityRef: 'user:default/approver',
      ownershipEntityRefs: expect.arrayContaining([
        'group:default/restore-approvers',
      ]),
    });
  });
});
