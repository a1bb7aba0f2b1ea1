import { z } from 'zod';
import type { ConfigContext } from '../../config/ConfigContext';
import { localPath } from '../../config/localPath';

export function sqliteSettingsSchema(context: ConfigContext) {
  return z
    .object({
      path: localPath(context, 'the SQLite database file to back up'),
    })
    .strict();
}

export type SqliteSettings = z.infer<ReturnType<typeof sqliteSettingsSchema>>;
