import type { DatabaseService } from '@backstage/backend-plugin-api';
import { BackupsDatabase } from './BackupsDatabase';
import { createTestDatabases } from './testing/testDatabases';

const { databases } = createTestDatabases();
// Migrating a fresh PostgreSQL database takes seconds on a busy machine.
jest.setTimeout(60_000);

const ENTITY = 'resource:default/app-db';
const TOKEN = 'agent-token-0123456789abcdef';

describe.each(databases.eachSupportedId())('BackupsDatabase on %p', id => {
  async function service(skip = false) {
    const knex = await databases.init(id);
    const database: DatabaseService = {
      getClient: async () => knex,
      migrations: { skip },
    };
    return { knex, database };
  }

  it('migrates a fresh database and hands out every store on the one client', async () => {
    const { knex, database } = await service();
    const db = await BackupsDatabase.create({ database, secrets: [TOKEN] });
    expect(await knex.schema.hasTable('restore_requests')).toBe(true);
    // A second replica starting on the same database finds nothing left to migrate.
    await BackupsDatabase.create({ database });

    const created = await db.runs.createUserRun({
      entityRef: ENTITY,
      agent: 'demo-host',
      target: 'app-db',
      triggeredBy: null,
      now: new Date('2026-11-21T10:00:00.000Z'),
    });
    expect('created' in created).toBe(true);
    // The read queries see what the run store wrote: one database, not one per store.
    const facts = await db.aggregates.getRunFacts([ENTITY]);
    expect(facts.get(ENTITY)?.active?.entityRef).toBe(ENTITY);
    expect(
      await db.restores.listRequests({ entityRef: ENTITY, limit: 10 }),
    ).toEqual([]);
    expect(await db.incidents.listOpen()).toEqual([]);
  });

  it('leaves the schema alone when the database service says migrations are skipped', async () => {
    const { knex, database } = await service(true);
    await BackupsDatabase.create({ database });
    expect(await knex.schema.hasTable('backup_runs')).toBe(false);
  });
});
