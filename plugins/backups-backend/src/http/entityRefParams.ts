import { stringifyEntityRef } from '@backstage/catalog-model';
import type { Request } from 'express';
import { z } from 'zod';
import { parseInput } from './parseInput';

const refPart = (what: string) =>
  z
    .string()
    .min(1, `the ${what} is empty`)
    .max(253, `the ${what} is longer than 253 characters`)
    .regex(/^[^:/\s]+$/, `the ${what} must not contain ":", "/" or spaces`);

/** `/entities/:kind/:namespace/:name/...` */
export const entityParamsSchema = z.object({
  kind: refPart('kind'),
  namespace: refPart('namespace'),
  name: refPart('name'),
});

/** The entity ref of a `/entities/:kind/:namespace/:name/...` route; a 400 naming the bad part. */
export function entityRefOf(req: Request): string {
  return stringifyEntityRef(
    parseInput(entityParamsSchema, req.params, 'entity reference'),
  );
}
