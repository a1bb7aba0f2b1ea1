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

describe('backups.restores config', () => {
  it('defaults to 24 hours of expiry and a 300 s preview', () => {
    expect(readBackupsConfig(new ConfigReader({})).restores).toEqual({
      expireAfterHours: 24,
      previewTimeoutSeconds: 300,
      approvers: [],
    });
    expect(
      readBackupsConfig(
        new ConfigReader({ backups: { restores: { expireAfterHours: 4 } } }),
      ).restores?.expireAfterHours,
    ).toBe(4);
  });

  it('names the key and the fix for bad values and unknown keys', () => {
    expect(
      problemsOf({
        restores: {
          expireAfterHours: 0,
          previewTimeoutSeconds: 'soon',
          expiresAfter: 3,
        },
      }),
    ).toEqual([
      'backups.restores.expireAfterHours: must be more than 0 hours',
      'backups.restores.previewTimeoutSeconds: must be a number of seconds, for example 300',
      expect.stringMatching(
        /^backups\.restores\.expiresAfter: unknown key: .*under restores: expireAfterHours, previewTimeoutSeconds/,
      ),
    ]);
  });

  it('takes user and group refs as approvers, and says which entry is not one', () => {
    expect(
      readBackupsConfig(
        new ConfigReader({
          backups: {
            restores: {
              approvers: ['group:default/restore-approvers', 'user:ann'],
            },
          },
        }),
      ).restores?.approvers,
    ).toEqual(['group:default/restore-approvers', 'user:ann']);
    expect(
      problemsOf({
        restores: {
          approvers: ['group:default/dba', 'resource:default/orders-db'],
        },
      }),
    ).toEqual([
      'backups.restores.approvers.1: must be a user or group entity ref, for example group:default/restore-approvers',
    ]);
    expect(
      problemsOf({ restores: { approvers: 'group:default/dba' } }),
    ).toEqual([
      'backups.restores.approvers: must be a list of user or group entity refs, for example [group:default/restore-approvers]',
    ]);
  });
});
