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
import { StartedSave, startBgsave } from './triggerBgsave';
import { serverRdbInContainer } from './serverRdbFile';
import type Redis from 'ioredis';
import { toolEndpoint } from '../containerSetting';
import { ensurePrivateFolder } from '../../fs/privateFolder';
import { withoutDisklessSyncDelay } from './withoutDisklessSyncDelay';

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

/** How the RDB reaches the staging folder once the point in time is fixed. */
type RdbCopy =
  | { kind: 'file'; description: string; copyTo(staged: string): Promise<void> }
  | { kind: 'wire'; description: string };

/** The server's own file when the agent can reach it (rdbPath, or its container), else the wire. */
async function chooseCopy(
  client: Redis,
  settings: RedisSettings,
  context: EngineContext,
  where: string,
): Promise<RdbCopy> {
  if (settings.rdbPath) {
    const rdbPath = settings.rdbPath;
    const requestedAt = Date.now();
    return {
      kind: 'file',
      description: `RDB file ${rdbPath} after BGSAVE on ${where}`,
      copyTo: staged => copyServerRdb(settings, rdbPath, requestedAt, staged),
    };
  }
  if (settings.container) {
    const found = await serverRdbInContainer(
      client,
      context.docker(),
      settings.container.name,
    );
    if ('path' in found)
      return {
        kind: 'file',
        description: `RDB file ${found.path} of container ${found.container} after BGSAVE on ${where}`,
        copyTo: staged => found.copyTo(staged),
      };
    context.log(
      `${found.unavailable}: fetching the RDB with redis-cli --rdb in container ${settings.container.name} instead`,
    );
  }
  return { kind: 'wire', description: `RDB of ${where} (redis-cli --rdb)` };
}

/**
 * One artifact, the RDB, staged locally so redis-check-rdb can validate it and count its keys
 * before it is stored. When the agent can reach the server's own RDB file (rdbPath, or through
 * the target's container), backup() returns as soon as the server forked for BGSAVE: that is
 * the point in time, and the file is copied afterwards. Otherwise a fresh RDB is fetched with
 * `redis-cli --rdb` inside backup(), with the server's repl-diskless-sync-delay at 0 meanwhile
 * where CONFIG is allowed (withoutDisklessSyncDelay).
 */
export async function backupRedis(
  runners: { runner: CommandRunner; localRunner: CommandRunner },
  settings: RedisSettings,
  context: EngineContext,
): Promise<EngineBackup> {
  await ensurePrivateFolder(context.stagingDir);
  const staged = path.join(
    context.stagingDir,
    `redis-${randomBytes(6).toString('hex')}.rdb`,
  );
  const where = describeServer(settings);
  const client = await connectRedis(settings);
  let copy: RdbCopy;
  let save: StartedSave | undefined;
  let serverVersion: string;
  let databases: Record<string, { keys: number }>;
  try {
    serverVersion = await serverVersionOf(client);
    copy = await chooseCopy(client, settings, context, where);
    if (copy.kind === 'file') {
      save = await startBgsave(client, {
        timeoutMs: settings.saveTimeoutSeconds * 1000,
        where,
        log: context.log,
      });
    } else {
      await withoutDisklessSyncDelay(client, context.log, () =>
        fetchRdb(
          runners.runner,
          toolEndpoint(settings),
          staged,
          context.stagingDir,
        ),
      );
    }
    // Taken right at the point in time: exact unless clients write meanwhile (see compareRedisDetails).
    databases = await keyspace(client);
  } catch (error) {
    client.disconnect();
    await fsp.rm(staged, { force: true });
    throw error;
  }
  let details: Record<string, unknown> = {};
  return {
    async *artifacts() {
      if (save && copy.kind === 'file') {
        await save.finished();
        await copy.copyTo(staged);
        await save.assertStillLatest();
      }
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
      yield {
        name: RDB_ARTIFACT,
        description: copy.description,
        stream: fs.createReadStream(staged),
        neverEmpty: true,
      };
    },
    details: async () => details,
    async close() {
      client.disconnect();
      await fsp.rm(staged, { force: true });
    },
  };
}
