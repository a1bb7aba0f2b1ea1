import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type {
  AuditorService,
  AuthService,
  BackstageCredentials,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import express from 'express';
import type { Knex } from 'knex';
import { RunAggregates } from '../../plugins/backups-backend/src/aggregates/RunAggregates';
import { DatabaseBackupsStore } from '../../plugins/backups-backend/src/runs/DatabaseBackupsStore';
import { GroupRunsStore } from '../../plugins/backups-backend/src/groups/GroupRunsStore';
import { ConsistencyGroups } from '../../plugins/backups-backend/src/groups/ConsistencyGroups';
import { TeamOverviewService } from '../../plugins/backups-backend/src/overview/TeamOverviewService';
import { CatalogPolicyReader } from '../../plugins/backups-backend/src/policies/CatalogPolicyReader';
import { EntityBackupsService } from '../../plugins/backups-backend/src/entities/EntityBackupsService';
import { createRouter } from '../../plugins/backups-backend/src/router';
import { SizesService } from '../../plugins/backups-backend/src/sizes/SizesService';
import { TargetsService } from '../../plugins/backups-backend/src/targets/TargetsService';
import type { BenchCatalog } from './benchCatalog';

const credentials = {
  $$type: '@backstage/BackstageCredentials',
  principal: { type: 'user', userEntityRef: 'user:default/bench' },
} as BackstageCredentials;

/**
 * The plugin's own router and services on a real database, served over HTTP. Backstage's auth,
 * permission and auditor services are stand-ins that answer at once (a signed-in user allowed
 * everything), so the numbers are the plugin's: parsing, permission batching, SQL, summaries, JSON.
 */
export async function startPluginApi(
  knex: Knex,
  catalog: BenchCatalog,
): Promise<{ url: string; close(): Promise<void> }> {
  const httpAuth = {
    credentials: async () => credentials,
  } as unknown as HttpAuthService;
  const auth = {
    getOwnServiceCredentials: async () => credentials,
  } as unknown as AuthService;
  const permissions = {
    authorize: async (requests: unknown[]) =>
      requests.map(() => ({ result: AuthorizeResult.ALLOW })),
    authorizeConditional: async (requests: unknown[]) =>
      requests.map(() => ({ result: AuthorizeResult.ALLOW })),
  } as unknown as PermissionsService;
  const auditor = {
    createEvent: async () => ({
      success: async () => undefined,
      fail: async () => undefined,
    }),
  } as unknown as AuditorService;

  const dispatchIntervalMs = 30_000;
  const agentNames = Array.from({ length: 20 }, (_, i) => `agent-${i}`);
  const policies = new CatalogPolicyReader(
    catalog as unknown as CatalogService,
    auth,
    { agentNames, defaultTimeZone: 'UTC' },
  );
  const store = new DatabaseBackupsStore(knex);
  const aggregates = new RunAggregates(knex);
  const groups = new ConsistencyGroups({
    policies,
    aggregates,
    groupRuns: new GroupRunsStore(knex),
    permissions,
    dispatchIntervalMs,
  });
  const router = await createRouter({
    service: new EntityBackupsService({
      store,
      policies,
      groups,
      dispatchIntervalMs,
    }),
    overview: new TeamOverviewService({
      policies,
      aggregates,
      permissions,
      dispatchIntervalMs,
    }),
    sizes: new SizesService({ policies, aggregates }),
    targets: new TargetsService({
      policies,
      aggregates,
      permissions,
      dispatchIntervalMs,
    }),
    httpAuth,
    permissions,
    auditor,
  });
  const app = express();
  app.use('/api/backups', router);
  const server = http.createServer(app);
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${
      (server.address() as AddressInfo).port
    }/api/backups`,
    close: () =>
      new Promise(resolve => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
