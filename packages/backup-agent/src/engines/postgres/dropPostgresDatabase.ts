import { DropRefusedError } from '../../snapshots/errors';
import { sameServer } from '../sameServer';
import { listDatabases } from './postgresCatalog';
import {
  describeServer,
  quoteIdentifier,
  withPostgres,
} from './postgresConnection';
import type { PostgresSettings } from './postgresSettings';

/**
 * Why `database` on the destination's server is the target's own data, if it is. The servers
 * are compared by resolved address (sameServer): `localhost` and `127.0.0.1` are one server.
 */
async function ownDataReason(
  settings: PostgresSettings,
  own: PostgresSettings,
  database: string,
): Promise<string | undefined> {
  if (
    /^template[01]$/.test(database) ||
    database === settings.maintenanceDatabase
  )
    return `"${database}" is a system or maintenance database`;
  if (!(await sameServer(settings, own))) return undefined;
  if (own.databases === undefined)
    return `the target backs up every database on ${describeServer(
      own,
    )}, so "${database}" is its data`;
  if (own.databases.includes(database))
    return `"${database}" is one of the target's databases (${own.databases.join(
      ', ',
    )})`;
  return undefined;
}

/**
 * Drops a scratch database a restore wrote (`--to <db>`): DROP DATABASE ... WITH (FORCE) on
 * PostgreSQL 13 and newer, which ends sessions still connected to it; plain DROP DATABASE before.
 */
export async function dropPostgresDatabase(
  settings: PostgresSettings,
  own: PostgresSettings,
): Promise<string> {
  const database = settings.restoreInto;
  if (database === undefined) {
    throw new DropRefusedError(
      'refusing to drop: name the scratch database (destination), not the target itself',
    );
  }
  const reason = await ownDataReason(settings, own, database);
  if (reason)
    throw new DropRefusedError(
      `refusing to drop database "${database}" on ${describeServer(
        settings,
      )}: ${reason}; only a restore destination elsewhere can be dropped`,
    );
  return withPostgres(settings, settings.maintenanceDatabase, async client => {
    if (!(await listDatabases(client)).includes(database))
      return `database "${database}" does not exist on ${describeServer(
        settings,
      )}; nothing to drop`;
    const versionNum = Number(
      (await client.query('SHOW server_version_num')).rows[0]
        .server_version_num,
    );
    const force = versionNum >= 130000 ? ' WITH (FORCE)' : '';
    await client.query(`DROP DATABASE ${quoteIdentifier(database)}${force}`);
    return `dropped database "${database}" on ${describeServer(settings)}`;
  });
}
