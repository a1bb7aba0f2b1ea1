import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { createTestDatabases } from '../testing/testDatabases';

const directory = resolvePackagePath(
  '@safekeep/plugin-backups-backend',
  'migrations',
);
const NAME = '20261124000000_restore_withdrawn.js';

const { databases } = createTestDatabases();

// Matched by shape: better-sqlite3's errors come from another realm in Jest workers.
const checkViolation = { message: expect.stringMatching(/check/i) };
const uniqueViolation = { message: expect.stringMatching(/unique/i) };

function request(id: string, status: string, scheduledFor: Date | null = null) {
  const now = new Date();
  return {
    id,
    entity_ref: 'resource:default/app-db',
    status,
    snapshot_id: '20261121T010000Z',
    destination: '{"kind":"in-place"}',
    force: true,
    reason: 'a bad migration',
    requested_by: 'user:default/ann',
    requested_at: now,
    expires_at: now,
    preview: '{}',
    drill: scheduledFor !== null,
    scheduled_for: scheduledFor,
    updated_at: now,
  };
}

describe('migrations', () => {
  it.each(databases.eachSupportedId())(
    `${NAME} lets a request be withdrawn, keeps rows, checks and indexes, and undoes on %p`,
    async databaseId => {
      const knex = await databases.init(databaseId);
      await knex.migrate.up({ directory, name: '20261121000000_init.js' });
      await knex.migrate.up({
        directory,
        name: '20261122100000_restore_requests.js',
      });
      await knex.migrate.up({
        directory,
        name: '20261123000000_prunes_incidents_groups.js',
      });
      // A row from before the migration survives it.
      await knex('restore_requests').insert(request('old', 'succeeded'));
      await knex.migrate.up({ directory, name: NAME });

      expect(
        await knex('restore_requests').where({ id: 'old' }).first(),
      ).toMatchObject({ status: 'succeeded', reason: 'a bad migration' });
      await knex('restore_requests').insert(request('a', 'pending'));
      await knex('restore_requests')
        .where({ id: 'a' })
        .update({ status: 'withdrawn' });
      // Still only known statuses; four eyes and the drill slot index still in place.
      await expect(
        knex('restore_requests').insert(request('b', 'cancelled')),
      ).rejects.toMatchObject(checkViolation);
      await expect(
        knex('restore_requests')
          .where({ id: 'a' })
          .update({ decided_by: 'user:default/ann' }),
      ).rejects.toMatchObject(checkViolation);
      const slot = new Date('2026-11-22T05:00:00Z');
      await knex('restore_requests').insert(request('d1', 'succeeded', slot));
      await expect(
        knex('restore_requests').insert(request('d2', 'succeeded', slot)),
      ).rejects.toMatchObject(uniqueViolation);

      await knex.migrate.down({ directory });
      expect(
        await knex('restore_requests').where({ id: 'a' }).first(),
      ).toMatchObject({
        status: 'expired',
        error: expect.stringContaining('Withdrawn by the requester'),
      });
      await expect(
        knex('restore_requests')
          .where({ id: 'a' })
          .update({ status: 'withdrawn' }),
      ).rejects.toMatchObject(checkViolation);
      expect(await knex('restore_requests').count({ n: '*' })).toEqual([
        { n: expect.anything() },
      ]);
      await knex.destroy();
    },
  );
});
