import type {
  AuditorService,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import express from 'express';
import { createEntitiesRouter } from './entities/entitiesRouter';
import type { EntityBackupsService } from './entities/EntityBackupsService';
import { createOverviewRouter } from './overview/overviewRouter';
import type { TeamOverviewService } from './overview/TeamOverviewService';
import { entityAuthorizer } from './permissions/authorizeEntity';
import { createSizesRouter } from './sizes/sizesRouter';
import type { SizesService } from './sizes/SizesService';
import { createTargetsRouter } from './targets/targetsRouter';
import type { TargetsService } from './targets/TargetsService';

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
