import net from 'node:net';
import type Redis from 'ioredis';
import { DropRefusedError } from '../../snapshots/errors';
import { sameServer } from '../sameServer';
import { describeServer, withRedis } from './redisConnection';
import { keyspaceOf, parseInfo, readInfo, totalKeys } from './redisInfo';
import type { RedisSettings } from './redisSettings';

const runIdOf = async (client: Redis) =>
  (await readInfo(client, 'server')).get('run_id');

/** The own server's run_id; none when it does not answer (then it is not what answered here). */
async function ownRunId(own: RedisSettings): Promise<string | undefined> {
  return withRedis(own, runIdOf).catch(() => undefined);
}

/** The reply of each command in an EXEC, or the first error (also one that aborted the transaction). */
function repliesOf(results: [Error | null, unknown][] | null): unknown[] {
  if (!results) throw new Error('the transaction was discarded');
  const failed = results.find(([error]) => error);
  if (failed) throw failed[0];
  return results.map(([, reply]) => reply);
}

/**
 * Empties a scratch Redis server a restore replayed into (`--to host:port`): a Redis destination
 * is a whole server, so dropping it is FLUSHALL. The target's own server is refused, by address
 * and, for a second name or a forwarded port that reaches it, by its run_id.
 */
export async function emptyScratchRedis(
  settings: RedisSettings,
  own: RedisSettings,
): Promise<string> {
  const where = `${
    net.isIPv6(settings.host) ? `[${settings.host}]` : settings.host
  }:${settings.port}`;
  const refusal = (why: string) =>
    new DropRefusedError(
      `refusing to empty Redis at ${where}: it is the target's own server (${own.host}:${own.port}${why}); only a restore destination elsewhere can be dropped`,
    );
  if (await sameServer(settings, own)) throw refusal('');
  return withRedis(settings, async client => {
    const runId = await runIdOf(client);
    if (runId !== undefined && runId === (await ownRunId(own)))
      throw refusal(' answers with the same run_id');
    let replies: unknown[];
    try {
      // One transaction: the count is of exactly the keys FLUSHALL removes.
      replies = repliesOf(
        await client.multi().info('keyspace').flushall().exec(),
      );
    } catch (error) {
      const previous = (error as { previousErrors?: Error[] })
        .previousErrors?.[0];
      throw new Error(
        `cannot empty ${describeServer(settings)}: ${
          (previous ?? (error as Error)).message
        }`,
      );
    }
    const removed = totalKeys(keyspaceOf(parseInfo(String(replies[0]))));
    return `emptied scratch Redis at ${where} (${removed} key${
      removed === 1 ? '' : 's'
    } removed)`;
  });
}
