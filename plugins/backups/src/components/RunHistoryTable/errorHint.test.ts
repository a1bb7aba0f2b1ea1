import { errorHint } from './errorHint';

const run = { status: 'failed' as const, agent: 'db-host-1', target: 'orders' };

describe('errorHint', () => {
  it('has nothing to say about a run without an error', () => {
    expect(
      errorHint({ ...run, status: 'succeeded', error: null }),
    ).toBeUndefined();
  });

  it.each([
    [
      'connect ECONNREFUSED 10.0.0.5:7430',
      /agent or the service could not be reached/,
    ],
    [
      'pg_dump: error: FATAL: password authentication failed for user "app"',
      /Credentials were refused/,
    ],
    [
      'write /var/backups/x: ENOSPC: no space left on device',
      /storage is full/,
    ],
    ['open /data/dump.rdb: permission denied', /may not read the source/],
    ['sha256 mismatch after upload', /did not verify/],
    ['unknown target "orderz"', /compare safekeep.io\/target/],
  ])('explains %s', (error, hint) => {
    expect(errorHint({ ...run, error })).toMatch(hint);
  });

  it('points at the agent log when the error is not one it knows', () => {
    expect(errorHint({ ...run, error: 'exit code 3' })).toBe(
      'See the log of agent "db-host-1" for target "orders".',
    );
  });

  it('explains an interrupted run even without an error text', () => {
    expect(errorHint({ ...run, status: 'interrupted', error: null })).toMatch(
      /next scheduled run tries again/,
    );
  });
});
