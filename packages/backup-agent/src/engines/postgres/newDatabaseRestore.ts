import { randomBytes } from 'node:crypto';
import {
  parseWriterMark,
  thisProcess,
  writerState,
} from '../../leftovers/processIdentity';
import { quoteIdentifier, withPostgres } from './postgresConnection';
import type { PostgresSettings } from './postgresSettings';

/** PostgreSQL cuts identifiers at 63 bytes. */
const MAX_NAME_BYTES = 63;
const RESTORING_NAME = /_safekeep_restore_[0-9a-f]{8}$/;

/** What the comment on a database being restored holds: who restores it, and into what. */
interface RestoringComment {
  safekeepRestoreInto: string;
  writer: ReturnType<typeof thisProcess>;
}

function restoringName(into: string): string {
  const suffix = `_safekeep_restore_${randomBytes(4).toString('hex')}`;
  let head = into;
  while (Buffer.byteLength(head) > MAX_NAME_BYTES - suffix.length)
    head = head.slice(0, -1);
  return `${head}${suffix}`;
}

export async function databaseExists(
  settings: PostgresSettings,
  database: string,
): Promise<boolean> {
  return withPostgres(settings, settings.maintenanceDatabase, async client => {
    const { rowCount } = await client.query(
      'SELECT 1 FROM pg_catalog.pg_database WHERE datname = $1',
      [database],
    );
    return !!rowCount;
  });
}

/**
 * A database that does not exist yet is restored under a name of its own and renamed into
 * place once whole, so a restore killed halfway (the agent, the machine) never leaves an empty
 * or half database under the destination's name. The database carries a comment saying which
 * process restores it, for dropAbandonedRestores. Returns the name to restore into.
 */
export async function createRestoringDatabase(
  settings: PostgresSettings,
  into: string,
): Promise<string> {
  const name = restoringName(into);
  const comment: RestoringComment = {
    safekeepRestoreInto: into,
    writer: thisProcess(),
  };
  await withPostgres(settings, settings.maintenanceDatabase, async client => {
    // template0: a clean database, whatever was added to template1 on this server.
    await client.query(
      `CREATE DATABASE ${quoteIdentifier(name)} TEMPLATE template0`,
    );
    await client.query(
      `COMMENT ON DATABASE ${quoteIdentifier(name)} IS ${client.escapeLiteral(
        JSON.stringify(comment),
      )}`,
    );
  });
  return name;
}

/** The restored database takes its name (fails if one appeared meanwhile). */
export async function renameIntoPlace(
  settings: PostgresSettings,
  restoring: string,
  into: string,
): Promise<void> {
  await withPostgres(settings, settings.maintenanceDatabase, async client => {
    await client.query(
      `ALTER DATABASE ${quoteIdentifier(restoring)} RENAME TO ${quoteIdentifier(
        into,
      )}`,
    );
    await client.query(`COMMENT ON DATABASE ${quoteIdentifier(into)} IS NULL`);
  });
}

export async function dropDatabase(
  settings: PostgresSettings,
  database: string,
): Promise<void> {
  await withPostgres(settings, settings.maintenanceDatabase, client =>
    client.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(database)}`),
  );
}

/**
 * Whether a restoring copy's writer is gone. Without a comment the restore was killed between
 * CREATE DATABASE and COMMENT (the server finishes a CREATE whose client died): nothing was
 * restored into it yet. A live restore is in that state for one round trip; dropping it then
 * makes that restore fail (and it can run again), never loses data.
 */
function abandoned(comment: string | null): boolean {
  if (!comment) return true;
  try {
    const writer = parseWriterMark(
      JSON.stringify((JSON.parse(comment) as RestoringComment).writer),
    );
    return !!writer && writerState(writer) === 'gone';
  } catch {
    return false;
  }
}

/**
 * Databases a killed restore left under their restoring name on this server, whose restoring
 * process ran on this machine and has ended (or that has no comment yet): dropped. Another
 * machine's is left. Only names of that form are looked at. Returns the names dropped.
 */
export async function dropAbandonedRestores(
  settings: PostgresSettings,
): Promise<string[]> {
  const candidates = await withPostgres(
    settings,
    settings.maintenanceDatabase,
    async client =>
      (
        await client.query<{ datname: string; comment: string | null }>(
          "SELECT datname, shobj_description(oid, 'pg_database') AS comment FROM pg_catalog.pg_database WHERE datname LIKE '%\\_safekeep\\_restore\\_%'",
        )
      ).rows,
  );
  const dropped: string[] = [];
  for (const { datname, comment } of candidates) {
    if (!RESTORING_NAME.test(datname) || !abandoned(comment)) continue;
    // FORCE (PostgreSQL 13+) ends the killed agent's pg_restore, which may still be loading:
    // nothing can rename its work into place any more.
    const gone = await withPostgres(
      settings,
      settings.maintenanceDatabase,
      async client => {
        const version = Number(
          (await client.query('SHOW server_version_num')).rows[0]
            .server_version_num,
        );
        await client.query(
          `DROP DATABASE IF EXISTS ${quoteIdentifier(datname)}${
            version >= 130000 ? ' WITH (FORCE)' : ''
          }`,
        );
      },
    ).then(
      () => true,
      () => false,
    );
    if (gone) dropped.push(datname);
  }
  return dropped;
}
