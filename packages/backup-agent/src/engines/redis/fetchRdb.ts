import type { CommandRunner, CommandSpec } from '../../exec/CommandRunner';
import type { RedisEndpoint } from './redisConnection';
import { redisPassword } from './redisConnection';

/** redis-cli's connection arguments; the password goes in REDISCLI_AUTH, never in argv. */
export function redisCliSpec(
  endpoint: RedisEndpoint,
  args: string[],
): CommandSpec {
  const password = redisPassword(endpoint);
  const user = endpoint.user ? ['--user', endpoint.user] : [];
  return {
    command: 'redis-cli',
    args: ['-h', endpoint.host, '-p', String(endpoint.port), ...user, ...args],
    env: password ? { REDISCLI_AUTH: password } : undefined,
    secrets: password ? [password] : [],
  };
}

/**
 * Asks the server for a fresh RDB over the replication protocol (`redis-cli --rdb`), into a
 * file. Not to stdout: redis-cli 7.0 appends the 40-byte EOF mark of a diskless transfer to
 * stdout, which would become part of the artifact.
 */
export async function fetchRdb(
  runner: CommandRunner,
  endpoint: RedisEndpoint,
  file: string,
  stagingDir: string,
): Promise<void> {
  // Where redis-cli can write: the staging folder, or /tmp in the target's container.
  const output = await runner.toolOutputFile(stagingDir, 'dump.rdb');
  try {
    const running = runner.run(redisCliSpec(endpoint, ['--rdb', output.path]));
    running.stdout.resume();
    try {
      await running.completion;
    } catch (error) {
      // rdbPath is a path on the agent's host: the config refuses it together with container.
      const alternative = runner.where.startsWith('in container')
        ? "or set the target's container to the one the server runs in, so the agent copies its RDB file"
        : 'or set rdbPath to the RDB file the server writes when the agent can read it';
      throw new Error(
        `fetching the RDB over the wire failed (${
          (error as Error).message
        }); the server must allow SYNC for this user and redis-cli must run ${
          runner.where
        }, ${alternative}`,
      );
    }
    await output.moveTo(file);
  } finally {
    await output.remove().catch(() => undefined);
  }
}
