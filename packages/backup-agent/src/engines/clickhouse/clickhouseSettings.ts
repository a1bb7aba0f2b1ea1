import { z } from 'zod';
import { field } from '../../config/describeField';
import type { ConfigContext } from '../../config/ConfigContext';
import { secretRefSchema } from '../../config/secretRef';

const PLAIN_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function clickhouseSettingsSchema(context: ConfigContext) {
  return z
    .object({
      container: z
        .string(
          field(
            'the ClickHouse container clickhouse-client runs in (docker exec)',
          ),
        )
        .min(1),
      database: z
        .string(field('the database to back up'))
        .regex(
          PLAIN_NAME,
          'must be a plain ClickHouse database name (letters, digits, "_")',
        ),
      disk: z
        .string(
          field(
            "the backup disk in the server's config (<backups><allowed_disk>)",
          ),
        )
        .regex(PLAIN_NAME, 'must be a disk name such as backups')
        .default('backups'),
      diskPath: z
        .string(
          field("the backup disk's folder inside the container (its <path>)"),
        )
        .regex(
          /^\/.+/,
          'must be an absolute path in the container, such as /backups',
        )
        .default('/backups'),
      user: z.string(field('the ClickHouse user')).min(1).optional(),
      password: secretRefSchema(context, 'the ClickHouse password').optional(),
    })
    .strict();
}

export type ClickhouseSettings = z.infer<
  ReturnType<typeof clickhouseSettingsSchema>
>;
