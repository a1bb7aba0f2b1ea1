import { AgentContainer } from '../../docker/AgentContainer';
import { siblingTemplate, volumeAt } from '../../docker/siblingTemplate';
import { StoppedContainer } from '../../docker/StoppedContainer';
import { tarStreamOfFile, tarWithDirectory } from '../../docker/tarFiles';
import type { EngineContext, RestoreArtifact } from '../EngineDriver';
import { dumpArtifactName } from './backupNeo4j';
import type { Neo4jSettings } from './neo4jSettings';

const LOAD_DIR = '/safekeep-load';

/**
 * Puts the dump into a sibling container (same image and volumes as the Neo4j container) with
 * the archive API, streamed and checked against its recorded size and checksum, then runs
 * `neo4j-admin database load --overwrite-destination=true` while the Neo4j container is
 * stopped. A failed load leaves the container stopped: its store may be half-written, and
 * starting Neo4j on it is for a person to decide.
 */
export async function restoreNeo4j(
  settings: Neo4jSettings,
  artifacts: RestoreArtifact[],
  context: EngineContext,
): Promise<void> {
  const name = dumpArtifactName(settings.database);
  const artifact = artifacts.find(a => a.name === name);
  if (!artifact || artifacts.length !== 1) {
    throw new Error(
      `a Neo4j snapshot of database ${
        settings.database
      } holds exactly one artifact, ${name}; this one has ${
        artifacts.map(a => a.name).join(', ') || 'none'
      }`,
    );
  }
  if (artifact.rawBytes === undefined)
    throw new Error(
      `the size of ${name} is not recorded, so it cannot be streamed into a container`,
    );
  const runtime = context.docker();
  const template = await siblingTemplate(runtime, settings.container);
  volumeAt(
    template,
    settings.dataPath,
    `targets.${context.targetName}.dataPath`,
  );

  const sibling = await AgentContainer.create(runtime.docker, {
    purpose: 'sibling',
    forName: context.targetName,
    image: template.image,
    cmd: [
      'neo4j-admin',
      'database',
      'load',
      settings.database,
      `--from-path=${LOAD_DIR}`,
      '--overwrite-destination=true',
    ],
    user: template.user,
    volumes: template.volumes,
  });
  let stopped: StoppedContainer | undefined;
  try {
    // Copied in before anything is stopped: a broken stream fails here, with Neo4j untouched.
    await sibling.putArchive(
      tarWithDirectory(LOAD_DIR.slice(1), { mode: 0o755 }),
      '/',
    );
    await sibling.putArchive(
      tarStreamOfFile(name, artifact.rawBytes, await artifact.open(), {
        mode: 0o644,
      }),
      LOAD_DIR,
    );

    stopped = await StoppedContainer.stopIfRunning(
      runtime,
      settings.container,
      template.running,
      context.log,
    );
    const load = await sibling.start();
    load.stdout.resume();
    try {
      await load.completion;
    } catch (error) {
      const state =
        stopped.wasStopped || !template.running
          ? `container ${settings.container} is left stopped`
          : `container ${settings.container} was not running`;
      throw new Error(
        `neo4j-admin database load ${settings.database} failed, ${state}: ${
          (error as Error).message
        }; fix the cause and restore again`,
      );
    }
    await stopped.start(context.log);
  } finally {
    await sibling
      .remove()
      .catch(error =>
        context.log(
          `could not remove ${sibling.name}: ${(error as Error).message}`,
        ),
      );
  }
}
