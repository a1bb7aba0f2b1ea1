import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { createTestDatabases } from '../testing/testDatabases';

const directory = resolvePackagePath(
  '@safekeep/plugin-backups-backend',
  'migrations',
);
const NAME = '20261123000000_prunes_incidents_groups.js';

const { databases } = createTestDatabases();

// Matched by shape: better-sqlite3's errors come from another realm in Jest workers.
const uniqueViolation = { message: expect.stringMatching(/unique/i) };

describe('migrations', () => {
  it.each(databases.eachSupportedId())(
    `${NAME} adds prunes, incidents and run groups, and drops them on %p`,
    async databaseId => {
      const knex = await databases.init(databaseId);
      await knex.migrate.latest({ directory });
      const now = new Date();

      await knex('backup_runs').insert({
        id: 'r1',
        entity_ref: 'resource:default/app-db',
        agent: 'demo-host',
        target: 'app-db',
        status: 'queued',
        trigger: 'user',
        group_run_id: 'g1',
        group_ref: 'system:default/shop',
        created_at: now,
        updated_at: now,
      });
      expect(
        await knex('backup_runs').where({ group_run_id: 'g1' }).pluck('id'),
      ).toEqual(['r1']);

      const incident = {
        entity_ref: 'resource:default/app-db',
        kind: 'failing',
        reason: 'x',
        opened_at: now,
      };
      await knex('backup_incidents').insert({
        ...incident,
        id: 'i1',
        open_key: 'resource:default/app-db|failing',
      });
      // One open incident per entity and kind, enforced by the database.
      await expect(
        knex('backup_incidents').insert({
          ...incident,
          id: 'i2',
          open_key: 'resource:default/app-db|failing',
        }),
      ).rejects.toMatchObject(uniqueViolation);
      // Closed ones (open_key null) do not collide.
      await knex('backup_incidents')
        .where({ id: 'i1' })
        .update({ open_key: null, closed_at: now });
      await knex('backup_incidents').insert({
        ...incident,
        id: 'i3',
        open_key: null,
        closed_at: now,
      });
      await knex('backup_incidents').insert({
        ...incident,
        id: 'i4',
        open_key: 'resource:default/app-db|failing',
      });

      await knex('backup_prunes').insert({
        id: 'p1',
        run_id: 'r1',
        entity_ref: 'resource:default/app-db',
        agent: 'demo-host',
        target: 'app-db',
        tier: 'local',
        retention_annotation: 'safekeep.io/retention',
        retention: '{"keepLast":1}',
        status: 'pending',
        created_at: now,
        updated_at: now,
      });

      await knex.migrate.down({ directory, name: NAME });
      expect(await knex.schema.hasTable('backup_prunes')).toBe(false);
      expect(await knex.schema.hasTable('backup_incidents')).toBe(false);
      expect(await knex.schema.hasColumn('backup_runs', 'group_run_id')).toBe(
        false,
      );
      // The runs survive the way down.
      expect(await knex('backup_runs').pluck('id')).toEqual(['r1']);

      await knex.migrate.latest({ directory });
      expect(await knex.schema.hasColumn('backup_runs', 'group_run_id')).toBe(
        true,
      );
      await knex.destroy();
    },
  );
});
