import type Redis from 'ioredis';

const SETTING = 'repl-diskless-sync-delay';

/**
 * Runs `fetch` (redis-cli --rdb) with the server's repl-diskless-sync-delay at 0, then puts the
 * old value back. A server with diskless sync (Redis 7's default) waits that long (5 s by default)
 * before it streams an RDB to a new replica, to serve several at once; in a group cut the
 * writers would wait with it. Without the right to CONFIG, the fetch waits the delay out.
 */
export async function withoutDisklessSyncDelay<T>(
  client: Redis,
  log: (message: string) => void,
  fetch: () => Promise<T>,
): Promise<T> {
  let previous: string | undefined;
  try {
    const [, value] = (await client.config('GET', SETTING)) as string[];
    if (value !== undefined && value !== '0') {
      await client.config('SET', SETTING, '0');
      previous = value;
      log(`${SETTING} ${value} -> 0 for the RDB fetch`);
    }
  } catch (error) {
    log(
      `cannot set ${SETTING} to 0 (${
        (error as Error).message
      }): the RDB fetch waits the server's delay out`,
    );
  }
  try {
    return await fetch();
  } finally {
    if (previous !== undefined) {
      await client.config('SET', SETTING, previous).then(
        () => log(`${SETTING} set back to ${previous}`),
        error =>
          log(
            `could not set ${SETTING} back to ${previous} (${
              (error as Error).message
            }): set it by hand`,
          ),
      );
    }
  }
}
