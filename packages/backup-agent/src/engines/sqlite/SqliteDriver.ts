import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type {
  EngineBackup,
  EngineDriver,
  ManualArtifact,
  RestoreArtifact,
} from '../EngineDriver';
import {
  fsyncDir,
  pathExists,
  siblingTempPath,
  writeStreamToNewFile,
} from '../../fs/durable';
import { dropLocalPath } from '../dropLocalPath';
import { SqliteSettings, sqliteSettingsSchema } from './sqliteSettings';
import {
  assertQuickCheck,
  countRows,
  withReadOnlyDatabase,
} from './inspectSqlite';
import { sqliteLibrary } from '../../libraries';
import { ensurePrivateFolder, PRIVATE_FILE_MODE } from '../../fs/privateFolder';
import { explainDiskFull } from '../../fs/diskFull';

function artifactName(settings: SqliteSettings): string {
  const base = path.basename(settings.path).replace(/[^A-Za-z0-9._-]/g, '_');
  return base && base !== '.' && base !== '..' ? base : 'database.sqlite';
}

async function removeSidecars(file: string): Promise<void> {
  await Promise.all(
    ['-wal', '-shm', '-journal'].map(suffix =>
      fsp.rm(`${file}${suffix}`, { force: true }),
    ),
  );
}

/**
 * SQLite through better-sqlite3's online backup API: a consistent copy while the application
 * keeps writing. The copy goes to a temp file in the staging folder first; that is inherent to
 * the API (it writes to a file), so SQLite is the one engine whose backup needs local space the
 * size of the database.
 */
export const sqliteDriver: EngineDriver<SqliteSettings> = {
  engine: 'sqlite',

  settingsSchema: sqliteSettingsSchema,

  describe: settings => `SQLite database ${settings.path}`,

  withDestination: (settings, destination, context) => ({
    ...settings,
    path: context.resolvePath(destination),
  }),

  livePath: settings => settings.path,

  async serverVersion() {
    const db = new (sqliteLibrary())(':memory:');
    try {
      return (db.prepare('SELECT sqlite_version() AS v').get() as { v: string })
        .v;
    } finally {
      db.close();
    }
  },

  // The backup API's copy is the point in time; it streams from staging afterwards.
  pointInTime: 'backup',

  async preflight(settings, context) {
    const stat = await fsp.stat(settings.path).catch(() => undefined);
    return stat
      ? { problems: [], stagingBytes: stat.size }
      : {
          problems: [
            `SQLite database ${settings.path} does not exist; check targets.${context.targetName}.path in the agent config`,
          ],
        };
  },

  async backup(settings, context): Promise<EngineBackup> {
    if (!(await pathExists(settings.path))) {
      throw new Error(
        `SQLite database ${settings.path} does not exist; check targets.${context.targetName}.path in the agent config`,
      );
    }
    await ensurePrivateFolder(context.stagingDir);
    const copy = path.join(
      context.stagingDir,
      `${context.targetName}-${randomUUID()}.sqlite`,
    );
    const cleanup = () =>
      Promise.all([fsp.rm(copy, { force: true }), removeSidecars(copy)]).then(
        () => undefined,
      );
    let details: Record<string, unknown>;
    try {
      const source = new (sqliteLibrary())(settings.path, {
        readonly: true,
        fileMustExist: true,
      });
      try {
        // Created 0600 first, so SQLite's copy of the data is never readable by others.
        await fsp.writeFile(copy, '', { flag: 'wx', mode: PRIVATE_FILE_MODE });
        await source.backup(copy);
      } finally {
        source.close();
      }
      details = withReadOnlyDatabase(copy, db => {
        assertQuickCheck(db, `SQLite database ${settings.path}`);
        return { tables: countRows(db) };
      });
      await removeSidecars(copy);
    } catch (error) {
      await cleanup();
      throw explainDiskFull(
        error,
        `the staging folder ${context.stagingDir}`,
        "free space there, or set agent.staging to a folder on a larger disk (the copy needs about the database's size)",
      );
    }
    return {
      async *artifacts() {
        yield {
          name: artifactName(settings),
          description: `SQLite online backup of ${settings.path}`,
          stream: fs.createReadStream(copy),
        };
      },
      details: async () => details,
      close: cleanup,
    };
  },

  async inspectDestination(settings) {
    if (!(await pathExists(settings.path))) {
      return { empty: true, summary: `${settings.path} does not exist` };
    }
    const stat = await fsp.stat(settings.path);
    if (stat.size === 0)
      return { empty: true, summary: `${settings.path} is an empty file` };
    try {
      const tables = withReadOnlyDatabase(settings.path, db =>
        Object.keys(countRows(db)),
      );
      return tables.length === 0
        ? {
            empty: true,
            summary: `SQLite database ${settings.path} has no tables`,
          }
        : {
            empty: false,
            summary: `SQLite database ${settings.path} has ${
              tables.length
            } table(s): ${tables.slice(0, 5).join(', ')}`,
          };
    } catch (error) {
      return {
        empty: false,
        summary: `${settings.path} exists and cannot be read as SQLite (${
          (error as Error).message
        })`,
      };
    }
  },

  async restore(settings, artifacts: RestoreArtifact[]) {
    if (artifacts.length !== 1) {
      throw new Error(
        `a SQLite snapshot holds exactly one artifact, this one has ${artifacts.length}`,
      );
    }
    const destination = settings.path;
    await fsp.mkdir(path.dirname(destination), { recursive: true });
    const temp = siblingTempPath(destination, 'safekeep-restore');
    try {
      await writeStreamToNewFile(await artifacts[0].open(), temp);
      withReadOnlyDatabase(temp, db =>
        assertQuickCheck(db, 'the restored SQLite file'),
      );
      await removeSidecars(temp);
      // A stale WAL next to the new file would be replayed onto it: remove it first.
      await removeSidecars(destination);
      await fsp.rename(temp, destination);
      await fsyncDir(path.dirname(destination));
    } catch (error) {
      await Promise.all([fsp.rm(temp, { force: true }), removeSidecars(temp)]);
      throw error;
    }
  },

  async check(settings) {
    return withReadOnlyDatabase(settings.path, db => ({
      tables: countRows(db),
    }));
  },

  dropDestination: (settings, own) =>
    dropLocalPath(
      settings.path,
      own.path,
      'file',
      ['-wal', '-shm', '-journal'].map(suffix => `${settings.path}${suffix}`),
    ),

  manualRestoreSteps(settings, artifacts: ManualArtifact[]) {
    const [artifact] = artifacts;
    const dest = settings.path;
    return [
      `1. Stop the application that uses \`${dest}\`.`,
      `2. Unpack the database: \`${artifact.catCommand} > ${artifact.rawName}.restored\``,
      `3. Check it: \`sqlite3 ${artifact.rawName}.restored 'PRAGMA integrity_check'\` must print \`ok\`.`,
      `4. Put it in place; remove stale WAL files first, or SQLite replays them onto the restored file:`,
      '',
      '```sh',
      `rm -f '${dest}-wal' '${dest}-shm' '${dest}-journal'`,
      `mv ${artifact.rawName}.restored '${dest}'`,
      '```',
      '',
      `5. Start the application again.`,
    ].join('\n');
  },
};
