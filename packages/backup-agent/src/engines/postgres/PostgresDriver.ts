import type { CommandRunner } from '../../exec/CommandRunner';
import { LocalProcessRunner } from '../../exec/LocalProcessRunner';
import type { EngineDriver } from '../EngineDriver';
import { execContainerNeeds, toolRunner } from '../containerSetting';
import { backupPostgres } from './backupPostgres';
import { compareRenamedDetails } from '../compareRenamedDetails';
import { checkPostgres, inspectPostgres } from './inspectPostgres';
import { dropPostgresDatabase } from './dropPostgresDatabase';
import { withDatabaseDestination } from '../parseDatabaseDestination';
import { describeDatabaseTarget } from '../describeDatabaseTarget';
import { queryServerVersion } from './postgresCatalog';
import { withPostgres } from './postgresConnection';
import { postgresManualSteps } from './postgresManualSteps';
import { preflightPostgres } from './preflightPostgres';
import { PostgresSettings, postgresSettingsSchema } from './postgresSettings';
import { restorePostgres } from './restorePostgres';

export interface PostgresDriverOptions {
  /** Where pg_dump, pg_dumpall, pg_restore and psql run, unless the target sets `container`. */
  runner: CommandRunner;
}

/**
 * PostgreSQL through its own tools: pg_dump -Fc per database in a snapshot shared with exact
 * row counts, pg_dumpall --globals-only, and COPY extracts for rows pg_dump skips.
 */
export function createPostgresDriver(
  options: PostgresDriverOptions,
): EngineDriver<PostgresSettings> {
  const { runner } = options;
  return {
    engine: 'postgres',
    capabilities: { labelDiscovery: true, containerExec: true, network: true },
    settingsSchema: postgresSettingsSchema,

    describe(settings) {
      return describeDatabaseTarget('PostgreSQL', settings);
    },

    withDestination: (settings, destination) =>
      withDatabaseDestination(settings, destination, 'PostgreSQL'),

    serverVersion: settings =>
      withPostgres(settings, settings.maintenanceDatabase, queryServerVersion),
    backup: (settings, context) =>
      backupPostgres(
        toolRunner(runner, settings.container, context),
        settings,
        context,
      ),
    inspectDestination: inspectPostgres,
    dropDestination: dropPostgresDatabase,
    restore: (settings, artifacts, context) =>
      restorePostgres(
        toolRunner(runner, settings.container, context),
        settings,
        artifacts,
        context,
      ),
    containerNeeds: settings => execContainerNeeds(settings.container),
    // backup() exports a snapshot per database and holds it open for pg_dump --snapshot.
    pointInTime: 'backup',
    preflight: (settings, context) =>
      preflightPostgres(
        toolRunner(runner, settings.container, context),
        settings,
        context,
      ),
    check: checkPostgres,
    compareDetails: compareRenamedDetails,
    manualRestoreSteps: postgresManualSteps,
  };
}

export const postgresDriver = createPostgresDriver({
  runner: new LocalProcessRunner(),
});
