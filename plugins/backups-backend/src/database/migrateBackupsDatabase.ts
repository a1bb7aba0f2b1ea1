import { resolvePackagePath } from '@backstage/backend-plugin-api';
import type { Knex } from 'knex';

const migrationsDir = resolvePackagePath(
  '@safekeep/plugin-backups-backend',
  'migrations',
);

/** Applies the plugin's migrations (knex migrate, files in the package's migrations/). */
export async function migrateBackupsDatabase(knex: Knex): Promise<void> {
  await knex.migrate.latest({ directory: migrationsDir });
}
