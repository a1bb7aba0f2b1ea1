import type { DestinationState } from './EngineDriver';

/** The databases a restore writes to and a check reads: the destination, the list, or all. */
export function restoreDatabases(
  settings: { restoreInto?: string; databases?: string[] },
  existing: string[],
): string[] {
  return settings.restoreInto !== undefined
    ? [settings.restoreInto]
    : settings.databases ?? existing;
}

/** After a restore: throws unless every database it wrote is there on the server. */
export function requireRestoredDatabases(
  wanted: string[],
  existing: string[],
  server: string,
): void {
  const missing = wanted.filter(db => !existing.includes(db));
  if (missing.length > 0)
    throw new Error(
      `database(s) ${missing.join(
        ', ',
      )} not found on ${server} after the restore`,
    );
}

/** A database's tables as a destination reports them: how many, and the first few names. */
export interface TableSample {
  total: number;
  names: string[];
}

/**
 * A SQL server's restore destination for people, shared by the SQL engines: each wanted
 * database that holds tables (then it is not empty), else whether they exist yet.
 */
export async function databaseDestinationState(input: {
  /** `PostgreSQL at db:5432`: the server, as its engine describes it. */
  server: string;
  wanted: string[];
  existing: string[];
  tablesOf(database: string): Promise<TableSample>;
}): Promise<DestinationState> {
  const { server, wanted, existing } = input;
  const occupied: string[] = [];
  for (const database of wanted.filter(db => existing.includes(db))) {
    const tables = await input.tablesOf(database);
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
    return { empty: false, summary: `on ${server}, ${occupied.join('; ')}` };
  const missing = wanted.filter(db => !existing.includes(db));
  const state =
    missing.length === wanted.length
      ? 'do(es) not exist yet'
      : 'hold(s) no tables';
  return {
    empty: true,
    summary: `database(s) ${wanted
      .map(d => `"${d}"`)
      .join(', ')} on ${server} ${state}`,
  };
}
