import type { RowDataPacket } from 'mysql2/promise';
import { DropRefusedError } from '../../snapshots/errors';
import { sameServer } from '../sameServer';
import { SYSTEM_DATABASES } from './mariadbCatalog';
import {
  describeServer,
  MariadbConnection,
  quoteIdentifier,
  withMariadb,
} from './mariadbConnection';
import type { MariadbSettings } from './mariadbSettings';

/** With lower_case_table_names 1 or 2 (Windows, macOS) `Orders` and `orders` are one database. */
async function namesIgnoreCase(
  connection: MariadbConnection,
): Promise<boolean> {
  const [rows] = await connection.query<RowDataPacket[]>(
    'SELECT @@lower_case_table_names AS lower',
  );
  return Number(rows[0].lower) !== 0;
}

/** Why `database` on the destination's server is the target's own data, if it is. */
async function ownDataReason(
  settings: MariadbSettings,
  own: MariadbSettings,
  database: string,
  ignoreCase: boolean,
): Promise<string | undefined> {
  if (SYSTEM_DATABASES.includes(database.toLowerCase()))
    return `"${database}" is a system database`;
  if (!(await sameServer(settings, own))) return undefined;
  if (own.databases === undefined)
    return `the target backs up every database on ${describeServer(
      own,
    )}, so "${database}" is its data`;
  const fold = (name: string) => (ignoreCase ? name.toLowerCase() : name);
  if (own.databases.some(name => fold(name) === fold(database)))
    return `"${database}" is one of the target's databases (${own.databases.join(
      ', ',
    )})`;
  return undefined;
}

/** Drops a scratch database a restore wrote (`--to <db>`), never one the target backs up. */
export async function dropMariadbDatabase(
  settings: MariadbSettings,
  own: MariadbSettings,
): Promise<string> {
  const database = settings.restoreInto;
  if (database === undefined) {
    throw new DropRefusedError(
      'refusing to drop: name the scratch database (destination), not the target itself',
    );
  }
  return withMariadb(settings, async connection => {
    const reason = await ownDataReason(
      settings,
      own,
      database,
      await namesIgnoreCase(connection),
    );
    if (reason)
      throw new DropRefusedError(
        `refusing to drop database "${database}" on ${describeServer(
          settings,
        )}: ${reason}; only a restore destination elsewhere can be dropped`,
      );
    try {
      // No existence check first: a user without rights on the name gets "access denied", not
      // a false "nothing to drop".
      await connection.query(`DROP DATABASE ${quoteIdentifier(database)}`);
    } catch (error) {
      if ((error as { code?: string }).code === 'ER_DB_DROP_EXISTS')
        return `database "${database}" does not exist on ${describeServer(
          settings,
        )}; nothing to drop`;
      throw new Error(
        `cannot drop database "${database}" on ${describeServer(settings)}: ${
          (error as Error).message
        }`,
      );
    }
    return `dropped database "${database}" on ${describeServer(settings)}`;
  });
}
