import type { Client } from 'pg';

/** Tables counted per database at most: counting is a full scan of each table. */
export const MAX_COUNTED_TABLES = 500;

export interface DatabaseCounts {
  /** Rows per table, keyed `schema.table`, exact (count(*)); the first MAX_COUNTED_TABLES by name. */
  tables: Record<string, number>;
}

const USER_TABLES = `
  SELECT n.nspname AS schema, c.relname AS name
  FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%'
    AND n.nspname NOT LIKE 'pg\\_temp\\_%'
  ORDER BY 1, 2`;

function quote(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Exact row counts (pg_stat estimates are not) of the user tables, in the client's snapshot. */
export async function countRows(
  client: Client,
  log?: (message: string) => void,
): Promise<DatabaseCounts> {
  const { rows } = await client.query<{ schema: string; name: string }>(
    USER_TABLES,
  );
  if (rows.length > MAX_COUNTED_TABLES && log) {
    log(
      `database "${client.database}" has ${rows.length} tables; rows are counted for the first ${MAX_COUNTED_TABLES} by name only`,
    );
  }
  const tables: Record<string, number> = {};
  for (const { schema, name } of rows.slice(0, MAX_COUNTED_TABLES)) {
    const result = await client.query<{ n: string }>(
      `SELECT count(*) AS n FROM ${quote(schema)}.${quote(name)}`,
    );
    tables[`${schema}.${name}`] = Number(result.rows[0].n);
  }
  return { tables };
}

/** Names of the user tables (for messages), at most `limit`, and how many there are. */
export async function listUserTables(
  client: Client,
  limit = 5,
): Promise<{ names: string[]; total: number }> {
  const { rows } = await client.query<{ schema: string; name: string }>(
    USER_TABLES,
  );
  return {
    names: rows.slice(0, limit).map(r => `${r.schema}.${r.name}`),
    total: rows.length,
  };
}

/** Every database one can connect to, templates left out. */
export async function listDatabases(client: Client): Promise<string[]> {
  const { rows } = await client.query<{ datname: string }>(
    'SELECT datname FROM pg_catalog.pg_database WHERE NOT datistemplate AND datallowconn ORDER BY datname',
  );
  return rows.map(r => r.datname);
}

/** "15.19" from server_version_num 150019 (and "9.6.24" from 90624). */
export function formatServerVersion(versionNum: number): string {
  const major = Math.floor(versionNum / 10000);
  if (major >= 10) return `${major}.${versionNum % 10000}`;
  return `${major}.${Math.floor(versionNum / 100) % 100}.${versionNum % 100}`;
}

export async function queryServerVersion(client: Client): Promise<string> {
  const { rows } = await client.query<{ server_version_num: string }>(
    'SHOW server_version_num',
  );
  return formatServerVersion(Number(rows[0].server_version_num));
}

export async function isSuperuser(client: Client): Promise<boolean> {
  const { rows } = await client.query<{ rolsuper: boolean }>(
    'SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user',
  );
  return rows[0]?.rolsuper === true;
}
