import type { AuditorService } from '@backstage/backend-plugin-api';
import { backupsRunCreatePermission } from '@safekeep/plugin-backups-common';
import express from 'express';
import Router from 'express-promise-router';
import { entityRefOf } from '../http/entityRefParams';
import { parseInput as parse } from '../http/parseInput';
import {
  authorizeRead,
  type AuthorizeEntity,
} from '../permissions/authorizeEntity';
import type { EntityBackupsService } from './EntityBackupsService';
import { runsQuerySchema, startRunBodySchema } from './entityRouteSchemas';

/** An entity's backups: its summary, its runs, and "back up now". */
export function createEntitiesRouter(options: {
  service: EntityBackupsService;
  authorize: AuthorizeEntity;
  auditor: AuditorService;
}): express.Router {
  const { service, authorize, auditor } = options;
  const router = Router();
  router.use(express.json());

  router.get('/entities/:kind/:namespace/:name/summary', async (req, res) => {
    const entityRef = entityRefOf(req);
    const credentials = await authorizeRead(authorize, req, entityRef);
    res.json(await service.getSummary(entityRef, credentials));
  });

  router.get('/entities/:kind/:namespace/:name/runs', async (req, res) => {
    const entityRef = entityRefOf(req);
    const page = parse(runsQuerySchema, req.query, 'query');
    const credentials = await authorizeRead(authorize, req, entityRef);
    res.json(await service.listRuns(entityRef, credentials, page));
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
