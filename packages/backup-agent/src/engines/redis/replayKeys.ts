import type Redis from 'ioredis';
import { keyspace } from './redisInfo';
import type { TemporaryRedisServer } from './TemporaryRedisServer';

const BATCH = 500;

/**
 * Copies every key of every database from `source` to the destination with DUMP + PTTL and
 * RESTORE ... REPLACE, so values, types and TTLs arrive as they were. Returns keys copied.
 */
export async function replayKeys(
  source: TemporaryRedisServer,
  connectDestination: (db: number) => Promise<Redis>,
): Promise<number> {
  let copied = 0;
  const databases = await withClient(source, 0, keyspace);
  for (const name of Object.keys(databases)) {
    const db = Number(name.slice(2));
    const from = await source.connect(db);
    const to = await connectDestination(db);
    try {
      let cursor = '0';
      do {
        const [next, keys] = await from.scanBuffer(cursor, 'COUNT', BATCH);
        cursor = next.toString();
        if (keys.length === 0) continue;
        const read = from.pipeline();
        for (const key of keys) read.dumpBuffer(key).pttl(key);
        const results = (await read.exec()) ?? [];
        const readError = results.find(([error]) => error)?.[0];
        if (readError)
          throw new Error(
            `reading keys of db ${db} from the RDB failed: ${readError.message}`,
          );
        const write = to.pipeline();
        keys.forEach((key, index) => {
          const payload = results[index * 2][1] as Buffer | null;
          const ttl = Number(results[index * 2 + 1][1]);
          // Gone or expired since the scan: nothing to restore.
          if (!payload || ttl === -2) return;
          write.restore(key, ttl > 0 ? ttl : 0, payload, 'REPLACE');
        });
        const written = (await write.exec()) ?? [];
        const writeError = written.find(([error]) => error)?.[0];
        if (writeError)
          throw new Error(
            `RESTORE into db ${db} failed: ${writeError.message}`,
          );
        copied += written.length;
      } while (cursor !== '0');
    } finally {
      from.disconnect();
      to.disconnect();
    }
  }
  return copied;
}

async function withClient<T>(
  server: TemporaryRedisServer,
  db: number,
  use: (client: Redis) => Promise<T>,
): Promise<T> {
  const client = await server.connect(db);
  try {
    return await use(client);
  } finally {
    client.disconnect();
  }
}
