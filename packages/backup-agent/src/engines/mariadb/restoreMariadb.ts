import fs from 'node:fs';
import type { CommandRunner } from '../../exec/CommandRunner';
import type { EngineContext, RestoreArtifact } from '../EngineDriver';
import { databaseFromArtifactName } from '../databaseArtifactName';
import { StagedArtifact, stageArtifact } from '../stagedArtifact';
import { DUMP_EXTENSION } from './backupMariadb';
import {
  describeServer,
  quoteIdentifier,
  withMariadb,
} from './mariadbConnection';
import type { MariadbSettings } from './mariadbSettings';
import { MariadbTools } from './mariadbTools';

interface DumpToLoad {
  artifact: RestoreArtifact;
  source: string;
  into: string;
}

/** Every artifact must be a database dump; `restore --to` needs a snapshot of one database. */
function planRestore(
  settings: MariadbSettings,
  artifacts: RestoreArtifact[],
): DumpToLoad[] {
  const dumps = artifacts.map(artifact => {
    const source = databaseFromArtifactName(artifact.name, DUMP_EXTENSION);
    if (source === undefined) {
      throw new Error(
        `the snapshot holds "${artifact.name}", which is not a MariaDB dump this agent knows; nothing was restored`,
      );
    }
    return { artifact, source, into: settings.restoreInto ?? source };
  });
  if (dumps.length === 0)
    throw new Error(
      'the snapshot holds no database dump; nothing was restored',
    );
  if (settings.restoreInto !== undefined && dumps.length > 1) {
    throw new Error(
      `the snapshot holds ${dumps.length} databases (${dumps
        .map(d => d.source)
        .join(', ')}) and a destination can name one database only; ` +
        'restore to the same names (no destination), or back up each database as its own target',
    );
  }
  return dumps;
}

/**
 * Loads each dump with the mysql client after CREATE DATABASE IF NOT EXISTS. A dump is not
 * one transaction (DDL commits), so each artifact is first read completely into the staging
 * folder: a broken or tampered stream fails there, before the database is touched.
 */
export async function restoreMariadb(
  runner: CommandRunner,
  settings: MariadbSettings,
  artifacts: RestoreArtifact[],
  context: EngineContext,
): Promise<void> {
  const dumps = planRestore(settings, artifacts);
  const tools = await MariadbTools.open(runner, settings, context.stagingDir);
  try {
    for (const dump of dumps) {
      let staged: StagedArtifact | undefined;
      try {
        staged = await stageArtifact(dump.artifact, context.stagingDir);
        const created = await withMariadb(settings, async connection => {
          const [result] = await connection.query(
            `CREATE DATABASE IF NOT EXISTS ${quoteIdentifier(dump.into)}`,
          );
          return (result as { warningStatus?: number }).warningStatus === 0;
        });
        const load = tools.run(
          'mysql',
          ['--default-character-set=utf8mb4', `--database=${dump.into}`],
          { stdin: fs.createReadStream(staged.path) },
        );
        load.stdout.resume();
        try {
          await load.completion;
        } catch (error) {
          if (created)
            await withMariadb(settings, c =>
              c.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(dump.into)}`),
            ).catch(() => undefined);
          const state = created
            ? 'it was removed again'
            : 'it may be partly restored (a MySQL dump is not one transaction); fix the cause and restore again';
          throw new Error(
            `loading the dump of "${dump.source}" into database "${
              dump.into
            }" on ${describeServer(settings)} failed, ${state}: ${
              (error as Error).message
            }`,
          );
        }
        context.log(
          `restored database "${dump.into}"${
            dump.into === dump.source
              ? ''
              : ` from the dump of "${dump.source}"`
          }`,
        );
      } finally {
        await staged?.remove();
      }
    }
  } finally {
    await tools.close();
  }
}
