import path from 'node:path';
import { runToCompletion } from '../../exec/runToCompletion';
import type { CommandRunner } from '../../exec/CommandRunner';
import {
  backupFolderName,
  backupName,
  folderIn,
  folderOut,
} from '../containerFolder';
import type {
  EngineContext,
  EngineDriver,
  ManualArtifact,
} from '../EngineDriver';
import { MilvusSettings, milvusSettingsSchema } from './milvusSettings';

function milvusBackup(
  settings: MilvusSettings,
  args: string[],
): { command: string; args: string[] } {
  return {
    command: 'milvus-backup',
    args: [
      ...(settings.configFile ? [`--config=${settings.configFile}`] : []),
      ...args,
    ],
  };
}

async function run(
  runner: CommandRunner,
  settings: MilvusSettings,
  args: string[],
  what: string,
): Promise<void> {
  try {
    await runToCompletion(runner, milvusBackup(settings, args));
  } catch (error) {
    throw new Error(
      `${what} failed in container ${settings.container}: ${
        (error as Error).message
      }`,
    );
  }
}

function runnerFor(
  settings: MilvusSettings,
  context: EngineContext,
): CommandRunner {
  return context.docker().execRunner(settings.container);
}

/**
 * Milvus through its official tool (seed 001): `milvus-backup create -n <name>` in the
 * container that has it, with local backup storage; the backup folder is then streamed out
 * with the archive API as one tar and deleted from milvus-backup's storage. Restore puts the
 * folder back and runs `milvus-backup restore -n <name>`. Tested with a stand-in only.
 */
export const milvusDriver: EngineDriver<MilvusSettings> = {
  engine: 'milvus',
  capabilities: { labelDiscovery: true, containerExec: true },
  settingsSchema: milvusSettingsSchema,
  describe: settings =>
    `Milvus ${
      settings.collections
        ? `collections ${settings.collections.join(', ')}`
        : 'all collections'
    } (milvus-backup in container ${settings.container})`,
  withDestination: settings => {
    throw new Error(
      `a Milvus backup is restored into the instance milvus-backup in ${settings.container} is configured for; a destination cannot be given`,
    );
  },
  serverVersion: async () => null,

  async backup(settings, context) {
    const runner = runnerFor(settings, context);
    const name = backupName(new Date());
    const collections = settings.collections
      ? ['-c', settings.collections.join(',')]
      : [];
    await run(
      runner,
      settings,
      ['create', '-n', name, ...collections],
      `milvus-backup create -n ${name}`,
    );
    const folder = path.posix.join(settings.backupDir, name);
    return {
      async *artifacts() {
        yield {
          name: `${name}.tar`,
          description: `milvus-backup create -n ${name} (folder ${folder} in ${settings.container})`,
          stream: await folderOut(context.docker(), settings.container, folder),
        };
      },
      details: async () => ({
        backupName: name,
        ...(settings.collections ? { collections: settings.collections } : {}),
      }),
      async close() {
        if (settings.deleteAfterCopy)
          await run(
            runner,
            settings,
            ['delete', '-n', name],
            `milvus-backup delete -n ${name}`,
          );
      },
    };
  },

  // milvus-backup itself refuses to restore a collection that exists.
  inspectDestination: async settings => ({
    empty: true,
    summary: `Milvus (container ${settings.container}); milvus-backup refuses collections that already exist`,
  }),

  async restore(settings, artifacts, context) {
    const name = backupFolderName(artifacts, 'Milvus');
    const runner = runnerFor(settings, context);
    await folderIn(
      context.docker(),
      settings.container,
      artifacts[0],
      settings.backupDir,
    );
    try {
      await run(
        runner,
        settings,
        ['restore', '-n', name],
        `milvus-backup restore -n ${name}`,
      );
    } finally {
      await run(
        runner,
        settings,
        ['delete', '-n', name],
        `milvus-backup delete -n ${name}`,
      ).catch(error => context.log((error as Error).message));
    }
  },

  check: async () => ({}),
  containerNeeds: settings => [
    { container: settings.container, state: 'running' },
  ],

  manualRestoreSteps(settings, artifacts: ManualArtifact[]) {
    const [artifact] = artifacts;
    const name = artifact.rawName.replace(/\.tar$/, '');
    return [
      `1. Put the backup folder back into milvus-backup's storage in \`${settings.container}\`:`,
      '',
      '```sh',
      `${artifact.catCommand} | docker cp - ${settings.container}:${settings.backupDir}`,
      `docker exec ${settings.container} milvus-backup restore -n ${name}`,
      '```',
    ].join('\n');
  },
};
