import type { Client } from 'pg';
import type { CommandRunner, RunningCommand } from '../../exec/CommandRunner';
import type {
  EngineBackup,
  EngineContext,
  ProducedArtifact,
} from '../EngineDriver';
import { databaseArtifactName } from '../databaseArtifactName';
import { extraSqlArtifactName, GLOBALS_ARTIFACT } from './postgresArtifacts';
import {
  DatabaseCounts,
  countRows,
  isSuperuser,
  listDatabases,
  queryServerVersion,
} from './postgresCatalog';
import {
  connectPostgres,
  describeServer,
  withPostgres,
} from './postgresConnection';
import type { ExtraSql, PostgresSettings } from './postgresSettings';
import { dbnameArg, PostgresTools } from './postgresTools';
import { chooseDatabases } from '../chooseDatabases';

function quoteLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** Which databases to dump, checked against the server so a typo fails with the list. */
export async function databasesToDump(
  settings: PostgresSettings,
  targetName: string,
): Promise<{ databases: string[]; serverVersion: string; superuser: boolean }> {
  return withPostgres(settings, settings.maintenanceDatabase, async client => {
    const existing = await listDatabases(client);
    const wanted = chooseDatabases({
      existing,
      configured: settings.databases,
      server: describeServer(settings),
      targetName,
    });
    return {
      databases: wanted,
      serverVersion: await queryServerVersion(client),
      superuser: await isSuperuser(client),
    };
  });
}

/**
 * A repeatable-read transaction whose snapshot pg_dump and the extra queries share, so the row
 * counts recorded for the post-restore check describe exactly what the dump holds.
 */
async function openSnapshot(
  settings: PostgresSettings,
  database: string,
  log: (m: string) => void,
): Promise<{ client: Client; snapshot?: string }> {
  const client = await connectPostgres(settings, database);
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    try {
      const { rows } = await client.query<{ id: string }>(
        'SELECT pg_catalog.pg_export_snapshot() AS id',
      );
      return { client, snapshot: rows[0].id };
    } catch (error) {
      log(
        `cannot export a snapshot in database "${database}" (${
          (error as Error).message
        }); row counts are taken separately from the dump and may differ if it is written meanwhile`,
      );
      await client.query('ROLLBACK');
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      return { client };
    }
  } catch (error) {
    await client.end().catch(() => undefined);
    throw error;
  }
}

async function endSession(client: Client): Promise<void> {
  await client.query('COMMIT').catch(() => undefined);
  await client.end().catch(() => undefined);
}

function copyOutCommands(
  extra: ExtraSql,
  snapshot: string | undefined,
): string[] {
  const begin = ['-c', 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY'];
  if (snapshot)
    begin.push('-c', `SET TRANSACTION SNAPSHOT ${quoteLiteral(snapshot)}`);
  return [...begin, '-c', `COPY (${extra.query}) TO STDOUT`, '-c', 'COMMIT'];
}

/**
 * pg_dump -Fc -Z0 per database (in a snapshot shared with the row counts), globals.sql from
 * pg_dumpall --globals-only, and each extraSql extract as COPY text.
 */
export async function backupPostgres(
  runner: CommandRunner,
  settings: PostgresSettings,
  context: EngineContext,
): Promise<EngineBackup> {
  const plan = await databasesToDump(settings, context.targetName);
  const tools = await PostgresTools.open(runner, settings, context.stagingDir);
  // The point in time: one exported snapshot per database, all taken now, each held open by
  // its session until that database's dump is done (a snapshot is importable only while the
  // transaction that exported it is open, and only in its own database).
  const sessions = new Map<string, { client: Client; snapshot?: string }>();
  try {
    await Promise.all(
      plan.databases.map(async database =>
        sessions.set(
          database,
          await openSnapshot(settings, database, context.log),
        ),
      ),
    );
  } catch (error) {
    await Promise.all([...sessions.values()].map(s => endSession(s.client)));
    await tools.close();
    throw error;
  }
  const running = new Set<RunningCommand>();
  const counts: Record<string, DatabaseCounts> = {};
  let globals = settings.globals
    ? 'with role passwords'
    : 'not backed up (globals: false)';

  const start = (command: string, args: string[]): RunningCommand => {
    const started = tools.run(command, args);
    running.add(started);
    const forget = () => running.delete(started);
    started.completion.then(forget, forget);
    return started;
  };

  async function* artifacts(): AsyncGenerator<ProducedArtifact> {
    if (settings.globals) {
      const args = [
        '--globals-only',
        `--database=${settings.maintenanceDatabase}`,
      ];
      if (!plan.superuser) {
        // pg_authid (role passwords) is readable by superusers only.
        args.push('--no-role-passwords');
        globals = 'without role passwords';
        context.log(
          `${settings.user} is not a superuser: globals.sql holds roles without their passwords. Connect as a superuser, or set targets.${context.targetName}.globals: false to skip globals`,
        );
      }
      const dump = start('pg_dumpall', args);
      yield {
        name: GLOBALS_ARTIFACT,
        description: `pg_dumpall --globals-only (roles, tablespaces) ${globals}`,
        stream: dump.stdout,
        completion: dump.completion,
        neverEmpty: true,
      };
      await dump.completion;
    }

    for (const database of plan.databases) {
      const { client, snapshot } = sessions.get(database)!;
      try {
        // Counted in the exported snapshot while pg_dump reads that same snapshot, not before it.
        const counting = countRows(client, context.log);
        counting.catch(() => undefined);
        const snapshotArgs = snapshot ? [`--snapshot=${snapshot}`] : [];
        // -Z0: pg_dump's own compression is gzip on one core, slow on real data; the agent compresses
        // the stream itself (zstd by default, several times faster). pg_restore reads either form.
        const dump = start('pg_dump', [
          '--format=custom',
          '--compress=0',
          ...snapshotArgs,
          dbnameArg(database),
        ]);
        yield {
          name: databaseArtifactName(database, 'dump'),
          description: `pg_dump -Fc -Z0 of database ${database} (compressed by the agent)`,
          stream: dump.stdout,
          completion: dump.completion,
          neverEmpty: true,
        };
        await dump.completion;
        counts[database] = await counting;

        for (const extra of settings.extraSql.filter(
          e => e.database === database,
        )) {
          const copy = start('psql', [
            '-X',
            '-q',
            '-v',
            'ON_ERROR_STOP=1',
            dbnameArg(database),
            ...copyOutCommands(extra, snapshot),
          ]);
          yield {
            name: extraSqlArtifactName(extra.name),
            description: `COPY (${extra.query}) TO STDOUT in database ${database}, replayed with ${extra.replay}`,
            stream: copy.stdout,
            completion: copy.completion,
          };
          await copy.completion;
        }
      } finally {
        for (const command of running) command.kill(true);
        sessions.delete(database);
        await endSession(client);
      }
    }
  }

  return {
    artifacts,
    details: async () => ({
      serverVersion: plan.serverVersion,
      globals,
      databases: counts,
    }),
    async close() {
      for (const command of running) command.kill(true);
      await Promise.all([...sessions.values()].map(s => endSession(s.client)));
      sessions.clear();
      await tools.close();
    },
  };
}
