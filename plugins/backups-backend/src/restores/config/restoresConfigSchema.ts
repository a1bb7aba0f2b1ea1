import { z } from 'zod';

export const DEFAULT_EXPIRE_AFTER_HOURS = 24;
export const DEFAULT_PREVIEW_TIMEOUT_SECONDS = 300;

/** `backups.restores` in app-config. */
export const restoresConfigSchema = z
  .object(
    {
      expireAfterHours: z
        .number({ invalid_type_error: 'must be a number of hours, for example 24' })
        .positive('must be more than 0 hours')
        .max(24 * 30, 'must be at most 720 hours (30 days)')
        .default(DEFAULT_EXPIRE_AFTER_HOURS),
      previewTimeoutSeconds: z
        .number({ invalid_type_error: 'must be a number of seconds, for example 300' })
        .int('must be a whole number of seconds')
        .min(5, 'must be at least 5 seconds')
        .max(3600, 'must be at most 3600 seconds: a request waits for it')
        .default(DEFAULT_PREVIEW_TIMEOUT_SECONDS),
    },
    { invalid_type_error: 'must be an object with expireAfterHours and previewTimeoutSeconds' },
  )
  .strict()
  .default({});

export type RestoresConfig = z.infer<typeof restoresConfigSchema>;
