import { z } from 'zod';
import { SNAPSHOT_ID_PATTERN } from '../storage/snapshotId';
import { NAME_PATTERN } from '../config/namePattern';

const name = (what: string) =>
  z
    .string({
      required_error: `required: ${what}`,
      invalid_type_error: `must be text: ${what}`,
    })
    .min(1, `required: ${what}`);

const snapshotId = z
  .string({
    required_error: 'required: the snapshot id, e.g. 20260118T040000Z',
    invalid_type_error: 'must be text: the snapshot id',
  })
  .regex(SNAPSHOT_ID_PATTERN, 'must be a snapshot id such as 20260118T040000Z');

const count = (what: string) =>
  z
    .number({ invalid_type_error: `must be a number: ${what}` })
    .int()
    .positive()
    .optional();

export const retentionPolicySchema = z
  .object(
    {
      keepLast: count('how many of the newest snapshots to keep'),
      keepWithinMs: count('keep snapshots younger than this many milliseconds'),
      keepDaily: count('how many days to keep one snapshot of'),
      keepWeekly: count('how many weeks to keep one snapshot of'),
      keepMonthly: count('how many months to keep one snapshot of'),
      minimum: count('how many of the newest snapshots are never pruned'),
    },
    {
      required_error:
        'required: the retention policy, e.g. { "keepLast": 7, "minimum": 3 }',
      invalid_type_error: 'must be an object: the retention policy',
    },
  )
  .strict()
  .refine(
    p => Object.values(p).some(v => v !== undefined && v > 0),
    'keeps nothing: give at least one of keepLast, keepWithinMs, keepDaily, keepWeekly, keepMonthly, minimum',
  );

export const startBackupSchema = z
  .object({
    target: name('the target to back up').optional(),
    group: name('the consistency group to back up').optional(),
  })
  .strict()
  .superRefine((body, ctx) => {
    if (!body.target && !body.group) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['target'],
        message:
          'required: the target to back up (or group: a consistency group)',
      });
    } else if (body.target && body.group) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['group'],
        message: 'give either target or group, not both',
      });
    }
  });

const isoTime = (what: string) =>
  z
    .string({
      required_error: `required: ${what}`,
      invalid_type_error: `must be text: ${what}`,
    })
    .refine(
      value => !Number.isNaN(Date.parse(value)),
      `must be an ISO time such as 2026-01-18T04:00:00Z: ${what}`,
    );

/** A group restore: one snapshot per member by id, or the newest of each inside a time window. */
export const groupRestoreSchema = z
  .object({
    group: name('the consistency group'),
    snapshotIds: z
      .record(name('a target name'), snapshotId, {
        invalid_type_error: 'must be an object: the snapshot id per target',
      })
      .optional(),
    window: z
      .object(
        {
          from: isoTime('the start of the time window'),
          to: isoTime('the end of the time window'),
        },
        { invalid_type_error: 'must be an object: { from, to }' },
      )
      .strict()
      .optional(),
    tier: name('the storage tier').optional(),
    force: z
      .boolean({
        invalid_type_error:
          'must be true or false: overwrite destinations that hold data',
      })
      .optional(),
    dryRun: z
      .boolean({
        invalid_type_error:
          'must be true or false: only run the checks, stop and restore nothing',
      })
      .optional(),
  })
  .strict()
  .superRefine((body, ctx) => {
    if (!!body.snapshotIds === !!body.window) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: [body.window ? 'window' : 'snapshotIds'],
        message:
          'give either snapshotIds ({ "<target>": "<snapshot id>" } for every member) or window ({ from, to }), not both',
      });
    }
  });

/** A snapshot of another target, read through this target's tiers (a restore into another target). */
const from = name('the target the snapshot was taken from')
  .regex(
    NAME_PATTERN,
    'must be a target name (letters, digits, ".", "_" or "-"): the target the snapshot was taken from',
  )
  .optional();

export const verifySchema = z
  .object({
    target: name('the target'),
    snapshotId,
    tier: name('the storage tier').optional(),
    from,
  })
  .strict();

export const restoreSchema = z
  .object({
    // A group has its own request, and says so rather than failing as an unknown key.
    group: z
      .never({
        invalid_type_error:
          'a consistency group is restored with POST /v1/group-restores',
      })
      .optional(),
    target: name('the target'),
    snapshotId,
    tier: name('the storage tier').optional(),
    force: z
      .boolean({
        invalid_type_error:
          'must be true or false: overwrite a destination that holds data',
      })
      .optional(),
    destination: name(
      'where to restore instead of the target itself',
    ).optional(),
    from,
    dryRun: z
      .boolean({
        invalid_type_error:
          'must be true or false: only run the checks, restore nothing',
      })
      .optional(),
  })
  .strict();

export const pruneSchema = z
  .object({
    target: name('the target'),
    tier: name('the storage tier').optional(),
    retention: retentionPolicySchema,
    failedVerify: z
      .array(snapshotId, {
        invalid_type_error:
          'must be a list of snapshot ids that failed a scheduled verify',
      })
      .max(10_000)
      .optional(),
    dryRun: z
      .boolean({
        invalid_type_error:
          'must be true or false: only list what would be removed',
      })
      .optional(),
  })
  .strict();

export const listSnapshotsQuerySchema = z
  .object({
    target: name('the target').optional(),
    tier: name('the storage tier').optional(),
  })
  .strict();

export const dropDestinationSchema = z
  .object({
    target: name('the target'),
    destination: name(
      'the restore destination to remove (what restore --to took)',
    ),
  })
  .strict();
