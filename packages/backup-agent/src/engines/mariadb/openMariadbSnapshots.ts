import type { RowDataPacket } from 'mysql2/promise';
import type { RunningCommand } from '../../exec/CommandRunner';
import type { EngineBackup, EngineContext } from '../EngineDriver';
import { databaseArtifactName } from '../databaseArtifactName';
import { StagedCopy, stageStream } from '../stagedCopy';
import { countRows, DatabaseCounts } from './mariadbCatalog';
import {
  connectMariadb,
  describeServer,
  MariadbConnection,
} from './mariadbConnection';
import type { MariadbSettings } from './mariadbSettings';
import type { MariadbTools } from './mariadbTools';

/** How long a dump may take to open its consistent snapshot before the cut gives up. */
const SNAPSHOT_OPEN_TIMEOUT_MS = 30_000;
const POLL_MS = 20;

interface DatabaseDump {
  database: string;
  dump: RunningCommand;
  /** The dump's output, drained into staging at once (a dump left unread would time out). */
  copy: Promise<StagedCopy>;
  /** Settles once the copy is complete or failed. */
  settled: boolean;
  /** An agent session whose consistent snapshot, taken beside the dump's, counts the rows. */
  counter: MariadbConnection;
}

/** Ids of the server's sessions of `user` (one's own user's sessions need no PROCESS privilege). */
async function sessionsOf(
  watcher: MariadbConnection,
  user: string,
): Promise<Array<{ id: number; db: string | null }>> {
  const [rows] = await watcher.query<RowDataPacket[]>(
    'SELECT ID AS id, DB AS db FROM information_schema.PROCESSLIST WHERE USER = ?',
    [user],
  );
  return rows.map(row => ({
    id: Number(row.id),
    db: row.db === null ? null : String(row.db),
  }));
}

/**
 * MariaDB's own point in time for a consistency group's cut: one `mysqldump
 * --single-transaction` per database, all started at once while the writers are stopped, and
 * this returns as soon as every dump's consistent snapshot is open. mysqldump runs `START
 * TRANSACTION WITH CONSISTENT SNAPSHOT` before it selects the database (its `Init DB`), so a new
 * session of the target's user whose current database is the dumped one (information_schema.
 * PROCESSLIST) has its snapshot; a dump that already finished had it too. Each dump's output is
 * drained into staging meanwhile and streamed from there afterwards: a dump whose output waits
 * unread would hit the server's net_write_timeout. Rows are counted afterwards in agent sessions
 * whose own snapshots were opened in the same window, so they match the dumps exactly.
 */
export async function openMariadbSnapshots(
  tools: MariadbTools,
  settings: MariadbSettings,
  databases: string[],
  options: string[],
  /** The artifacts' extension: `sql`. */
  extension: string,
  context: EngineContext,
  explainDumpFailure: (error: Error) => Error,
): Promise<{
  artifacts: EngineBackup['artifacts'];
  counts: Record<string, DatabaseCounts>;
  close(): Promise<void>;
}> {
  const dumps: DatabaseDump[] = [];
  const sessions: MariadbConnection[] = [];
  const counts: Record<string, DatabaseCounts> = {};
  const watcher = await connectMariadb(settings);
  const close = async () => {
    for (const { dump } of dumps) dump.kill(true);
    await Promise.all([
      ...sessions.map(session => session.end().catch(() => undefined)),
      ...dumps.map(async d => (await d.copy.catch(() => undefined))?.remove()),
    ]);
    await watcher.end().catch(() => undefined);
  };
  try {
    // The counting sessions' snapshots first: they are taken in the same window as the dumps'.
    const counters = await Promise.all(
      databases.map(async () => {
        const counter = await connectMariadb(settings);
        sessions.push(counter);
        await counter.query(
          'START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY',
        );
        return counter;
      }),
    );
    // Sessions that exist before the dumps start are not theirs.
    const known = new Set(
      (await sessionsOf(watcher, settings.user)).map(s => s.id),
    );
    databases.forEach((database, index) => {
      const dump = tools.run('mysqldump', [...options, '--', database]);
      const entry: DatabaseDump = {
        database,
        dump,
        counter: counters[index],
        settled: false,
        copy: Promise.resolve(undefined as unknown as StagedCopy),
      };
      entry.copy = stageStream(
        dump.stdout,
        context.stagingDir,
        databaseArtifactName(database, extension),
      ).finally(() => {
        entry.settled = true;
      });
      entry.copy.catch(() => undefined);
      dumps.push(entry);
    });
    const deadline = Date.now() + SNAPSHOT_OPEN_TIMEOUT_MS;
    const open = new Set<string>();
    const finished = new Set<string>();
    while (open.size < dumps.length) {
      for (const d of dumps) {
        if (d.settled) {
          // Finished (its snapshot was open) or failed: a failure ends the cut here.
          await d.copy;
          await d.dump.completion.catch(error => {
            throw explainDumpFailure(error);
          });
          open.add(d.database);
          finished.add(d.database);
        }
      }
      for (const { id, db } of await sessionsOf(watcher, settings.user))
        if (!known.has(id) && db !== null && databases.includes(db))
          open.add(db);
      if (open.size === dumps.length) break;
      if (Date.now() > deadline)
        throw new Error(
          `mysqldump of ${databases
            .filter(d => !open.has(d))
            .join(', ')} on ${describeServer(
            settings,
          )} did not open its snapshot within ${
            SNAPSHOT_OPEN_TIMEOUT_MS / 1000
          } s`,
        );
      await new Promise(resolve => setTimeout(resolve, POLL_MS));
    }
    context.log(
      `mysqldump snapshots open for ${databases
        .map(
          d => `${d} (${finished.has(d) ? 'dump finished' : 'session seen'})`,
        )
        .join(', ')}`,
    );
    await watcher.end().catch(() => undefined);
  } catch (error) {
    await close();
    throw error;
  }

  return {
    counts,
    close,
    async *artifacts() {
      for (const d of dumps) {
        counts[d.database] = await countRows(
          d.counter,
          d.database,
          context.log,
        );
        await d.counter.query('COMMIT');
        const copy = await d.copy;
        await d.dump.completion.catch(error => {
          throw explainDumpFailure(error);
        });
        yield {
          name: databaseArtifactName(d.database, extension),
          description: `mysqldump --single-transaction --routines --events --triggers of database ${d.database}, its snapshot opened during a consistency group's cut (loads into any database name)`,
          stream: copy.open(),
          neverEmpty: true,
        };
      }
    },
  };
}
