import type { RowDataPacket } from 'mysql2/promise';
import { chooseDatabases } from '../chooseDatabases';
import type { EngineContext, Preflight } from '../EngineDriver';
import { listDatabases } from './mariadbCatalog';
import { describeServer, withMariadb } from './mariadbConnection';
import type { MariadbSettings } from './mariadbSettings';

/**
 * What a consistency group checks before it stops anything: the databases to dump exist, and
 * about how much a cut stages (a cut drains each dump into staging: the tables' data length).
 */
export function preflightMariadb(
  settings: MariadbSettings,
  context: EngineContext,
): Promise<Preflight> {
  return withMariadb(settings, async connection => {
    let databases: string[];
    try {
      databases = chooseDatabases({
        existing: await listDatabases(connection),
        configured: settings.databases,
        server: describeServer(settings),
        targetName: context.targetName,
      });
    } catch (error) {
      return { problems: [(error as Error).message] };
    }
    if (databases.length === 0)
      return {
        problems: [
          `${describeServer(
            settings,
          )} has no database besides the system ones; there is nothing to back up`,
        ],
      };
    const [rows] = await connection.query<RowDataPacket[]>(
      'SELECT COALESCE(SUM(DATA_LENGTH), 0) AS bytes FROM information_schema.TABLES WHERE TABLE_SCHEMA IN (?)',
      [databases],
    );
    return { problems: [], stagedCopyBytes: Number(rows[0].bytes) };
  });
}
