import fs from 'node:fs';
import type { CommandRunner } from '../../exec/CommandRunner';
import type { EngineContext, RestoreArtifact } from '../EngineDriver';
import { StagedArtifact, stageArtifact } from '../stagedArtifact';
import { describeServer } from './postgresConnection';
import type { PostgresSettings } from './postgresSettings';
import { setDataOffsets } from './archiveDataOffsets';
import { chooseRestoreMode } from './parallelRestore';
import { planPostgresRestore } from './planPostgresRestore';
import { dbnameArg, PostgresTools } from './postgresTools';
import {
  createRestoringDatabase,
  databaseExists,
  dropAbandonedRestores,
  dropDatabase,
  renameIntoPlace,
} from './newDatabaseRestore';

/** Replays globals.sql; "already exists" errors are expected (roles usually exist) and only logged. */
async function restoreGlobals(
  tools: PostgresTools,
  settings: PostgresSettings,
  staged: StagedArtifact,
  context: EngineContext,
): Promise<void> {
  const replay = tools.run(
    'psql',
    ['-X', '-q', dbnameArg(settings.maintenanceDatabase)],
    { stdin: fs.createReadStream(staged.path) },
  );
  replay.stdout.resume();
  await replay.completion;
  const errors = replay
    .stderr()
    .split('\n')
    .filter(line => line.includes('ERROR:'));
  const unexpected = errors.filter(line => !/already exists/.test(line));
  if (errors.length > 0)
    context.log(
      `globals.sql: ${errors.length} statement(s) failed, ${
        errors.length - unexpected.length
      } because the object already exists`,
    );
  if (unexpected.length > 0) {
    throw new Error(
      `globals.sql could not be replayed: ${unexpected
        .slice(0, 5)
        .join('; ')}; no database was restored yet`,
    );
  }
}

/**
 * A dump read whole into the staging folder (its checksum verified before pg_restore starts),
 * given the data offsets a dump to a pipe lacks (archiveDataOffsets.ts), then restored with
 * `jobs` connections into a database nobody uses yet; the copy is removed as soon as
 * pg_restore is done with it. False when the staging folder filled up first (another writer
 * took the room chooseRestoreMode saw): nothing was restored, and the caller streams instead.
 */
async function restoreStaged(
  tools: PostgresTools,
  artifact: RestoreArtifact,
  into: string,
  jobs: number,
  context: EngineContext,
): Promise<boolean> {
  let file: StagedArtifact;
  try {
    file = await stageArtifact(artifact, context.stagingDir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
    context.log(
      `${artifact.name}: the staging folder ${context.stagingDir} filled up while the dump was staged for a parallel restore; restoring it as one stream instead`,
    );
    return false;
  }
  try {
    const offsets = await setDataOffsets(file.path);
    if (offsets.skipped)
      context.log(
        `${artifact.name}: pg_restore --jobs reads it without data offsets (slower): ${offsets.skipped}`,
      );
    const restore = tools.run('pg_restore', [
      '--no-owner',
      '--exit-on-error',
      `--jobs=${jobs}`,
      dbnameArg(into),
      file.path,
    ]);
    restore.stdout.resume();
    await restore.completion;
  } finally {
    await file.remove();
  }
  return true;
}

/**
 * Per database: over an existing one, pg_restore --clean --if-exists --no-owner in one
 * transaction, so a failing stream or statement leaves the database as it was; a missing one
 * is created under a name of its own, restored there (in parallel from a staged copy where
 * parallelRestore.ts allows) and renamed into place once whole. Extracts and
 * globals are small: they are staged (and so checksum-verified) before anything is touched,
 * then replayed after their database.
 */
export async function restorePostgres(
  runner: CommandRunner,
  settings: PostgresSettings,
  artifacts: RestoreArtifact[],
  context: EngineContext,
): Promise<void> {
  const plan = planPostgresRestore(settings, artifacts);
  const staged: StagedArtifact[] = [];
  const tools = await PostgresTools.open(runner, settings, context.stagingDir);
  try {
    const stagedGlobals =
      plan.globals && settings.restoreGlobals
        ? await stageArtifact(plan.globals, context.stagingDir)
        : undefined;
    if (stagedGlobals) staged.push(stagedGlobals);
    const stagedExtras = new Map<string, StagedArtifact>();
    for (const dump of plan.dumps) {
      for (const { artifact } of dump.extras) {
        const file = await stageArtifact(artifact, context.stagingDir);
        staged.push(file);
        stagedExtras.set(artifact.name, file);
      }
    }

    if (stagedGlobals) {
      await restoreGlobals(tools, settings, stagedGlobals, context);
    } else if (plan.globals) {
      context.log(
        `globals.sql (roles, tablespaces) was not replayed: roles usually exist already; set restoreGlobals: true to replay it`,
      );
    }

    const abandoned = await dropAbandonedRestores(settings);
    if (abandoned.length)
      context.log(
        `dropped ${
          abandoned.length
        } database(s) a killed restore left: ${abandoned.join(', ')}`,
      );
    for (const dump of plan.dumps) {
      // A new database is restored under another name and renamed once whole.
      const created = !(await databaseExists(settings, dump.into));
      // Decided before the copy exists, so that nothing is left behind if this throws.
      const mode = await chooseRestoreMode(
        settings,
        dump.artifact,
        created,
        context.stagingDir,
      );
      const restoreInto = created
        ? await createRestoringDatabase(settings, dump.into)
        : dump.into;
      if (!mode.staged && mode.why)
        context.log(`database "${dump.into}": ${mode.why}`);
      let parallel = false;
      try {
        if (mode.staged)
          parallel = await restoreStaged(
            tools,
            dump.artifact,
            restoreInto,
            mode.jobs,
            context,
          );
        if (!parallel) {
          const restore = tools.run(
            'pg_restore',
            [
              '--clean',
              '--if-exists',
              '--no-owner',
              '--single-transaction',
              dbnameArg(restoreInto),
            ],
            {
              stdin: await dump.artifact.open(),
            },
          );
          restore.stdout.resume();
          await restore.completion;
        }
        if (created) await renameIntoPlace(settings, restoreInto, dump.into);
      } catch (error) {
        if (created)
          await dropDatabase(settings, restoreInto).catch(() => undefined);
        const message = (error as Error).message;
        // --clean drops only what the dump holds; newer objects can pin a schema or type.
        const hint = /other objects depend on it/.test(message)
          ? '; objects created after the backup depend on objects it restores: drop them (see DETAIL), or restore into a new database (destination) and switch over'
          : '';
        throw new Error(
          `restoring database "${dump.into}" on ${describeServer(
            settings,
          )} failed and was rolled back: ${message}${hint}`,
        );
      }
      context.log(
        `restored database "${dump.into}"${
          dump.into === dump.source ? '' : ` from the dump of "${dump.source}"`
        }${parallel ? ` with pg_restore --jobs=${mode.jobs}` : ''}`,
      );

      for (const { artifact, extra } of dump.extras) {
        const before = extra.beforeReplay ? ['-c', extra.beforeReplay] : [];
        const replay = tools.run(
          'psql',
          [
            '-X',
            '-q',
            '-v',
            'ON_ERROR_STOP=1',
            '--single-transaction',
            dbnameArg(dump.into),
            ...before,
            '-c',
            extra.replay,
          ],
          { stdin: fs.createReadStream(stagedExtras.get(artifact.name)!.path) },
        );
        replay.stdout.resume();
        try {
          await replay.completion;
        } catch (error) {
          throw new Error(
            `database "${dump.into}" was restored, but replaying extraSql "${
              extra.name
            }" failed and was rolled back: ${(error as Error).message}; ` +
              `fix the statement and restore again`,
          );
        }
      }
    }
  } finally {
    await Promise.all(staged.map(file => file.remove()));
    await tools.close();
  }
}
