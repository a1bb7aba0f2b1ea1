import { z } from 'zod';
import { SNAPSHOT_ID_PATTERN } from '../storage/snapshotId';

const name = (what: string) => z.string({ required_error: `required: ${what}`, invalid_type_error: `must be text: ${what}` }).min(1, `required: ${what}`);

const snapshotId = z
  .string({ required_error: 'required: the snapshot id, e.g. 20260118T040000Z', invalid_type_error: 'must be text: the snapshot id' })
  .regex(SNAPSHOT_ID_PATTERN, 'must be a snapshot id such as 20260118T040000Z');

const count = (what: string) => z.number({ invalid_type_error: `must be a number: ${what}` }).int().positive().optional();

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
    { required_error: 'required: the retention policy, e.g. { "keepLast": 7, "minimum": 3 }', invalid_type_error: 'must be an object: the retention policy' },
  )
  .strict()
  .refine(p => Object.values(p).some(v => v !== undefined && v > 0), 'keeps nothing: give at least one of keepLast, keepWithinMs, keepDaily, keepWeekly, keepMonthly, minimum');

export const startBackupSchema = z.object({ target: name('the target to back up') }).strict();

export const verifySchema = z
  .object({ target: name('the target'), snapshotId, tier: name('the storage tier').optional() })
  .strict();

export const restoreSchema = z
  .object({
    target: name('the target'),
    snapshotId,
    tier: name('the storage tier').optional(),
    force: z.boolean({ invalid_type_error: 'must be true or false: overwrite a destination that holds data' }).optional(),
    destination: name('where to restore instead of the target itself').optional(),
  })
  .strict();

export const pruneSchema = z
  .object({
    target: name('the target'),
    tier: name('the storage tier').optional(),
    retention: retentionPolicySchema,
    dryRun: z.boolean({ invalid_type_error: 'must be true or false: only list what would be removed' }).optional(),
  })
  .strict();

export const listSnapshotsQuerySchema = z
  .object({ target: name('the target').optional(), tier: name('the storage tier').optional() })
  .strict();
