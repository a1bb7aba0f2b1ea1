import { parseEntityRef } from '@backstage/catalog-model';
import { z } from 'zod';

/** A user or group entity ref, e.g. group:default/restore-approvers. */
function isUserOrGroupRef(value: string): boolean {
  try {
    return ['user', 'group'].includes(
      parseEntityRef(value).kind.toLocaleLowerCase('en-US'),
    );
  } catch {
    return false;
  }
}

export const DEFAULT_EXPIRE_AFTER_HOURS = 24;
export const DEFAULT_PREVIEW_TIMEOUT_SECONDS = 300;

/** `backups.restores` in app-config. */
export const restoresConfigSchema = z
  .object(
    {
      expireAfterHours: z
        .number({
          invalid_type_error: 'must be a number of hours, for example 24',
        })
        .positive('must be more than 0 hours')
        .max(24 * 30, 'must be at most 720 hours (30 days)')
        .default(DEFAULT_EXPIRE_AFTER_HOURS),
      previewTimeoutSeconds: z
        .number({
          invalid_type_error: 'must be a number of seconds, for example 300',
        })
        .int('must be a whole number of seconds')
        .min(5, 'must be at least 5 seconds')
        .max(3600, 'must be at most 3600 seconds: a request waits for it')
        .default(DEFAULT_PREVIEW_TIMEOUT_SECONDS),
      // Who is told that a request waits, besides the entity's owners. Who may approve is the
      // permission policy's decision; this only makes sure they hear of it.
      approvers: z
        .array(
          z
            .string()
            .refine(
              isUserOrGroupRef,
              'must be a user or group entity ref, for example group:default/restore-approvers',
            ),
          {
            invalid_type_error:
              'must be a list of user or group entity refs, for example [group:default/restore-approvers]',
          },
        )
        .default([]),
    },
    {
      invalid_type_error:
        'must be an object with expireAfterHours, previewTimeoutSeconds and approvers',
    },
  )
  .strict()
  .default({});

export type RestoresConfig = z.infer<typeof restoresConfigSchema>;
