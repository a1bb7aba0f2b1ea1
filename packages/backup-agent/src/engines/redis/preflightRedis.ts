import type { CommandRunner } from '../../exec/CommandRunner';
import type { EngineContext, Preflight } from '../EngineDriver';
import { toolProblem } from '../toolPresent';
import { withRedis } from './redisConnection';
import { readInfo } from './redisInfo';
import type { RedisSettings } from './redisSettings';
import { serverRdbInContainer } from './serverRdbFile';

/**
 * Before a group stops anything: the login works (the caller's version query), BGSAVE is allowed,
 * and the RDB can be had: the server's file through its container (CONFIG GET dir), rdbPath,
 * or redis-cli where the tools run. Its dataset size is what the RDB stages at most.
 */
export async function preflightRedis(
  runner: CommandRunner,
  settings: RedisSettings,
  context: EngineContext,
): Promise<Preflight> {
  return withRedis(settings, async client => {
    const problems: string[] = [];
    const memory = await readInfo(client, 'memory');
    const stagingBytes = Number(memory.get('used_memory_dataset') ?? 0);
    const allowed = (await client
      .call('ACL', 'DRYRUN', settings.user ?? 'default', 'BGSAVE')
      .catch(() => 'OK')) as string;
    if (allowed !== 'OK')
      problems.push(
        `${
          settings.user ?? 'the default user'
        } may not run BGSAVE (${allowed}); grant it (ACL SETUSER ${
          settings.user ?? 'default'
        } +bgsave +info +lastsave +config|get)`,
      );
    if (settings.rdbPath) return { problems, stagingBytes };
    if (settings.container) {
      const found = await serverRdbInContainer(
        client,
        context.docker(),
        settings.container.name,
      );
      if ('path' in found) return { problems, stagingBytes };
      const missing = await toolProblem(
        runner,
        'redis-cli',
        `name the container the server runs in (targets.${context.targetName}.container), where its RDB file is copied from, or install redis-cli in it`,
      );
      if (missing) problems.push(`${found.unavailable}, and ${missing}`);
      return { problems, stagingBytes };
    }
    const missing = await toolProblem(
      runner,
      'redis-cli',
      `install redis-tools on the agent's host, or set targets.${context.targetName}.rdbPath to the RDB file the server writes`,
    );
    if (missing) problems.push(missing);
    return { problems, stagingBytes };
  });
}
