import { siblingTemplate, volumeAt } from '../../docker/siblingTemplate';
import type { DockerRuntime } from '../../docker/DockerRuntime';
import type {
  EngineContext,
  EngineDriver,
  ManualArtifact,
} from '../EngineDriver';
import { runInVolume } from '../volume/volumeTar';
import { backupNeo4j } from './backupNeo4j';
import { Neo4jSettings, neo4jSettingsSchema } from './neo4jSettings';
import { neo4jVersion } from './neo4jVersion';
import { restoreNeo4j } from './restoreNeo4j';

/** Entries in databases/<db> of the data volume, read by a helper container. */
async function databaseEntries(
  runtime: DockerRuntime,
  settings: Neo4jSettings,
  context: EngineContext,
): Promise<{ volume: string; entries: number }> {
  const template = await siblingTemplate(runtime, settings.container);
  const data = volumeAt(
    template,
    settings.dataPath,
    `targets.${context.targetName}.dataPath`,
  );
  const listing = await runInVolume(
    runtime,
    context.targetName,
    data.volume,
    `ls -A /volume/databases/${settings.database} 2>/dev/null || true`,
    true,
  );
  return {
    volume: data.volume,
    entries: listing.split('\n').filter(Boolean).length,
  };
}

/**
 * Neo4j (Community Edition has no online backup): `neo4j-admin database dump` and `load` in a
 * sibling container while the Neo4j container is stopped (seed 001). Works in consistency
 * groups (the group stops the container) and alone (the driver stops and starts it).
 */
export const neo4jDriver: EngineDriver<Neo4jSettings> = {
  engine: 'neo4j',
  capabilities: { labelDiscovery: true, containerExec: true },
  settingsSchema: neo4jSettingsSchema,
  describe: settings =>
    `Neo4j database ${settings.database} of container ${settings.container}`,
  withDestination(settings, destination) {
    return neo4jSettingsSchema().parse({ ...settings, database: destination });
  },
  serverVersion: (settings, context) =>
    neo4jVersion(context.docker(), settings.container),
  backup: backupNeo4j,
  async inspectDestination(settings, context) {
    const { volume, entries } = await databaseEntries(
      context.docker(),
      settings,
      context,
    );
    return entries === 0
      ? {
          empty: true,
          summary: `Neo4j database ${settings.database} does not exist yet in volume ${volume}`,
        }
      : {
          empty: false,
          summary: `Neo4j database ${settings.database} exists in volume ${volume} (${entries} entries in databases/${settings.database})`,
        };
  },
  restore: restoreNeo4j,
  async check(settings, context) {
    const { volume, entries } = await databaseEntries(
      context.docker(),
      settings,
      context,
    );
    if (entries === 0)
      throw new Error(
        `after the load, volume ${volume} holds no databases/${settings.database}`,
      );
    return { database: settings.database };
  },
  // The dump is taken while its own container is stopped, inside backup(); it streams afterwards.
  pointInTime: 'backup',
  containerNeeds: settings => [
    { container: settings.container, state: 'stopped' },
  ],
  manualRestoreSteps(settings, artifacts: ManualArtifact[]) {
    const [artifact] = artifacts;
    return [
      `1. Stop the Neo4j container: \`docker stop ${settings.container}\`.`,
      `2. Unpack the dump into a folder and load it with neo4j-admin from the same image, on the same volumes:`,
      '',
      '```sh',
      `mkdir -p load && ${artifact.catCommand} > load/${artifact.rawName}`,
      `docker run --rm --volumes-from ${settings.container} -v "$PWD/load:/safekeep-load" "$(docker inspect -f '{{.Config.Image}}' ${settings.container})" \\`,
      `  neo4j-admin database load ${settings.database} --from-path=/safekeep-load --overwrite-destination=true`,
      '```',
      '',
      `3. Start it again: \`docker start ${settings.container}\`.`,
    ].join('\n');
  },
};
