import { resolvePackagePath } from '@backstage/backend-plugin-api';
import type { Knex } from 'knex';
import { createTestDatabases } from '../testing/testDatabases';

const migrationsDir = resolvePackagePath(
  '@safekeep/plugin-backups-backend',
  'migrations',
);

async function migrateUpOnce(knex: Knex) {
  await knex.migrate.up({ directory: migrationsDir });
}

async function migrateDownOnce(knex: Knex) {
  await knex.migrate.down({ directory: migrationsDir });
}

const { databases } = createTestDatabases();

// Matched by shape: better-sqlite3's errors come from another realm in Jest workers, so
// `instanceof Error` (and so `rejects.toThrow()`) fails for them at random.
const uniqueViolation = { message: expect.stringMatching(/unique/i) };

describe('migrations', () => {
  it.each(databases.eachSupportedId())(
    '20261121000000_init creates and drops backup_runs on %p',
    async databaseId => {
      const knex = await databases.init(databaseId);
      await migrateUpOnce(knex);

      const base = {
        entity_ref: 'resource:default/app-db',
        agent: 'demo-host',
        target: 'app-db',
        status: 'queued',
        trigger: 'schedule',
        created_at: new Date(),
        updated_at: new Date(),
      };
      const slot = new Date('2026-11-21T01:00:00Z');
      await knex('backup_runs').insert({
        ...base,
        id: 'a',
        scheduled_for: slot,
      });
      // The same slot of the same entity twice is refused by the database itself.
      await expect(
        knex('backup_runs').insert({ ...base, id: 'b', scheduled_for: slot }),
      ).rejects.toMatchObject(uniqueViolation);
      // Runs without a slot (asked for by people) do not collide.
      await knex('backup_runs').insert({
        ...base,
        id: 'c',
        trigger: 'user',
        scheduled_for: null,
      });
      await knex('backup_runs').insert({
        ...base,
        id: 'd',
        trigger: 'user',
        scheduled_for: null,
      });
      // Two running runs of one target are refused.
      await knex('backup_runs')
        .where({ id: 'c' })
        .update({ status: 'running', running_target: 'demo-host/app-db' });
      await expect(
        knex('backup_runs')
          .where({ id: 'd' })
          .update({ status: 'running', running_target: 'demo-host/app-db' }),
      ).rejects.toMatchObject(uniqueViolation);

      const rows = await knex('backup_runs').orderBy('id');
      expect(rows.map(r => r.id)).toEqual(['a', 'c', 'd']);

      await migrateDownOnce(knex);
      expect(await knex.schema.hasTable('backup_runs')).toBe(false);

      // And up again on the emptied database.
      await migrateUpOnce(knex);
      expect(await knex.schema.hasTable('backup_runs')).toBe(true);
      await knex.destroy();
    },
  );
});
