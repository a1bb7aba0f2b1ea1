import type Database from 'better-sqlite3';
import { sqliteLibrary } from '../../libraries';

type Db = InstanceType<typeof Database>;

/** Row count per user table: the facts a restore is checked against. */
export function countRows(db: Db): Record<string, number> {
  const tables = db
    .prepare(
      `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`,
    )
    .all() as Array<{ name: string }>;
  const counts: Record<string, number> = {};
  for (const { name } of tables) {
    const quoted = `"${name.replace(/"/g, '""')}"`;
    counts[name] = (
      db.prepare(`SELECT count(*) AS n FROM ${quoted}`).get() as { n: number }
    ).n;
  }
  return counts;
}

/** Throws unless SQLite's quick_check finds the file sound. */
export function assertQuickCheck(db: Db, what: string): void {
  const rows = db.pragma('quick_check') as Array<Record<string, string>>;
  const findings = rows.map(row => Object.values(row)[0]);
  if (findings.length !== 1 || findings[0] !== 'ok') {
    throw new Error(
      `${what} failed SQLite's quick_check: ${findings.slice(0, 5).join('; ')}`,
    );
  }
}

/** Opens read-only, runs `use`, always closes. */
export function withReadOnlyDatabase<T>(file: string, use: (db: Db) => T): T {
  const db = new (sqliteLibrary())(file, {
    readonly: true,
    fileMustExist: true,
  });
  try {
    return use(db);
  } finally {
    db.close();
  }
}
