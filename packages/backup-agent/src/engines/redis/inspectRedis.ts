import fsp from 'node:fs/promises';
import type { DestinationState } from '../EngineDriver';
import { describeServer, isRunning, withRedis } from './redisConnection';
import { keyspace, totalKeys } from './redisInfo';
import type { RedisSettings } from './redisSettings';

export async function inspectRedis(
  settings: RedisSettings,
): Promise<DestinationState> {
  const where = describeServer(settings);
  if (
    settings.restore.mode === 'replace-file' &&
    !(await isRunning(settings))
  ) {
    const file = (settings.restore.rdbPath ?? settings.rdbPath)!;
    const stat = await fsp.stat(file).catch(() => undefined);
    return stat && stat.size > 0
      ? {
          empty: false,
          summary: `${where} is stopped and its RDB file ${file} holds ${stat.size} bytes`,
        }
      : {
          empty: true,
          summary: `${where} is stopped and has no RDB file at ${file}`,
        };
  }
  const databases = await withRedis(settings, keyspace);
  const keys = totalKeys(databases);
  if (keys === 0) return { empty: true, summary: `${where} holds no keys` };
  const perDb = Object.entries(databases)
    .map(([db, { keys: n }]) => `${db}: ${n}`)
    .join(', ');
  return { empty: false, summary: `${where} holds ${keys} key(s) (${perDb})` };
}

/** Key counts at the destination, shaped like the details recorded at backup. */
export async function checkRedis(
  settings: RedisSettings,
): Promise<Record<string, unknown>> {
  const databases = await withRedis(settings, keyspace);
  return { keys: totalKeys(databases), databases };
}
