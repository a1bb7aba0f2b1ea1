import { ConfigReader } from '@backstage/config';
import { BackupsConfigError, readBackupsConfig } from './readBackupsConfig';

function problemsOf(backups: unknown): string[] {
  try {
    readBackupsConfig(new ConfigReader({ backups } as any));
  } catch (error) {
    expect(error).toBeInstanceOf(BackupsConfigError);
    return (error as BackupsConfigError).problems;
  }
  throw new Error('expected a config error');
}

describe('backups.verify config', () => {
  it('is empty by default and reads a schedule with all or a rotating part', () => {
    expect(readBackupsConfig(new ConfigReader({})).verify).toEqual({});
    const verify = readBackupsConfig(
      new ConfigReader({
        backups: {
          verify: {
            local: { schedule: 'daily 04:00 UTC' },
            offsite: { schedule: 'weekly sunday 03:00', subset: '1/7' },
          },
        },
      }),
    ).verify!;
    expect(verify.local.subset).toEqual({ kind: 'all' });
    expect(verify.local.schedule.cron).toBe('0 4 * * *');
    expect(verify.offsite.subset).toEqual({ kind: 'part', of: 7 });
  });

  it('names the key and the fix for a bad subset, a bad schedule and an unknown key', () => {
    expect(
      problemsOf({
        verify: {
          local: { schedule: 'daily 04:00 UTC', subset: '10%' },
          offsite: { schedule: 'sometimes' },
          cold: { schedule: 'daily 01:00', every: 2 },
        },
      }),
    ).toEqual([
      expect.stringMatching(
        /^backups\.verify\.local\.subset: "10%" is not a subset: write all, or 1\/N/,
      ),
      expect.stringMatching(/^backups\.verify\.offsite\.schedule: /),
      expect.stringMatching(/^backups\.verify\.cold(\.every)?: /),
    ]);
  });
});
