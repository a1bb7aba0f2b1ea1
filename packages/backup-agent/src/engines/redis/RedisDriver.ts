import type { CommandRunner } from '../../exec/CommandRunner';
import { LocalProcessRunner } from '../../exec/LocalProcessRunner';
import type { EngineDriver } from '../EngineDriver';
import { execContainerNeeds, toolRunner } from '../containerSetting';
import { parseDatabaseDestination } from '../parseDatabaseDestination';
import { backupRedis } from './backupRedis';
import { compareRedisDetails } from './compareRedisDetails';
import { emptyScratchRedis } from './emptyScratchRedis';
import { checkRedis, inspectRedis } from './inspectRedis';
import { withRedis } from './redisConnection';
import { serverVersionOf } from './redisInfo';
import { redisManualSteps } from './redisManualSteps';
import { preflightRedis } from './preflightRedis';
import { RedisSettings, redisSettingsSchema } from './redisSettings';
import { restoreRedis } from './restoreRedis';

export interface RedisDriverOptions {
  /** Where tools that talk to the server run (redis-cli --rdb, restore commands), unless the target sets `container`. */
  runner: CommandRunner;
  /** Where tools that read staged local files run: redis-check-rdb, the temporary redis-server. */
  localRunner: CommandRunner;
}

/** Parses `host:port` (the database part of a generic destination does not apply to Redis). */
function parseEndpoint(destination: string): { host: string; port?: number } {
  const parsed = parseDatabaseDestination(`${destination}/-`, 'Redis');
  if (!parsed.host)
    throw new Error(
      `"${destination}" is not a Redis destination; write host or host:port`,
    );
  return { host: parsed.host, port: parsed.port };
}

/** Redis and Valkey through their RDB snapshot: BGSAVE or `redis-cli --rdb`, checked with redis-check-rdb. */
export function createRedisDriver(
  options: RedisDriverOptions,
): EngineDriver<RedisSettings> {
  const runners = options;
  return {
    engine: 'redis',
    capabilities: { labelDiscovery: true, containerExec: true, network: true },
    settingsSchema: redisSettingsSchema,
    describe: settings =>
      `Redis/Valkey at ${settings.host}:${settings.port}${
        settings.container
          ? ` (tools in container ${settings.container.name})`
          : ''
      }`,

    withDestination(settings, destination) {
      const endpoint = parseEndpoint(destination);
      // Another server: its RDB file is unknown, so the snapshot is replayed into it.
      return {
        ...settings,
        host: endpoint.host,
        port: endpoint.port ?? settings.port,
        rdbPath: undefined,
        container: undefined,
        restore: { mode: 'replay', flush: true },
      };
    },

    async serverVersion(settings) {
      try {
        return await withRedis(settings, serverVersionOf);
      } catch (error) {
        // A server stopped for a file restore has no version to report.
        if (
          settings.restore.mode === 'replace-file' &&
          /ECONNREFUSED/.test((error as Error).message)
        )
          return null;
        throw error;
      }
    },

    backup: (settings, context) =>
      backupRedis(
        {
          ...runners,
          runner: toolRunner(runners.runner, settings.container, context),
        },
        settings,
        context,
      ),
    inspectDestination: inspectRedis,
    dropDestination: emptyScratchRedis,
    restore: (settings, artifacts, context) =>
      restoreRedis(
        {
          ...runners,
          runner: toolRunner(runners.runner, settings.container, context),
        },
        settings,
        artifacts,
        context,
      ),
    containerNeeds: settings => execContainerNeeds(settings.container),
    // backup() returns once BGSAVE forked (or the RDB was fetched); the copy streams afterwards.
    pointInTime: 'backup',
    preflight: (settings, context) =>
      preflightRedis(
        toolRunner(runners.runner, settings.container, context),
        settings,
        context,
      ),
    check: checkRedis,
    compareDetails: compareRedisDetails,
    manualRestoreSteps: redisManualSteps,
  };
}

const local = new LocalProcessRunner();
export const redisDriver = createRedisDriver({
  runner: local,
  localRunner: local,
});
