import path from 'node:path';
import fsp from 'node:fs/promises';
import type { CommandRunner } from '../../exec/CommandRunner';
import { fsyncDir } from '../../fs/durable';
import type { EngineContext } from '../EngineDriver';
import {
  redisPassword,
  describeServer,
  isRunning,
  withRedis,
} from './redisConnection';
import type { RedisSettings } from './redisSettings';
import { waitFor } from './waitFor';
import { readInfo } from './redisInfo';

type ReplaceFile = Extract<RedisSettings['restore'], { mode: 'replace-file' }>;

async function runConfigured(
  runner: CommandRunner,
  settings: RedisSettings,
  argv: string[],
  what: string,
): Promise<void> {
  const password = redisPassword(settings);
  // The commands may need to talk to the server (redis-cli shutdown): they get the password the
  // same way redis-cli does, in the environment.
  const running = runner.run({
    command: argv[0],
    args: argv.slice(1),
    env: password ? { REDISCLI_AUTH: password } : {},
    secrets: password ? [password] : [],
  });
  running.stdout.resume();
  try {
    await running.completion;
  } catch (error) {
    throw new Error(
      `${what} (${argv.join(' ')}) failed: ${(error as Error).message}`,
    );
  }
}

/**
 * Stops the server (restore.stopCommand), puts the validated RDB in place of its file (the old
 * one kept as <file>.before-restore), and starts it again (restore.startCommand). When the swap
 * fails after the stop, the server is started again on its old file.
 */
export async function replaceRdbFile(
  runner: CommandRunner,
  settings: RedisSettings,
  restore: ReplaceFile,
  prepared: string,
  context: EngineContext,
): Promise<void> {
  const rdbPath = (restore.rdbPath ?? settings.rdbPath)!;
  const where = describeServer(settings);
  if (await isRunning(settings)) {
    const appendonly = await withRedis(settings, async client =>
      (await readInfo(client, 'persistence')).get('aof_enabled'),
    );
    if (appendonly === '1') {
      throw new Error(
        `${where} uses an append-only file (appendonly yes): on start it would load that, not ${rdbPath}; restore with mode replay instead; nothing was changed`,
      );
    }
    if (!restore.stopCommand) {
      throw new Error(
        `${where} is running: its RDB file can only be replaced while it is stopped; set restore.stopCommand (and startCommand), stop it yourself and restore again, or use mode replay; nothing was changed`,
      );
    }
    await runConfigured(
      runner,
      settings,
      restore.stopCommand,
      'restore.stopCommand',
    );
    await waitFor(
      async () => ((await isRunning(settings)) ? undefined : true),
      {
        timeoutMs: 60_000,
        intervalMs: 200,
        timeoutMessage: () =>
          `${where} still answers 60 s after restore.stopCommand; nothing was changed`,
      },
    );
    context.log(`stopped ${where}`);
  }

  const previous = `${rdbPath}.before-restore`;
  try {
    await fsp.rm(previous, { force: true });
    await fsp.rename(rdbPath, previous).catch(error => {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    });
    await fsp.rename(prepared, rdbPath);
    await fsyncDir(path.dirname(rdbPath));
  } catch (error) {
    await fsp.rename(previous, rdbPath).catch(() => undefined);
    if (restore.startCommand)
      await runConfigured(
        runner,
        settings,
        restore.startCommand,
        'restore.startCommand',
      ).catch(() => undefined);
    throw new Error(
      `replacing ${rdbPath} failed, the old file is back in place: ${
        (error as Error).message
      }`,
    );
  }
  context.log(`replaced ${rdbPath} (the previous file is kept as ${previous})`);

  if (!restore.startCommand) {
    context.log(
      `restore.startCommand is not set: start ${where} yourself; it loads ${rdbPath} on start`,
    );
    return;
  }
  await runConfigured(
    runner,
    settings,
    restore.startCommand,
    'restore.startCommand',
  );
  await waitFor(
    async () => {
      try {
        return await withRedis(settings, async client =>
          (await readInfo(client, 'persistence')).get('loading') === '0'
            ? true
            : undefined,
        );
      } catch {
        return undefined;
      }
    },
    {
      timeoutMs: restore.startTimeoutSeconds * 1000,
      intervalMs: 200,
      timeoutMessage: () =>
        `${where} did not answer within ${restore.startTimeoutSeconds} s after restore.startCommand; ${rdbPath} is in place, check the server's log (the previous file is ${previous})`,
    },
  );
  context.log(`started ${where} on the restored RDB`);
}
