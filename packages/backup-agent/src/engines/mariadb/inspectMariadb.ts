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
  listTables,
  queryServerVersion,
} from './mariadbCatalog';
import { describeServer, withMariadb } from './mariadbConnection';
import type { MariadbSettings } from './mariadbSettings';

export async function inspectMariadb(
  settings: MariadbSettings,
): Promise<DestinationState> {
  return withMariadb(settings, async connection => {
    const existing = await listDatabases(connection);
    return databaseDestinationState({
      server: describeServer(settings),
      wanted: restoreDatabases(settings, existing),
      existing,
      async tablesOf(database) {
        const tables = await listTables(connection, database);
        return { total: tables.length, names: tables.slice(0, 5) };
      },
    });
  });
}

export async function checkMariadb(
  settings: MariadbSettings,
): Promise<Record<string, unknown>> {
  return withMariadb(settings, async connection => {
    const existing = await listDatabases(connection);
    const wanted = restoreDatabases(settings, existing);
    requireRestoredDatabases(wanted, existing, describeServer(settings));
    const databases: Record<string, DatabaseCounts> = {};
    for (const database of wanted)
      databases[database] = await countRows(connection, database);
    return { serverVersion: await queryServerVersion(connection), databases };
  });
}
