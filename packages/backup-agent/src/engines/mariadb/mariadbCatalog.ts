import type { RowDataPacket } from 'mysql2/promise';
import type { MariadbConnection } from './mariadbConnection';
import { quoteIdentifier } from './mariadbConnection';

/** Tables counted per database at most: counting is a full scan of each table. */
export const MAX_COUNTED_TABLES = 500;

export const SYSTEM_DATABASES = [
  'information_schema',
  'performance_schema',
  'mysql',
  'sys',
];

export interface DatabaseCounts {
  /** Rows per table, exact (COUNT(*); information_schema is an estimate for InnoDB). */
  tables: Record<string, number>;
}

export async function listDatabases(
  connection: MariadbConnection,
): Promise<string[]> {
  const [rows] = await connection.query<RowDataPacket[]>('SHOW DATABASES');
  return rows
    .map(row => String(row.Database))
    .filter(name => !SYSTEM_DATABASES.includes(name))
    .sort();
}

export async function listTables(
  connection: MariadbConnection,
  database: string,
): Promise<string[]> {
  const [rows] = await connection.query<RowDataPacket[]>(
    `SELECT TABLE_NAME AS name FROM information_schema.TABLES
     WHERE TABLE_SCHEMA = ? AND TABLE_TYPE IN ('BASE TABLE', 'SYSTEM VERSIONED') ORDER BY TABLE_NAME`,
    [database],
  );
  return rows.map(row => String(row.name));
}

export async function countRows(
  connection: MariadbConnection,
  database: string,
  log?: (message: string) => void,
): Promise<DatabaseCounts> {
  const names = await listTables(connection, database);
  if (names.length > MAX_COUNTED_TABLES && log) {
    log(
      `database "${database}" has ${names.length} tables; rows are counted for the first ${MAX_COUNTED_TABLES} by name only`,
    );
  }
  const tables: Record<string, number> = {};
  for (const name of names.slice(0, MAX_COUNTED_TABLES)) {
    const [rows] = await connection.query<RowDataPacket[]>(
      `SELECT COUNT(*) AS n FROM ${quoteIdentifier(database)}.${quoteIdentifier(
        name,
      )}`,
    );
    tables[name] = Number(rows[0].n);
  }
  return { tables };
}

/** "10.11.19-MariaDB" from "10.11.19-MariaDB-0+deb12u1", "8.0.36" from "8.0.36-0ubuntu0.22.04.1". */
export function formatServerVersion(version: string): string {
  const match = /^(\d+\.\d+\.\d+)(-MariaDB)?/i.exec(version);
  return match ? `${match[1]}${match[2] ? '-MariaDB' : ''}` : version;
}

export async function queryServerVersion(
  connection: MariadbConnection,
): Promise<string> {
  const [rows] = await connection.query<RowDataPacket[]>(
    'SELECT VERSION() AS v',
  );
  return formatServerVersion(String(rows[0].v));
}
