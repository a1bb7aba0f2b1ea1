import { ConfigReader } from '@backstage/config';
import { BackupsConfigError, readBackupsConfig } from './readBackupsConfig';

function read(backups: unknown) {
  return readBackupsConfig(new ConfigReader({ backups } as any));
}

function problemsOf(backups: unknown): string[] {
  try {
    read(backups);
  } catch (error) {
    expect(error).toBeInstanceOf(BackupsConfigError);
    return (error as BackupsConfigError).problems;
  }
  throw new Error('expected a config error');
}

describe('readBackupsConfig', () => {
  it('reads agents and applies defaults', () => {
    const config = read({
      agents: {
        'demo-host': { url: 'http://127.0.0.1:7400/', token: 'secret-token' },
      },
    });
    expect(config.agents.get('demo-host')).toEqual({
      name: 'demo-host',
      url: 'http://127.0.0.1:7400',
      token: 'secret-token',
    });
    expect(config.dispatchIntervalSeconds).toBe(30);
    expect(config.defaultTimeZone).toBe('UTC');
  });

  it('works without a backups section (no agents)', () => {
    const config = readBackupsConfig(new ConfigReader({}));
    expect(config.agents.size).toBe(0);
  });

  it('names the key and the fix for each problem', () => {
    const problems = problemsOf({
      agents: {
        'demo-host': { url: 'ftp://host' },
        other: { url: 'not a url', token: '' },
      },
      dispatchIntervalSeconds: 0,
      defaultTimeZone: 'Mars/Olympus',
      dispatchInterval: 15,
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        'backups.agents.demo-host.url: must start with http:// or https://, not ftp://',
        expect.stringMatching(
          /^backups\.agents\.demo-host\.token: required: .*SAFEKEEP_AGENT_TOKEN/,
        ),
        expect.stringMatching(
          /^backups\.agents\.other\.url: "not a url" is not a URL/,
        ),
        expect.stringMatching(/^backups\.agents\.other\.token: is empty/),
        'backups.dispatchIntervalSeconds: must be at least 1 second',
        expect.stringMatching(
          /^backups\.defaultTimeZone: "Mars\/Olympus" is not a known IANA time zone/,
        ),
        expect.stringMatching(/^backups\.dispatchInterval: unknown key/),
      ]),
    );
  });

  it('refuses credentials in an agent URL without echoing them', () => {
    const problems = problemsOf({
      agents: { h: { url: 'http://u:hunter2@host:7400', token: 't' } },
    });
    expect(problems).toEqual([
      'backups.agents.h.url: must not contain credentials; put the agent token in the token field',
    ]);
    expect(problems.join()).not.toContain('hunter2');
  });
});
