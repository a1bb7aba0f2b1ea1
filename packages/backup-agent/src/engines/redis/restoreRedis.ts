import { randomBytes } from 'node:crypto';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { CommandRunner } from '../../exec/CommandRunner';
import { siblingTempPath, writeStreamToNewFile } from '../../fs/durable';
import type { EngineContext, RestoreArtifact } from '../EngineDriver';
import { RDB_ARTIFACT } from './backupRedis';
import { checkRdb } from './checkRdb';
import { connectRedis, describeServer } from './redisConnection';
import type { RedisSettings } from './redisSettings';
import { replaceRdbFile } from './replaceRdbFile';
import { replayKeys } from './replayKeys';
import { TemporaryRedisServer } from './TemporaryRedisServer';

/** Loads the snapshot's keys into the running server through a temporary redis-server. */
async function replay(
  runners: { localRunner: CommandRunner },
  settings: RedisSettings,
  flush: boolean,
  prepared: string,
  context: EngineContext,
): Promise<void> {
  const where = describeServer(settings);
  const dir = path.join(
    context.stagingDir,
    `redis-replay-${randomBytes(6).toString('hex')}`,
  );
  const source = await TemporaryRedisServer.start(
    runners.localRunner,
    prepared,
    dir,
  );
  try {
    const destination = await connectRedis(settings);
    try {
      if (flush) {
        await destination.flushall();
        context.log(`emptied ${where} (FLUSHALL) before loading the snapshot`);
      }
    } finally {
      destination.disconnect();
    }
    const copied = await replayKeys(source, db => connectRedis(settings, db));
    context.log(
      `loaded ${copied} key(s) into ${where}${
        flush ? '' : ' (keys not in the snapshot were left as they are)'
      }`,
    );
  } finally {
    await source.stop();
  }
}

/**
 * The RDB is first written to a local file and checked (checksum in flight, then
 * redis-check-rdb), so a broken snapshot never reaches the server. Then either its keys are
 * replayed into the running server, or it replaces the server's file while it is stopped.
 */
export async function restoreRedis(
  runners: { runner: CommandRunner; localRunner: CommandRunner },
  settings: RedisSettings,
  artifacts: RestoreArtifact[],
  context: EngineContext,
): Promise<void> {
  if (artifacts.length !== 1 || artifacts[0].name !== RDB_ARTIFACT) {
    throw new Error(
      `a Redis snapshot holds exactly one artifact, ${RDB_ARTIFACT}; this one has ${
        artifacts.map(a => a.name).join(', ') || 'none'
      }`,
    );
  }
  const restore = settings.restore;
  const target =
    restore.mode === 'replace-file'
      ? (restore.rdbPath ?? settings.rdbPath)!
      : undefined;
  // Next to the server's file, so putting it in place is a rename on the same filesystem.
  await fsp.mkdir(target ? path.dirname(target) : context.stagingDir, {
    recursive: true,
    mode: 0o700,
  });
  const prepared = target
    ? siblingTempPath(target, 'safekeep-restore')
    : path.join(
        context.stagingDir,
        `restore-${randomBytes(6).toString('hex')}.rdb`,
      );
  try {
    await writeStreamToNewFile(await artifacts[0].open(), prepared);
    if (
      !(await checkRdb(
        runners.localRunner,
        prepared,
        `the snapshot's ${RDB_ARTIFACT}`,
      ))
    ) {
      context.log(
        'redis-check-rdb is not installed: the RDB is used without that validation',
      );
    }
    if (restore.mode === 'replay')
      await replay(runners, settings, restore.flush, prepared, context);
    else
      await replaceRdbFile(
        runners.runner,
        settings,
        restore,
        prepared,
        context,
      );
  } finally {
    await fsp.rm(prepared, { force: true });
  }
}
