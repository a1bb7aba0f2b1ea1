import { z } from 'zod';
import type { ConfigContext } from '../../config/ConfigContext';
import { field } from '../../config/describeField';
import { secretRefSchema } from '../../config/secretRef';
import { containerSettingSchema } from '../containerSetting';

export function mariadbSettingsSchema(context: ConfigContext) {
  return z
    .object({
      host: z
        .string(field('the MariaDB/MySQL host'))
        .min(1)
        .default('127.0.0.1'),
      port: z
        .number(field('the MariaDB/MySQL port', 'a number'))
        .int()
        .min(1)
        .max(65535)
        .default(3306),
      user: z
        .string(field('the user the agent connects as'))
        .min(1)
        .default('root'),
      password: secretRefSchema(
        context,
        'the MariaDB/MySQL password',
      ).optional(),
      container: containerSettingSchema().optional(),
      databases: z
        .array(
          z.string(field('a database name')).min(1),
          field(
            'the databases to back up (all but the system databases when left out)',
            'a list',
          ),
        )
        .min(
          1,
          'must list at least one database, or be left out to back up every database but the system ones',
        )
        .optional(),
    })
    .strict()
    .transform(settings => ({
      ...settings,
      /** Set by `restore --to`: the one database a snapshot's dump is loaded into. */
      restoreInto: undefined as string | undefined,
    }));
}

export type MariadbSettings = z.infer<ReturnType<typeof mariadbSettingsSchema>>;
