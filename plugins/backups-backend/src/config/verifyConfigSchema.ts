import { BackupSchedule, parseSchedule } from '@safekeep/plugin-backups-common';
import { z } from 'zod';

/** Which snapshots a round reads: all, or part n of t (every snapshot once in t rounds). */
export type VerifySubset = { kind: 'all' } | { kind: 'part'; of: number };

export interface TierVerifySchedule {
  schedule: BackupSchedule;
  subset: VerifySubset;
  /** As written, for messages and the docs. */
  subsetText: string;
}

/**
 * `backups.verify.<tier>` in app-config: when each storage tier's snapshots are read back and
 * checked (the agent's verify job), modelled on restic's `check --read-data-subset`: `all`, or
 * `1/7` to read one seventh a round, a rotating part, so every snapshot is read within 7 rounds.
 */
export const verifyConfigSchema = z
  .record(
    z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, {
      message: 'a storage tier name as the agents call it, e.g. local',
    }),
    z
      .object(
        {
          schedule: z.string({
            required_error:
              'required: when to verify, e.g. "daily 04:00 UTC" or "weekly sunday 03:00 Europe/Zurich"',
            invalid_type_error:
              'must be text: a schedule such as daily 04:00 UTC',
          }),
          subset: z
            .string({
              invalid_type_error: 'must be text: "all" or a part such as 1/7',
            })
            .default('all'),
        },
        { invalid_type_error: 'must be an object with schedule and subset' },
      )
      .strict()
      .transform((value, ctx): TierVerifySchedule => {
        const schedule = parseSchedule(value.schedule);
        if ('error' in schedule) {
          ctx.addIssue({
            code: 'custom',
            path: ['schedule'],
            message: schedule.error,
          });
          return z.NEVER;
        }
        const part = /^1\/(\d+)$/.exec(value.subset.trim());
        if (value.subset.trim() === 'all')
          return { schedule, subset: { kind: 'all' }, subsetText: 'all' };
        if (part && Number(part[1]) >= 1 && Number(part[1]) <= 1000)
          return {
            schedule,
            subset: { kind: 'part', of: Number(part[1]) },
            subsetText: value.subset.trim(),
          };
        ctx.addIssue({
          code: 'custom',
          path: ['subset'],
          message: `"${value.subset}" is not a subset: write all, or 1/N (N from 1 to 1000) to read a rotating Nth each round`,
        });
        return z.NEVER;
      }),
    {
      invalid_type_error:
        'must be a map of storage tier to { schedule, subset }',
    },
  )
  .default({});
