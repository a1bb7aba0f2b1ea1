import type { CommandRunner } from '../../exec/CommandRunner';
import { LocalProcessRunner } from '../../exec/LocalProcessRunner';
import type { EngineDriver } from '../EngineDriver';
import { execContainerNeeds, toolRunner } from '../containerSetting';
import { compareRenamedDetails } from '../compareRenamedDetails';
import { withDatabaseDestination } from '../parseDatabaseDestination';
import { describeDatabaseTarget } from '../describeDatabaseTarget';
import { backupMariadb } from './backupMariadb';
import { dropMariadbDatabase } from './dropMariadbDatabase';
import { checkMariadb, inspectMariadb } from './inspectMariadb';
import { queryServerVersion } from './mariadbCatalog';
import { withMariadb } from './mariadbConnection';
import { mariadbManualSteps } from './mariadbManualSteps';
import { MariadbSettings, mariadbSettingsSchema } from './mariadbSettings';
import { preflightMariadb } from './preflightMariadb';
import { restoreMariadb } from './restoreMariadb';

export interface MariadbDriverOptions {
  /** Where mysqldump and mysql run, unless the target sets `container`. */
  runner: CommandRunner;
}

/** MariaDB and MySQL through mysqldump (one artifact per database) and the mysql client. */
export function createMariadbDriver(
  options: MariadbDriverOptions,
): EngineDriver<MariadbSettings> {
  const { runner } = options;
  return {
    engine: 'mariadb',
    capabilities: { labelDiscovery: true, containerExec: true, network: true },
    settingsSchema: mariadbSettingsSchema,

    describe(settings) {
      return describeDatabaseTarget('MariaDB/MySQL', settings);
    },

    withDestination: (settings, destination) =>
      withDatabaseDestination(settings, destination, 'MariaDB/MySQL'),

    serverVersion: settings => withMariadb(settings, queryServerVersion),
    // In a cut, backup() returns once every dump's consistent snapshot is open (openMariadbSnapshots).
    pointInTime: 'backup',
    preflight: preflightMariadb,
    backup: (settings, context) =>
      backupMariadb(
        toolRunner(runner, settings.container, context),
        settings,
        context,
      ),
    inspectDestination: inspectMariadb,
    dropDestination: dropMariadbDatabase,
    restore: (settings, artifacts, context) =>
      restoreMariadb(
        toolRunner(runner, settings.container, context),
        settings,
        artifacts,
        context,
      ),
    containerNeeds: settings => execContainerNeeds(settings.container),
    check: checkMariadb,
    compareDetails: compareRenamedDetails,
    manualRestoreSteps: mariadbManualSteps,
  };
}

export const mariadbDriver = createMariadbDriver({
  runner: new LocalProcessRunner(),
});
