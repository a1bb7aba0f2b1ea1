import { z } from 'zod';

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
