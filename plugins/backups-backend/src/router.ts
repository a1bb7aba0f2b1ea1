import type {
  AuditorService,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import express from 'express';
import { createEntitiesRouter } from './entities/entitiesRouter';
import type { BackupsDatabase } from './BackupsDatabase';
import type { BackupsConfig } from './config/readBackupsConfig';
import { EntityBackupsService } from './entities/EntityBackupsService';
import { ConsistencyGroups } from './groups/ConsistencyGroups';
import { createOverviewRouter } from './overview/overviewRouter';
import { TeamOverviewService } from './overview/TeamOverviewService';
import type { CatalogPolicyReader } from './policies/CatalogPolicyReader';
import { entityAuthorizer } from './permissions/authorizeEntity';
import { createSizesRouter } from './sizes/sizesRouter';
import { SizesService } from './sizes/SizesService';
import { createTargetsRouter } from './targets/targetsRouter';
import { TargetsService } from './targets/TargetsService';

/** The services behind the routes, on the plugin's database and the catalog's policies. */
export function createApiServices(deps: {
  config: BackupsConfig;
  db: BackupsDatabase;
  policies: CatalogPolicyReader;
  permissions: PermissionsService;
}): Pick<RouterOptions, 'service' | 'overview' | 'sizes' | 'targets'> {
  const { db, policies, permissions } = deps;
  const { aggregates } = db;
  const dispatchIntervalMs = deps.config.dispatchIntervalSeconds * 1000;
  const groups = new ConsistencyGroups({
    policies,
    aggregates,
    groupRuns: db.groupRuns,
    permissions,
    dispatchIntervalMs,
  });
  return {
    service: new EntityBackupsService({
      store: db.runs,
      policies,
      groups,
      dispatchIntervalMs,
      restoreFacts: db.restores,
      verifications: db.verifications,
    }),
    overview: new TeamOverviewService({
      policies,
      aggregates,
      permissions,
      dispatchIntervalMs,
      restoreFacts: db.restores,
      verifications: db.verifications,
    }),
    sizes: new SizesService({ policies, aggregates }),
    targets: new TargetsService({
      policies,
      aggregates,
      permissions,
      dispatchIntervalMs,
    }),
  };
}

export interface RouterOptions {
  service: EntityBackupsService;
  overview: TeamOverviewService;
  sizes: SizesService;
  targets: TargetsService;
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  auditor: AuditorService;
}

/** REST API of the plugin, mounted at /api/backups: each feature's router, and /health. */
export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const { httpAuth, auditor } = options;
  const authorize = entityAuthorizer(options);
  // A plain router: it only mounts the feature routers (promise routers each) and /health.
  const router = express.Router();
  router.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.use(
    createEntitiesRouter({ service: options.service, authorize, auditor }),
  );
  router.use(createSizesRouter({ sizes: options.sizes, authorize }));
  router.use(createOverviewRouter({ overview: options.overview, httpAuth }));
  router.use(createTargetsRouter({ targets: options.targets, httpAuth }));
  return router;
}
