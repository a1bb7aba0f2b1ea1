import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { createTestDatabases } from '../testing/testDatabases';

const directory = resolvePackagePath(
  '@safekeep/plugin-backups-backend',
  'migrations',
);
const NAME = '20261203100000_one_active_run_per_target.js';

jest.setTimeout(120_000);

const { databases } = createTestDatabases();

// Matched by shape: better-sqlite3's errors come from another realm in Jest workers.
const uniqueViolation = { message: expect.stringMatching(/unique/i) };

function run(id: string, status: string, target = 'app-db', minute = 0) {
  const at = new Date(Date.UTC(2026, 11, 1, 10, minute));
  return {
    id,
    entity_ref: `resource:default/${target}`,
    agent: 'demo-host',
    target,
    status,
    trigger: 'user',
    created_at: at,
    updated_at: at,
    running_target: status === 'running' ? `demo-host/${target}` : null,
  };
}

describe('migrations', () => {
  it.each(databases.eachSupportedId())(
    `${NAME} keeps one active run per target, refuses a second, and undoes on %p`,
    async databaseId => {
      const knex = await databases.init(databaseId);
      const before = (await knex.migrate.list({ directory }))[1] as {
        file: string;
      }[];
      for (const { file } of before.filter(m => m.file < NAME))
        await knex.migrate.up({ directory, name: file });
      // What a race before the index could leave: a running run and two queued of one target.
      await knex('backup_runs').insert([
        run('queued-old', 'queued', 'app-db', 0),
        run('running', 'running', 'app-db', 5),
        run('queued-new', 'queued', 'app-db', 9),
        run('other', 'queued', 'cache', 1),
        run('done', 'succeeded', 'app-db', 2),
      ]);
      await knex.migrate.up({ directory, name: NAME });

      const rows = await knex('backup_runs').orderBy('id');
      expect(Object.fromEntries(rows.map(r => [r.id, r.status]))).toEqual({
        done: 'succeeded',
        other: 'queued',
        'queued-new': 'interrupted',
        'queued-old': 'interrupted',
        running: 'running',
      });
      expect(rows.find(r => r.id === 'queued-old').error).toMatch(
        /only one may be active/,
      );
      await expect(
        knex('backup_runs').insert(run('again', 'queued')),
      ).rejects.toMatchObject(uniqueViolation);
      // Finished runs do not count.
      await knex('backup_runs').insert(run('failed-too', 'failed'));

      await knex.migrate.down({ directory });
      await knex('backup_runs').insert(run('again', 'queued'));
      await knex.destroy();
    },
  );
});
