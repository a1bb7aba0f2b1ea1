import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { CommandRunner } from '../../exec/CommandRunner';
import type { EngineBackup, EngineContext } from '../EngineDriver';
import { checkRdb, RdbFacts } from './checkRdb';
import { fetchRdb } from './fetchRdb';
import { connectRedis, describeServer } from './redisConnection';
import { keyspace, serverVersionOf, totalKeys } from './redisInfo';
import type { RedisSettings } from './redisSettings';
import { triggerBgsave } from './triggerBgsave';
import { toolEndpoint } from '../containerSetting';

export const RDB_ARTIFACT = 'dump.rdb';

/** Copies the server's own RDB file once BGSAVE finished; refuses a file the save did not write. */
async function copyServerRdb(
  settings: RedisSettings,
  rdbPath: string,
  requestedAt: number,
  copy: string,
): Promise<void> {
  const stat = await fsp.stat(rdbPath).catch(error => {
    throw new Error(
      `rdbPath ${rdbPath} cannot be read (${
        (error as NodeJS.ErrnoException).code
      }); point it at the RDB file the server writes, or leave it out to fetch the RDB over the wire`,
    );
  });
  // Two seconds of slack for clocks and filesystems with coarse timestamps.
  if (stat.mtimeMs < requestedAt - 2000) {
    throw new Error(
      `rdbPath ${rdbPath} was not written by the BGSAVE just done on ${describeServer(
        settings,
      )} (last modified ${stat.mtime.toISOString()}); ` +
        "it is not this server's RDB file: check the server's dir and dbfilename settings",
    );
  }
  await fsp.copyFile(rdbPath, copy);
}

/**
 * One artifact, the RDB: either the server's own file after a BGSAVE (rdbPath) or a fresh one
 * fetched with `redis-cli --rdb`. It is staged locally so redis-check-rdb can validate it and
 * count its keys before it is stored.
 */
export async function backupRedis(
  runners: { runner: CommandRunner; localRunner: CommandRunner },
  settings: RedisSettings,
  context: EngineContext,
): Promise<EngineBackup> {
  await fsp.mkdir(context.stagingDir, { recursive: true, mode: 0o700 });
  const staged = path.join(
    context.stagingDir,
    `redis-${randomBytes(6).toString('hex')}.rdb`,
  );
  const where = describeServer(settings);
  const client = await connectRedis(settings);
  let details: Record<string, unknown>;
  try {
    const serverVersion = await serverVersionOf(client);
    if (settings.rdbPath) {
      const requestedAt = Date.now();
      await triggerBgsave(client, {
        timeoutMs: settings.saveTimeoutSeconds * 1000,
        where,
        log: context.log,
      });
      await copyServerRdb(settings, settings.rdbPath, requestedAt, staged);
    } else {
      await fetchRdb(
        runners.runner,
        toolEndpoint(settings),
        staged,
        context.stagingDir,
      );
    }
    // Taken right after the snapshot: exact unless clients write meanwhile (see compareRedisDetails).
    const databases = await keyspace(client);
    const facts: RdbFacts | undefined = await checkRdb(
      runners.localRunner,
      staged,
      'the RDB just taken',
    );
    if (!facts)
      context.log(
        'redis-check-rdb is not installed: the RDB was not validated, and the key count comes from the live server',
      );
    details = {
      serverVersion,
      keys: facts?.keys ?? totalKeys(databases),
      keysWithTtl: facts?.expires ?? 0,
      keysCountedFrom: facts ? 'the RDB file' : 'the live server',
      databases,
    };
  } catch (error) {
    await fsp.rm(staged, { force: true });
    throw error;
  } finally {
    client.disconnect();
  }
  return {
    async *artifacts() {
      yield {
        name: RDB_ARTIFACT,
        description: settings.rdbPath
          ? `RDB file ${settings.rdbPath} after BGSAVE on ${where}`
          : `RDB of ${where} (redis-cli --rdb)`,
        stream: fs.createReadStream(staged),
      };
    },
    details: async () => details,
    close: () => fsp.rm(staged, { force: true }),
  };
}
