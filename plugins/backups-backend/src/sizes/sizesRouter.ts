import express from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import { entityRefOf } from '../http/entityRefParams';
import { parseInput as parse } from '../http/parseInput';
import {
  authorizeRead,
  type AuthorizeEntity,
} from '../permissions/authorizeEntity';
import type { SizesService } from './SizesService';

/** `?days=` of the size series: one of the windows the chart offers. */
export const sizesQuerySchema = z
  .object({
    days: z
      .enum(['30', '90', '365'], {
        errorMap: () => ({ message: 'days must be 30, 90 or 365' }),
      })
      .optional()
      .transform(value => Number(value ?? '30')),
  })
  .strict();

/** An entity's size series. */
export function createSizesRouter(options: {
  sizes: SizesService;
  authorize: AuthorizeEntity;
}): express.Router {
  const { sizes, authorize } = options;
  const router = Router();
  router.get('/entities/:kind/:namespace/:name/sizes', async (req, res) => {
    const entityRef = entityRefOf(req);
    const { days } = parse(sizesQuerySchema, req.query, 'query');
    const credentials = await authorizeRead(authorize, req, entityRef);
    res.json(await sizes.getSizes(entityRef, days, credentials));
  });
  return router;
}
