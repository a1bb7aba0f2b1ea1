import path from 'node:path';
import { runToCompletion } from '../../exec/runToCompletion';
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
import { withClickhouse } from './ClickhouseClient';
import {
  ClickhouseSettings,
  clickhouseSettingsSchema,
} from './clickhouseSettings';

/** One statement by clickhouse-client in the target's container; its output. */
function clickhouseQuery(
  settings: ClickhouseSettings,
  context: EngineContext,
  sql: string,
): Promise<string> {
  return withClickhouse(
    context.docker().execRunner(settings.container),
    settings,
    context.stagingDir,
    client => client.query(sql),
  );
}

function tablesQuery(settings: ClickhouseSettings): string {
  return `SELECT count() FROM system.tables WHERE database = '${settings.database}'`;
}

async function countTables(
  settings: ClickhouseSettings,
  context: EngineContext,
): Promise<number> {
  const output = await clickhouseQuery(
    settings,
    context,
    tablesQuery(settings),
  );
  const tables = Number(output);
  if (!Number.isInteger(tables))
    throw new Error(
      `clickhouse-client answered "${output.slice(0, 80)}" to a table count`,
    );
  return tables;
}

/** Removes the backup folder from the disk (the agent holds the copy). */
async function removeFolder(
  settings: ClickhouseSettings,
  context: EngineContext,
  folder: string,
): Promise<void> {
  await runToCompletion(context.docker().execRunner(settings.container), {
    command: 'rm',
    args: ['-rf', '--', folder],
  });
}

/**
 * ClickHouse through its own BACKUP/RESTORE statements (seed 001): `BACKUP DATABASE db TO
 * Disk('backups', 'name')` by clickhouse-client in the ClickHouse container, the folder on the
 * backup disk streamed out with the archive API as one tar, then removed. Restore puts the
 * folder back and runs `RESTORE DATABASE db FROM Disk(...)`; ClickHouse refuses tables that
 * exist. Tested with a stand-in only (Debian's ClickHouse predates BACKUP).
 */
export const clickhouseDriver: EngineDriver<ClickhouseSettings> = {
  engine: 'clickhouse',
  capabilities: { labelDiscovery: true, containerExec: true },
  settingsSchema: clickhouseSettingsSchema,
  describe: settings =>
    `ClickHouse database ${settings.database} in container ${settings.container}`,
  withDestination: (settings, destination) => {
    throw new Error(
      `restoring ClickHouse database ${settings.database} as "${destination}" is not supported; restore it under its own name`,
    );
  },
  serverVersion: (settings, context) =>
    clickhouseQuery(settings, context, 'SELECT version()'),

  async backup(settings, context) {
    const name = backupName(new Date());
    const tables = await countTables(settings, context);
    await clickhouseQuery(
      settings,
      context,
      `BACKUP DATABASE ${settings.database} TO Disk('${settings.disk}', '${name}')`,
    );
    const folder = path.posix.join(settings.diskPath, name);
    return {
      async *artifacts() {
        yield {
          name: `${name}.tar`,
          description: `BACKUP DATABASE ${settings.database} TO Disk('${settings.disk}', '${name}')`,
          stream: await folderOut(context.docker(), settings.container, folder),
        };
      },
      details: async () => ({
        database: settings.database,
        backupName: name,
        tables,
      }),
      close: () => removeFolder(settings, context, folder),
    };
  },

  async inspectDestination(settings, context) {
    const tables = await countTables(settings, context);
    return tables === 0
      ? {
          empty: true,
          summary: `ClickHouse database ${settings.database} has no tables`,
        }
      : {
          empty: false,
          summary: `ClickHouse database ${settings.database} has ${tables} table(s); ClickHouse refuses to restore over existing tables, drop them first`,
        };
  },

  async restore(settings, artifacts, context) {
    const name = backupFolderName(artifacts, 'ClickHouse');
    const folder = path.posix.join(settings.diskPath, name);
    await folderIn(
      context.docker(),
      settings.container,
      artifacts[0],
      settings.diskPath,
    );
    try {
      await clickhouseQuery(
        settings,
        context,
        `RESTORE DATABASE ${settings.database} FROM Disk('${settings.disk}', '${name}')`,
      );
    } finally {
      await removeFolder(settings, context, folder).catch(error =>
        context.log(`could not remove ${folder}: ${(error as Error).message}`),
      );
    }
  },

  check: async (settings, context) => ({
    tables: await countTables(settings, context),
  }),
  containerNeeds: settings => [
    { container: settings.container, state: 'running' },
  ],

  manualRestoreSteps(settings, artifacts: ManualArtifact[]) {
    const [artifact] = artifacts;
    const name = artifact.rawName.replace(/\.tar$/, '');
    return [
      `1. Put the backup folder back on the \`${settings.disk}\` disk and restore it:`,
      '',
      '```sh',
      `${artifact.catCommand} | docker cp - ${settings.container}:${settings.diskPath}`,
      `docker exec ${settings.container} clickhouse-client --query "RESTORE DATABASE ${settings.database} FROM Disk('${settings.disk}', '${name}')"`,
      '```',
      '',
      `2. Compare \`SELECT count() FROM system.tables WHERE database = '${settings.database}'\` with \`details.tables\` in MANIFEST.json.`,
    ].join('\n');
  },
};
