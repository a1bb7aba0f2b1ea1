import { createConfigContext } from '../../config/ConfigContext';
import { chooseRestoreMode } from './parallelRestore';
import { postgresSettingsSchema } from './postgresSettings';

const settings = (fields: Record<string, unknown> = {}) =>
  postgresSettingsSchema(createConfigContext('/')).parse({
    databases: ['app'],
    ...fields,
  });
const dump = { name: 'app.dump', rawBytes: 1024 ** 3, open: jest.fn() };
const free = (bytes: number) => async () => bytes;

describe('chooseRestoreMode', () => {
  it('restores a new database in parallel from a staged copy when the staging folder has room', async () => {
    expect(
      await chooseRestoreMode(
        settings({ restoreJobs: 3 }),
        dump,
        true,
        '/staging',
        free(2 * 1024 ** 3),
      ),
    ).toEqual({ jobs: 3, staged: true });
  });

  it('streams into an existing database (its rollback keeps the old data), from a container, or with restoreJobs 1', async () => {
    const roomy = free(100 * 1024 ** 3);
    for (const [fields, intoNew] of [
      [{ restoreJobs: 4 }, false],
      [{ restoreJobs: 4, container: 'db' }, true],
      [{ restoreJobs: 1 }, true],
    ] as const) {
      expect(
        await chooseRestoreMode(settings(fields), dump, intoNew, '/s', roomy),
      ).toEqual({ jobs: 1, staged: false });
    }
  });

  it('streams, and says why, when the staging folder lacks room for the dump', async () => {
    expect(
      await chooseRestoreMode(
        settings({ restoreJobs: 2 }),
        dump,
        true,
        '/staging',
        free(1024 ** 3),
      ),
    ).toEqual({
      jobs: 1,
      staged: false,
      why: 'restored as one stream: a parallel restore (restoreJobs 2) stages the 1.0 GiB dump in /staging, which has 1.0 GiB free; free space there or point agent.staging at a larger disk',
    });
  });

  it('refuses a restoreJobs that is not a whole number from 1 to 16', () => {
    for (const restoreJobs of [0, 17, 1.5, '2'])
      expect(() => settings({ restoreJobs })).toThrow(/restoreJobs|number/);
  });
});
