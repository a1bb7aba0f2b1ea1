import type { DestinationState } from '../EngineDriver';
import {
  countRows,
  DatabaseCounts,
  listDatabases,
  listTables,
  queryServerVersion,
} from './mariadbCatalog';
import { describeServer, withMariadb } from './mariadbConnection';
import type { MariadbSettings } from './mariadbSettings';

function destinationDatabases(
  settings: MariadbSettings,
  existing: string[],
): string[] {
  return settings.restoreInto !== undefined
    ? [settings.restoreInto]
    : settings.databases ?? existing;
}

export async function inspectMariadb(
  settings: MariadbSettings,
): Promise<DestinationState> {
  return withMariadb(settings, async connection => {
    const existing = await listDatabases(connection);
    const wanted = destinationDatabases(settings, existing);
    const occupied: string[] = [];
    for (const database of wanted.filter(db => existing.includes(db))) {
      const tables = await listTables(connection, database);
      if (tables.length > 0) {
        const more = tables.length > 5 ? ', ...' : '';
        occupied.push(
          `database "${database}" has ${tables.length} table(s) (${tables
            .slice(0, 5)
            .join(', ')}${more})`,
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
  });
}

export async function checkMariadb(
  settings: MariadbSettings,
): Promise<Record<string, unknown>> {
  return withMariadb(settings, async connection => {
    const existing = await listDatabases(connection);
    const wanted = destinationDatabases(settings, existing);
    const missing = wanted.filter(db => !existing.includes(db));
    if (missing.length > 0)
      throw new Error(
        `database(s) ${missing.join(', ')} not found on ${describeServer(
          settings,
        )} after the restore`,
      );
    const databases: Record<string, DatabaseCounts> = {};
    for (const database of wanted)
      databases[database] = await countRows(connection, database);
    return { serverVersion: await queryServerVersion(connection), databases };
  });
}
