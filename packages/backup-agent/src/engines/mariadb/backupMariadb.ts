import type { CommandRunner, RunningCommand } from '../../exec/CommandRunner';
import type {
  EngineBackup,
  EngineContext,
  ProducedArtifact,
} from '../EngineDriver';
import { databaseArtifactName } from '../databaseArtifactName';
import {
  DatabaseCounts,
  countRows,
  listDatabases,
  queryServerVersion,
} from './mariadbCatalog';
import {
  connectMariadb,
  describeServer,
  withMariadb,
} from './mariadbConnection';
import type { MariadbSettings } from './mariadbSettings';
import { MariadbTools } from './mariadbTools';
import { chooseDatabases } from '../chooseDatabases';
import { openMariadbSnapshots } from './openMariadbSnapshots';

export const DUMP_EXTENSION = 'sql';

/**
 * mysqldump of one database without --databases: no CREATE DATABASE / USE in the dump, so it
 * loads into any database name. InnoDB tables are read in one consistent transaction.
 */
export const MYSQLDUMP_OPTIONS = [
  '--single-transaction',
  '--routines',
  '--events',
  '--triggers',
  '--hex-blob',
  '--default-character-set=utf8mb4',
  // MySQL 8 otherwise needs the PROCESS privilege for tablespace information.
  '--no-tablespaces',
];

async function databasesToDump(
  settings: MariadbSettings,
  targetName: string,
): Promise<{ databases: string[]; serverVersion: string }> {
  return withMariadb(settings, async connection => {
    const existing = await listDatabases(connection);
    const wanted = chooseDatabases({
      existing,
      configured: settings.databases,
      server: describeServer(settings),
      targetName,
    });
    if (wanted.length === 0)
      throw new Error(
        `${describeServer(
          settings,
        )} has no database besides the system ones; there is nothing to back up`,
      );
    return {
      databases: wanted,
      serverVersion: await queryServerVersion(connection),
    };
  });
}

/** Exact row counts in a consistent snapshot taken right before the dump starts its own. */
async function countInSnapshot(
  settings: MariadbSettings,
  database: string,
  log: (m: string) => void,
): Promise<DatabaseCounts> {
  const connection = await connectMariadb(settings);
  try {
    await connection.query(
      'START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY',
    );
    const counts = await countRows(connection, database, log);
    await connection.query('COMMIT');
    return counts;
  } finally {
    await connection.end().catch(() => undefined);
  }
}

/** A privilege failure of mysqldump, with the privileges it needs. */
function explainDumpFailure(error: Error): Error {
  if (!/denied|insufficient privileges/i.test(error.message)) return error;
  error.message +=
    '; the backup user needs SELECT, SHOW VIEW, TRIGGER, EVENT and LOCK TABLES on the database, and to see routines other users defined, global SELECT (or SHOW CREATE ROUTINE on MariaDB 11.3+)';
  return error;
}

export async function backupMariadb(
  runner: CommandRunner,
  settings: MariadbSettings,
  context: EngineContext,
): Promise<EngineBackup> {
  const plan = await databasesToDump(settings, context.targetName);
  const tools = await MariadbTools.open(runner, settings, context.stagingDir);
  if (context.inCut) {
    const cut = await openMariadbSnapshots(
      tools,
      settings,
      plan.databases,
      MYSQLDUMP_OPTIONS,
      DUMP_EXTENSION,
      context,
      explainDumpFailure,
    ).catch(async error => {
      await tools.close();
      throw error;
    });
    return {
      artifacts: cut.artifacts,
      details: async () => ({
        serverVersion: plan.serverVersion,
        databases: cut.counts,
      }),
      async close() {
        await cut.close();
        await tools.close();
      },
    };
  }
  const counts: Record<string, DatabaseCounts> = {};
  let current: RunningCommand | undefined;

  async function* artifacts(): AsyncGenerator<ProducedArtifact> {
    for (const database of plan.databases) {
      counts[database] = await countInSnapshot(settings, database, context.log);
      const dump = tools.run('mysqldump', [
        ...MYSQLDUMP_OPTIONS,
        '--',
        database,
      ]);
      current = dump;
      const completion = dump.completion.catch(error => {
        throw explainDumpFailure(error);
      });
      completion.catch(() => undefined);
      try {
        yield {
          name: databaseArtifactName(database, DUMP_EXTENSION),
          description: `mysqldump --single-transaction --routines --events --triggers of database ${database} (loads into any database name)`,
          stream: dump.stdout,
          completion,
          neverEmpty: true,
        };
        await completion;
      } finally {
        dump.kill(true);
        current = undefined;
      }
    }
  }

  return {
    artifacts,
    details: async () => ({
      serverVersion: plan.serverVersion,
      databases: counts,
    }),
    async close() {
      current?.kill(true);
      await tools.close();
    },
  };
}
