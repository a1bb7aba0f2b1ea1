import type { DestinationState } from '../EngineDriver';
import {
  countRows,
  DatabaseCounts,
  listDatabases,
  listUserTables,
  queryServerVersion,
} from './postgresCatalog';
import { describeServer, withPostgres } from './postgresConnection';
import type { PostgresSettings } from './postgresSettings';

/** The databases a restore writes to and a check reads: the destination, the list, or all. */
async function destinationDatabases(
  settings: PostgresSettings,
): Promise<{ wanted: string[]; existing: string[] }> {
  const existing = await withPostgres(
    settings,
    settings.maintenanceDatabase,
    listDatabases,
  );
  const wanted =
    settings.restoreInto !== undefined
      ? [settings.restoreInto]
      : settings.databases ?? existing;
  return { wanted, existing };
}

export async function inspectPostgres(
  settings: PostgresSettings,
): Promise<DestinationState> {
  const { wanted, existing } = await destinationDatabases(settings);
  const occupied: string[] = [];
  for (const database of wanted.filter(db => existing.includes(db))) {
    const tables = await withPostgres(settings, database, client =>
      listUserTables(client),
    );
    if (tables.total > 0) {
      const more = tables.total > tables.names.length ? ', ...' : '';
      occupied.push(
        `database "${database}" has ${
          tables.total
        } table(s) (${tables.names.join(', ')}${more})`,
      );
    }
  }
  if (occupied.length > 0)
    return {
      empty: false,
      summary: `on ${describeServer(settings)}, ${occupied.join('; ')}`,
    };
  const missing = wanted.filter(db => !existing.includes(db));
  const state =
    missing.length === wanted.length
      ? 'do(es) not exist yet'
      : 'hold(s) no tables';
  return {
    empty: true,
    summary: `database(s) ${wanted
      .map(d => `"${d}"`)
      .join(', ')} on ${describeServer(settings)} ${state}`,
  };
}

/** Row counts at the destination, shaped like the details recorded at backup. */
export async function checkPostgres(
  settings: PostgresSettings,
): Promise<Record<string, unknown>> {
  const { wanted, existing } = await destinationDatabases(settings);
  const missing = wanted.filter(db => !existing.includes(db));
  if (missing.length > 0)
    throw new Error(
      `database(s) ${missing.join(', ')} not found on ${describeServer(
        settings,
      )} after the restore`,
    );
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
