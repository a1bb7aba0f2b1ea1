import type { DestinationState } from '../EngineDriver';
import {
  databaseDestinationState,
  requireRestoredDatabases,
  restoreDatabases,
} from '../databaseDestinationState';
import {
  countRows,
  DatabaseCounts,
  listDatabases,
  listUserTables,
  queryServerVersion,
} from './postgresCatalog';
import { describeServer, withPostgres } from './postgresConnection';
import type { PostgresSettings } from './postgresSettings';

/** The databases a restore writes to and a check reads, and those the server has. */
async function destinationDatabases(
  settings: PostgresSettings,
): Promise<{ wanted: string[]; existing: string[] }> {
  const existing = await withPostgres(
    settings,
    settings.maintenanceDatabase,
    listDatabases,
  );
  return { wanted: restoreDatabases(settings, existing), existing };
}

export async function inspectPostgres(
  settings: PostgresSettings,
): Promise<DestinationState> {
  return databaseDestinationState({
    server: describeServer(settings),
    ...(await destinationDatabases(settings)),
    tablesOf: database =>
      withPostgres(settings, database, client => listUserTables(client)),
  });
}

/** Row counts at the destination, shaped like the details recorded at backup. */
export async function checkPostgres(
  settings: PostgresSettings,
): Promise<Record<string, unknown>> {
  const { wanted, existing } = await destinationDatabases(settings);
  requireRestoredDatabases(wanted, existing, describeServer(settings));
  const databases: Record<string, DatabaseCounts> = {};
  for (const database of wanted)
    databases[database] = await withPostgres(settings, database, client =>
      countRows(client),
    );
  const serverVersion = await withPostgres(
    settings,
    settings.maintenanceDatabase,
    queryServerVersion,
  );
  return { serverVersion, databases };
}
