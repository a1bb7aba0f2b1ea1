import { ConfigReader } from '@backstage/config';
import { BackupsConfigError, readBackupsConfig } from '../../config/readBackupsConfig';

function problemsOf(backups: unknown): string[] {
  try {
    readBackupsConfig(new ConfigReader({ backups } as any));
  } catch (error) {
    expect(error).toBeInstanceOf(BackupsConfigError);
    return (error as BackupsConfigError).problems;
  }
  throw new Error('expected a config error');
}

describe('backups.restores config', () => {
  it('defaults to 24 hours of expiry and a 300 s preview', () => {
    expect(readBackupsConfig(new ConfigReader({})).restores).toEqual({ expireAfterHours: 24, previewTimeoutSeconds: 300 });
    expect(
      readBackupsConfig(new ConfigReader({ backups: { restores: { expireAfterHours: 4 } } })).restores?.expireAfterHours,
    ).toBe(4);
  });

  it('names the key and the fix for bad values and unknown keys', () => {
    expect(problemsOf({ restores: { expireAfterHours: 0, previewTimeoutSeconds: 'soon', expiresAfter: 3 } })).toEqual([
      'backups.restores.expireAfterHours: must be more than 0 hours',
      'backups.restores.previewTimeoutSeconds: must be a number of seconds, for example 300',
      expect.stringMatching(/^backups\.restores\.expiresAfter: unknown key: .*under restores: expireAfterHours, previewTimeoutSeconds/),
    ]);
  });
});
