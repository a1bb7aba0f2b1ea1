import type {
  AuditorService,
  BackstageCredentials,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import {
  NotAllowedError,
  NotFoundError,
  ServiceUnavailableError,
} from '@backstage/errors';
import {
  backupsRestoreApprovePermission,
  backupsRestoreRequestPermission,
} from '@safekeep/plugin-backups-common';
import express, { Request } from 'express';
import Router from 'express-promise-router';
import { AgentError } from '../agent/AgentError';
import { entityRefOf } from '../http/entityRefParams';
import {
  authorizeRead,
  entityAuthorizer,
} from '../permissions/authorizeEntity';
import { readableEntities } from '../permissions/readableEntities';
import type { RestoreRequestService } from './RestoreRequestService';
import { destinationEntityRef } from './destinationEntityRef';
import { toRestoreRequest } from './toRestoreRequest';
import {
  createRestoreBodySchema,
  decisionBodySchema,
  listRestoresQuerySchema,
  restoreIdSchema,
} from './restoreRouteSchemas';
import { parseInput as parse } from '../http/parseInput';

export interface RestoresRouterOptions {
  service: RestoreRequestService;
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  auditor: AuditorService;
}

/** Agent trouble while previewing or listing is the agent's, not a bug here: 503 with its message. */
async function agentCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof AgentError)
      throw new ServiceUnavailableError(error.message);
    throw error;
  }
}

/** The person behind a request: restores are asked for and decided by people, never services. */
function userOf(credentials: BackstageCredentials): string {
  const principal = credentials.principal as {
    type: string;
    userEntityRef?: string;
  };
  if (principal.type !== 'user' || !principal.userEntityRef) {
    throw new NotAllowedError(
      'Restores are asked for and decided by people: call this with a user token',
    );
  }
  return principal.userEntityRef;
}

/** Restore routes of /api/backups: requests, decisions, history, and the snapshots to pick from. */
export async function createRestoresRouter(
  options: RestoresRouterOptions,
): Promise<express.Router> {
  const { service, httpAuth, permissions, auditor } = options;
  const router = Router();
  router.use(express.json());

  const authorize = entityAuthorizer({ httpAuth, permissions });

  async function audited<T>(
    req: Request,
    eventId: string,
    meta: Record<string, string>,
    fn: () => Promise<T & { id?: string }>,
  ) {
    const event = await auditor.createEvent({
      eventId,
      severityLevel: 'high',
      request: req,
      meta,
    });
    try {
      const result = await fn();
      await event.success({ meta: { requestId: result.id ?? null } });
      return result;
    } catch (error) {
      await event.fail({ error: error as Error });
      throw error;
    }
  }

  router.get('/entities/:kind/:namespace/:name/snapshots', async (req, res) => {
    const entityRef = entityRefOf(req);
    const credentials = await authorizeRead(authorize, req, entityRef);
    res.json({
      snapshots: await agentCall(() =>
        service.listSnapshots(entityRef, credentials),
      ),
    });
  });

  router.post('/entities/:kind/:namespace/:name/restores', async (req, res) => {
    const entityRef = entityRefOf(req);
    const created = await audited(
      req,
      'restore-request-create',
      { entityRef },
      async () => {
        const body = parse(createRestoreBodySchema, req.body, 'request body');
        const credentials = await authorize(
          req,
          backupsRestoreRequestPermission,
          entityRef,
          'request a restore',
        );
        // Writing into another entity's target needs the same permission on that entity.
        if (body.destination?.kind === 'entity') {
          await authorize(
            req,
            backupsRestoreRequestPermission,
            destinationEntityRef(body.destination.entityRef!),
            'restore into it',
          );
        }
        return agentCall(() =>
          service.create(entityRef, credentials, userOf(credentials), body),
        );
      },
    );
    res.status(201).json(created);
  });

  router.get('/entities/:kind/:namespace/:name/restores', async (req, res) => {
    const entityRef = entityRefOf(req);
    const query = parse(
      listRestoresQuerySchema.omit({ entityRef: true }),
      req.query,
      'query',
    );
    const credentials = await authorizeRead(authorize, req, entityRef);
    // 404 for an entity the catalog lacks, as the sibling routes answer.
    await service.requireEntity(entityRef, credentials);
    const items = await service.list({
      ...query,
      limit: query.limit ?? 50,
      entityRef,
    });
    res.json({ items: items.map(toRestoreRequest) });
  });

  router.get('/restores', async (req, res) => {
    const query = parse(listRestoresQuerySchema, req.query, 'query');
    const items = await service.list(query);
    const allowed = await readableEntities(
      permissions,
      await httpAuth.credentials(req),
      items.map(r => r.entityRef),
    );
    res.json({
      items: items.filter(r => allowed.has(r.entityRef)).map(toRestoreRequest),
    });
  });

  router.get('/restores/:id', async (req, res) => {
    const { id } = parse(restoreIdSchema, req.params, 'restore request id');
    const request = await service.get(id);
    if (!request) throw new NotFoundError(`No restore request ${id}`);
    await authorizeRead(authorize, req, request.entityRef);
    res.json(toRestoreRequest(request));
  });

  for (const action of ['approve', 'reject'] as const) {
    router.post(`/restores/:id/${action}`, async (req, res) => {
      const { id } = parse(restoreIdSchema, req.params, 'restore request id');
      const decided = await audited(
        req,
        `restore-request-${action}`,
        { requestId: id },
        async () => {
          const { comment } = parse(
            decisionBodySchema(action === 'reject'),
            req.body ?? {},
            'request body',
          );
          const request = await service.get(id);
          if (!request) throw new NotFoundError(`No restore request ${id}`);
          const credentials = await authorize(
            req,
            backupsRestoreApprovePermission,
            request.entityRef,
            `${action} restores`,
          );
          // A restore into another entity writes that entity's data: deciding needs its approval right too.
          const { destination } = request;
          if (destination.kind === 'entity' && destination.entityRef) {
            await authorize(
              req,
              backupsRestoreApprovePermission,
              destination.entityRef,
              `${action} restores into it`,
            );
          }
          return service.decide(
            id,
            userOf(credentials),
            action === 'approve',
            comment,
          );
        },
      );
      res.json(decided);
    });
  }

  // The requester takes a pending request back; reading the entity's backups is enough.
  router.post('/restores/:id/withdraw', async (req, res) => {
    const { id } = parse(restoreIdSchema, req.params, 'restore request id');
    const withdrawn = await audited(
      req,
      'restore-request-withdraw',
      { requestId: id },
      async () => {
        const request = await service.get(id);
        if (!request) throw new NotFoundError(`No restore request ${id}`);
        const credentials = await authorizeRead(
          authorize,
          req,
          request.entityRef,
        );
        return service.withdraw(id, userOf(credentials));
      },
    );
    res.json(withdrawn);
  });

  return router;
}
