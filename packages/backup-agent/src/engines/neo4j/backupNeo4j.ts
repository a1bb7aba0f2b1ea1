import type { Readable } from 'node:stream';
import { AgentContainer } from '../../docker/AgentContainer';
import { siblingTemplate, volumeAt } from '../../docker/siblingTemplate';
import { StoppedContainer } from '../../docker/StoppedContainer';
import { openSingleFile, tarWithDirectory } from '../../docker/tarFiles';
import type { EngineBackup, EngineContext } from '../EngineDriver';
import type { Neo4jSettings } from './neo4jSettings';

/** Where the sibling writes the dump: its own writable layer, read out with the archive API. */
export const DUMP_DIR = '/safekeep-dump';

export function dumpArtifactName(database: string): string {
  return `${database}.dump`;
}

/**
 * `neo4j-admin database dump` needs the store to itself, and a stopped container cannot run
 * commands: a sibling container from the same image with the same volumes (both found by
 * inspecting the Neo4j container now) runs it while the Neo4j container is stopped. The Neo4j
 * container is started again as soon as the dump exists, before the dump is streamed to
 * storage out of the stopped sibling; the sibling is removed at close, whatever happened.
 */
export async function backupNeo4j(
  settings: Neo4jSettings,
  context: EngineContext,
): Promise<EngineBackup> {
  const runtime = context.docker();
  const template = await siblingTemplate(runtime, settings.container);
  volumeAt(
    template,
    settings.dataPath,
    `targets.${context.targetName}.dataPath`,
  );
  const stopped = await StoppedContainer.stopIfRunning(
    runtime,
    settings.container,
    template.running,
    context.log,
    `the Neo4j dump of target ${context.targetName}`,
  );
  let sibling: AgentContainer | undefined;
  try {
    sibling = await AgentContainer.create(runtime.docker, {
      purpose: 'sibling',
      forName: context.targetName,
      image: template.image,
      cmd: [
        'neo4j-admin',
        'database',
        'dump',
        settings.database,
        `--to-path=${DUMP_DIR}`,
      ],
      user: template.user,
      volumes: template.volumes,
    });
    // An empty folder anyone may write to: the image's user may not be root.
    await sibling.putArchive(
      tarWithDirectory(DUMP_DIR.slice(1), { mode: 0o777 }),
      '/',
    );
    const dump = await sibling.start();
    dump.stdout.resume();
    try {
      await dump.completion;
    } catch (error) {
      throw new Error(
        `neo4j-admin database dump ${
          settings.database
        } failed in a sibling of ${settings.container}: ${
          (error as Error).message
        }`,
      );
    }
  } catch (error) {
    await sibling?.remove().catch(() => undefined);
    await stopped
      .start(context.log)
      .catch(e => context.log((e as Error).message));
    throw error;
  }
  await stopped.start(context.log);

  const dumpSibling = sibling;
  return {
    async *artifacts() {
      const archive = await dumpSibling.getArchive(
        `${DUMP_DIR}/${dumpArtifactName(settings.database)}`,
      );
      const stream: Readable = await openSingleFile(
        archive,
        `the dump of ${settings.database}`,
      );
      yield {
        name: dumpArtifactName(settings.database),
        description: `neo4j-admin database dump ${settings.database} (sibling of container ${settings.container}, image ${template.imageName})`,
        stream,
      };
    },
    details: async () => ({
      database: settings.database,
      ...(stopped.downtimeMs !== undefined
        ? { downtimeMs: stopped.downtimeMs }
        : {}),
    }),
    close: () => dumpSibling.remove(),
  };
}
