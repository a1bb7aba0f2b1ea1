import { z } from 'zod';

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

const integer = (what: string, min: number, max: number, fallback: number) =>
  z
    .string()
    .regex(/^\d+$/, `${what} must be a whole number`)
    .transform(Number)
    .pipe(
      z
        .number()
        .min(min, `${what} must be at least ${min}`)
        .max(max, `${what} must be at most ${max}`),
    )
    .optional()
    .transform(value => value ?? fallback);

/** `?limit=&offset=` of the runs list. */
export const runsQuerySchema = z
  .object({
    limit: integer('limit', 1, 100, 20),
    offset: integer('offset', 0, 1_000_000, 0),
  })
  .strict();

/** POST .../runs takes no options yet; an unknown field is rejected rather than ignored. */
export const startRunBodySchema = z.object({}).strict().optional();

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
