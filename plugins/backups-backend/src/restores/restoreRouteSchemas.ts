import { SNAPSHOT_ID_PATTERN } from '@safekeep/plugin-backups-common';
import { z } from 'zod';

const STATUSES = [
  'pending',
  'refused',
  'rejected',
  'expired',
  'withdrawn',
  'approved',
  'running',
  'succeeded',
  'failed',
] as const;

const name = (what: string) =>
  z
    .string({ invalid_type_error: `must be text: ${what}` })
    .trim()
    .min(1, `is empty: ${what}`)
    .max(255, `is longer than 255 characters: ${what}`);

export const restoreDestinationSchema = z
  .object({
    kind: z.enum(['in-place', 'other', 'entity'], {
      errorMap: () => ({ message: 'must be "in-place", "other" or "entity"' }),
    }),
    path: name(
      'the destination (restore --to): a database name or a path',
    ).optional(),
    entityRef: name(
      'the catalog entity whose target receives the restore',
    ).optional(),
  })
  .strict({
    message:
      'unknown key: a destination has kind, and path (kind "other") or entityRef (kind "entity"); the agent and target of an entity come from its annotations',
  })
  .superRefine((destination, ctx) => {
    if (destination.kind === 'other' && !destination.path) {
      ctx.addIssue({
        code: 'custom',
        path: ['path'],
        message:
          'required for "other": where to restore, e.g. a database name (orders_copy) or a file path',
      });
    }
    if (destination.kind === 'entity' && !destination.entityRef) {
      ctx.addIssue({
        code: 'custom',
        path: ['entityRef'],
        message:
          'required for "entity": the entity to restore into, e.g. resource:default/orders-db-staging',
      });
    }
    if (destination.kind !== 'other' && destination.path) {
      ctx.addIssue({
        code: 'custom',
        path: ['path'],
        message:
          'only for kind "other" (another destination of the same target)',
      });
    }
    if (destination.kind !== 'entity' && destination.entityRef) {
      ctx.addIssue({
        code: 'custom',
        path: ['entityRef'],
        message:
          'only for kind "entity" (the target of another catalog entity)',
      });
    }
  });

/** POST /entities/:kind/:namespace/:name/restores */
export const createRestoreBodySchema = z
  .object({
    // Checked here so a malformed id is the caller's 400, not the agent's refusal (a 503).
    snapshotId: name('the snapshot id, e.g. 20260118T040000Z')
      .regex(
        SNAPSHOT_ID_PATTERN,
        'must be a snapshot id such as 20260118T040000Z (or 20260118T040000Z-2); leave it out for the latest',
      )
      .optional(),
    groupWindow: name('the backup window, e.g. 20260118T040000Z')
      .regex(
        SNAPSHOT_ID_PATTERN,
        "must be a UTC time in snapshot-id form such as 20260118T040000Z: a System's backup window; leave it out for the newest",
      )
      .optional(),
    destination: restoreDestinationSchema.optional(),
    reason: z
      .string({
        required_error: 'required: say why the restore is needed',
        invalid_type_error: 'must be text: why the restore is needed',
      })
      .trim()
      .min(
        1,
        'is empty: say why the restore is needed, for the approver and the history',
      )
      .max(2000, 'is longer than 2000 characters'),
  })
  .strict();

/** POST /restores/:id/approve and /reject */
export const decisionBodySchema = (reject: boolean) =>
  z
    .object({
      comment: reject
        ? z
            .string({
              required_error: 'required: say why the restore is rejected',
            })
            .trim()
            .min(1, 'is empty: say why the restore is rejected')
            .max(2000)
        : z
            .string({ invalid_type_error: 'must be text' })
            .trim()
            .max(2000)
            .default(''),
    })
    .strict();

/** GET /restores?status=&entityRef=&limit= */
export const listRestoresQuerySchema = z
  .object({
    status: z
      .enum(STATUSES, {
        errorMap: () => ({ message: `must be one of ${STATUSES.join(', ')}` }),
      })
      .optional(),
    entityRef: name(
      'an entity ref such as resource:default/orders-db',
    ).optional(),
    limit: z
      .string()
      .regex(/^\d+$/, 'must be a whole number')
      .transform(Number)
      .pipe(
        z.number().min(1, 'must be at least 1').max(200, 'must be at most 200'),
      )
      .optional()
      .transform(v => v ?? 50),
  })
  .strict();

export const restoreIdSchema = z.object({
  id: z.string().uuid('is not a restore request id'),
});
