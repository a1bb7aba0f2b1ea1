import type {
  AuditorService,
  BackstageCredentials,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { NotAllowedError } from '@backstage/errors';
import {
  AuthorizeResult,
  ResourcePermission,
} from '@backstage/plugin-permission-common';
import {
  backupsReadPermission,
  backupsRunCreatePermission,
} from '@safekeep/plugin-backups-common';
import express, { Request } from 'express';
import Router from 'express-promise-router';
import type { TeamOverviewService } from '../overview/TeamOverviewService';
import type { SizesService } from '../sizes/SizesService';
import type { TargetsService } from '../targets/TargetsService';
import type { EntityBackupsService } from './EntityBackupsService';
import {
  entityParamsSchema,
  overviewQuerySchema,
  runsQuerySchema,
  sizesQuerySchema,
  startRunBodySchema,
} from './entityRouteSchemas';
import { parseInput as parse } from '../http/parseInput';

export interface RouterOptions {
  service: EntityBackupsService;
  overview: TeamOverviewService;
  sizes: SizesService;
  targets: TargetsService;
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  auditor: AuditorService;
}

/** REST API of the plugin, mounted at /api/backups. */
export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const { service, overview, sizes, targets, httpAuth, permissions, auditor } =
    options;
  const router = Router();
  router.use(express.json());

  const entityRefOf = (req: Request) =>
    stringifyEntityRef(
      parse(entityParamsSchema, req.params, 'entity reference'),
    );

  /** Throws 403 unless the caller holds `permission` on the entity; returns the caller's credentials. */
  async function authorize(
    req: Request,
    permission: ResourcePermission,
    entityRef: string,
    action: string,
  ): Promise<BackstageCredentials> {
    const credentials = await httpAuth.credentials(req);
    const [decision] = await permissions.authorize(
      [{ permission, resourceRef: entityRef }],
      { credentials },
    );
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(
        `You may not ${action} of ${entityRef} (permission ${permission.name})`,
      );
    }
    return credentials;
  }

  router.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });

  router.get('/entities/:kind/:namespace/:name/summary', async (req, res) => {
    const entityRef = entityRefOf(req);
    const credentials = await authorize(
      req,
      backupsReadPermission,
      entityRef,
      'read the backups',
    );
    res.json(await service.getSummary(entityRef, credentials));
  });

  router.get('/entities/:kind/:namespace/:name/runs', async (req, res) => {
    const entityRef = entityRefOf(req);
    const page = parse(runsQuerySchema, req.query, 'query');
    const credentials = await authorize(
      req,
      backupsReadPermission,
      entityRef,
      'read the backups',
    );
    res.json(await service.listRuns(entityRef, credentials, page));
  });

  router.get('/entities/:kind/:namespace/:name/sizes', async (req, res) => {
    const entityRef = entityRefOf(req);
    const { days } = parse(sizesQuerySchema, req.query, 'query');
    const credentials = await authorize(
      req,
      backupsReadPermission,
      entityRef,
      'read the backups',
    );
    res.json(await sizes.getSizes(entityRef, days, credentials));
  });

  // Lists: backups.read is decided per entity; entities the caller may not read are left out.
  router.get('/overview', async (req, res) => {
    const { owner } = parse(overviewQuerySchema, req.query, 'query');
    const ownerRef = stringifyEntityRef(
      parseEntityRef(owner, {
        defaultKind: 'group',
        defaultNamespace: 'default',
      }),
    );
    res.json(
      await overview.getOverview(ownerRef, await httpAuth.credentials(req)),
    );
  });

  router.get('/targets', async (req, res) => {
    res.json(await targets.list(await httpAuth.credentials(req)));
  });

  router.post('/entities/:kind/:namespace/:name/runs', async (req, res) => {
    const entityRef = entityRefOf(req);
    const audit = await auditor.createEvent({
      eventId: 'backup-run-create',
      severityLevel: 'medium',
      request: req,
      meta: { entityRef },
    });
    try {
      parse(startRunBodySchema, req.body, 'request body');
      const credentials = await authorize(
        req,
        backupsRunCreatePermission,
        entityRef,
        'start a backup',
      );
      const principal = credentials.principal as {
        type: string;
        userEntityRef?: string;
        subject?: string;
      };
      const triggeredBy = principal.userEntityRef ?? principal.subject ?? null;
      const started = await service.startRun(
        entityRef,
        credentials,
        triggeredBy,
      );
      await audit.success({ meta: { runId: started.runId } });
      res.status(202).json(started);
    } catch (error) {
      await audit.fail({ error: error as Error });
      throw error;
    }
  });

  return router;
}
