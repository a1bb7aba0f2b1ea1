import type Docker from 'dockerode';
import type { TargetConfig } from '../config/loadConfig';
import type { EngineDriver } from '../engines/EngineDriver';
import type { SnapshotContext } from '../snapshots/SnapshotContext';
import { withMemberContainers } from './memberContainers';
import { isPermanentError } from './permanentErrors';

describe('isPermanentError: errors that waiting cannot cure', () => {
  it.each([
    'password authentication failed for user "safekeep"',
    'role "safekeep" is not permitted to log in',
    'no pg_hba.conf entry for host "10.0.0.5", user "safekeep", database "app"',
    'role "safekeep" does not exist',
    'database "orders" does not exist',
    'permission denied for table events',
    'WRONGPASS invalid username-password pair or user is disabled.',
    'NOAUTH Authentication required.',
    "NOPERM User safekeep has no permissions to run the 'bgsave' command",
    "Access denied for user 'safekeep'@'172.17.0.1' (using password: YES)",
    'OCI runtime exec failed: exec: "pg_dump": executable file not found in $PATH',
    'sh: redis-cli: command not found',
    'container postgres does not exist on the Docker Engine at unix:///var/run/docker.sock',
  ])('permanent: %s', message => {
    expect(isPermanentError(new Error(message))).toBe(true);
  });

  it.each([
    'connect ECONNREFUSED 127.0.0.1:5432',
    'the database system is starting up',
    'LOADING Redis is loading the dataset in memory',
    "Can't connect to server on '127.0.0.1' (115)",
    'read ECONNRESET',
  ])('worth a retry: %s', message => {
    expect(isPermanentError(new Error(message))).toBe(false);
  });
});

/**
 * The stop-all readiness wait: a member whose tools run in a container the group stopped gets it
 * started and its server waited for. A refused login must end the wait at once (the issue saw a
 * group down for 125 s retrying one), a server still starting is retried.
 */
describe('withMemberContainers: the readiness wait', () => {
  const target = {
    name: 'db',
    engine: 'fake-db',
    settings: {},
  } as TargetConfig;
  const group = { stopTimeoutSeconds: 1, readyTimeoutSeconds: 30 };

  function setUp(answers: Array<Error | string>) {
    const calls = {
      version: 0,
      started: [] as string[],
      stopped: [] as string[],
    };
    const docker = {
      getContainer: (name: string) => ({
        start: async () => void calls.started.push(name),
        stop: async () => void calls.stopped.push(name),
      }),
    } as unknown as Docker;
    const driver = {
      engine: 'fake-db',
      describe: () => 'PostgreSQL server in container pg',
      containerNeeds: () => [{ container: 'pg', state: 'running' }],
      serverVersion: async () => {
        const answer = answers[Math.min(calls.version, answers.length - 1)];
        calls.version++;
        if (answer instanceof Error) throw answer;
        return answer;
      },
    } as unknown as EngineDriver<unknown>;
    const context = {
      driverFor: () => driver,
      engineContext: () => ({ targetName: 'db', stagingDir: '/nonexistent' }),
      docker: () => ({ docker }),
      log: () => undefined,
    } as unknown as SnapshotContext;
    return { calls, context };
  }

  it('gives up at once on a refused login, and stops the container again', async () => {
    const { calls, context } = setUp([
      new Error('role "safekeep" is not permitted to log in'),
    ]);
    let readyMs = -1;
    const use = jest.fn();
    const began = Date.now();
    await expect(
      withMemberContainers(
        context,
        target,
        new Set(['pg']),
        group,
        ms => (readyMs = ms),
        use,
      ),
    ).rejects.toThrow(
      'PostgreSQL server in container pg refused the agent after starting pg: role "safekeep" is not permitted to log in',
    );
    // One try, no retry: a version that retried would ask again every 250 ms for 30 s.
    expect(calls.version).toBe(1);
    expect(Date.now() - began).toBeLessThan(2000);
    expect(readyMs).toBeGreaterThanOrEqual(0);
    expect(use).not.toHaveBeenCalled();
    expect(calls.started).toEqual(['pg']);
    expect(calls.stopped).toEqual(['pg']);
  });

  it('retries a server that is still starting, then runs the step', async () => {
    const { calls, context } = setUp([
      new Error('connect ECONNREFUSED 127.0.0.1:5432'),
      new Error('the database system is starting up'),
      '15.19',
    ]);
    const result = await withMemberContainers(
      context,
      target,
      new Set(['pg']),
      group,
      () => undefined,
      async () => 'dumped',
    );
    expect(result).toBe('dumped');
    expect(calls.version).toBe(3);
    expect(calls.stopped).toEqual(['pg']);
  });
});
