import type { HttpAuthService } from '@backstage/backend-plugin-api';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import express from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import { parseInput as parse } from '../http/parseInput';
import type { TeamOverviewService } from './TeamOverviewService';

/** `?owner=` of the team overview: the owning group's entity ref, e.g. group:default/team-a. */
export const overviewQuerySchema = z
  .object({
    owner: z
      .string({
        required_error:
          'owner is required: the team, e.g. owner=group:default/team-a',
      })
      .min(1, 'owner is empty: give the team, e.g. owner=group:default/team-a')
      .regex(
        /^(?:[^:/\s]+:)?(?:[^:/\s]+\/)?[^:/\s]+$/,
        'owner must be an entity reference such as group:default/team-a',
      ),
  })
  .strict();

/** A team's health; backups.read is decided per entity, and what the caller may not read is left out. */
export function createOverviewRouter(options: {
  overview: TeamOverviewService;
  httpAuth: HttpAuthService;
}): express.Router {
  const { overview, httpAuth } = options;
  const router = Router();
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
  return router;
}
