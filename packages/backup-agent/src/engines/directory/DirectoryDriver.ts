import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type * as tar from 'tar';
import { tarLibrary } from '../../libraries';
import type {
  EngineBackup,
  EngineDriver,
  ManualArtifact,
  RestoreArtifact,
} from '../EngineDriver';
import { fsyncDir, pathExists, siblingTempPath } from '../../fs/durable';
import { dropLocalPath } from '../dropLocalPath';
import { stageBackup } from '../stagedCopy';
import {
  DirectorySettings,
  directorySettingsSchema,
} from './directorySettings';
import { createExcludeMatcher } from './excludeMatcher';
import { findEscapingSymlinks, unsafeEntryReason } from './archiveSafety';
import { countTree } from './walkTree';
import { withoutSetuidBits } from './setuidBits';
import { tooManyFilesReason } from '../../snapshots/restoreBounds';

const FILE_TYPES = ['File', 'OldFile', 'ContiguousFile'];

export class UnsafeArchiveError extends Error {
  constructor(problems: string[]) {
    const shown = problems.slice(0, 5).join('; ');
    const more =
      problems.length > 5 ? ` (and ${problems.length - 5} more)` : '';
    super(`the archive is unsafe and was not restored: ${shown}${more}`);
    this.name = 'UnsafeArchiveError';
  }
}

/** "./a/b" as tar hands it to filters, made relative: "a/b"; "" for the root itself. */
function relativeEntryPath(entryPath: string): string {
  return entryPath
    .replace(/^(\.\/)+/, '')
    .replace(/^\.$/, '')
    .replace(/\/+$/, '');
}

/** Why a symlink found at backup time would be refused at restore, if it would be. */
function escapingLinkAtBackup(
  root: string,
  relative: string,
): string | undefined {
  const full = path.join(root, relative);
  const target = fs.readlinkSync(full);
  const lexical = unsafeEntryReason({
    path: relative,
    type: 'SymbolicLink',
    linkpath: target,
  });
  if (lexical) return lexical;
  try {
    const real = fs.realpathSync(full);
    const realRoot = fs.realpathSync(root);
    if (real !== realRoot && !real.startsWith(`${realRoot}${path.sep}`)) {
      return `symlink "${relative}" resolves to "${real}", outside the target`;
    }
  } catch {
    // A dangling link inside the folder is harmless.
  }
  return undefined;
}

/** Replaces `destination` by `prepared` with two renames, so readers never see a half tree. */
async function swapInto(prepared: string, destination: string): Promise<void> {
  if (!(await pathExists(destination))) {
    await fsp.rename(prepared, destination);
    return;
  }
  const old = siblingTempPath(destination, 'safekeep-old');
  await fsp.rename(destination, old);
  try {
    await fsp.rename(prepared, destination);
  } catch (error) {
    await fsp.rename(old, destination);
    throw error;
  }
  await fsp.rm(old, { recursive: true, force: true });
}

/**
 * A folder as one tar stream (node-tar), with excludes. Restores extract into a temp sibling,
 * refuse unsafe entries before they are written, and swap the result into place.
 */
export const directoryDriver: EngineDriver<DirectorySettings> = {
  engine: 'directory',

  settingsSchema: directorySettingsSchema,

  describe: settings => `folder ${settings.path}`,

  withDestination: (settings, destination, context) => ({
    ...settings,
    path: context.resolvePath(destination),
  }),

  livePath: settings => settings.path,

  serverVersion: async () => null,

  async backup(settings, context): Promise<EngineBackup> {
    const root = settings.path;
    const stat = await fsp.stat(root).catch(() => undefined);
    if (!stat?.isDirectory()) {
      throw new Error(
        `${root} is not a folder; check targets.${context.targetName}.path in the agent config`,
      );
    }
    const isExcluded = createExcludeMatcher(settings.exclude);
    const counts = { files: 0, bytes: 0 };
    const problems: string[] = [];
    let warning: string | undefined;

    const stream = tarLibrary().c(
      {
        cwd: root,
        strict: true,
        onwarn: (_code: string, message: string) => {
          warning ??= message;
        },
        filter: (entryPath: string, entry: fs.Stats | tar.ReadEntry) => {
          const entryStat = entry as fs.Stats; // creating: tar hands over lstat results
          const relative = relativeEntryPath(entryPath);
          if (isExcluded(relative)) return false;
          if (entryStat.isSymbolicLink()) {
            const problem = escapingLinkAtBackup(root, relative);
            if (problem) {
              problems.push(problem);
              return false;
            }
          }
          if (entryStat.isFile()) {
            counts.files++;
            counts.bytes += entryStat.size;
          }
          return true;
        },
      },
      ['.'],
    );

    const completion = new Promise<void>((resolve, reject) => {
      stream.on('error', reject);
      stream.on('end', () => {
        if (problems.length > 0) {
          reject(
            new Error(
              `${problems.join(
                '; ',
              )}. A restore would refuse such links: exclude them (targets.${
                context.targetName
              }.exclude) or make them relative links inside the folder`,
            ),
          );
        } else if (warning) {
          reject(
            new Error(
              `tar could not read everything under ${root}: ${warning}`,
            ),
          );
        } else {
          resolve();
        }
      });
    });
    completion.catch(() => undefined);

    return {
      async *artifacts() {
        yield {
          name: `${
            path.basename(root).replace(/[^A-Za-z0-9._-]/g, '_') || 'files'
          }.tar`,
          description: `tar of folder ${root} (excluding ${
            settings.exclude.join(', ') || 'nothing'
          })`,
          // node-tar's Pack is a Minipass stream; stream.pipeline accepts it like a Readable.
          stream: stream as unknown as Readable,
          completion,
        };
      },
      details: async () => ({ ...counts }),
      close: async () => undefined,
    };
  },

  // A cut copies the folder's tar raw into staging while the writers are stopped.
  stage: async (settings, context) =>
    stageBackup(
      await directoryDriver.backup(settings, context),
      context.stagingDir,
      context.targetName,
    ),

  async preflight(settings, context) {
    const stat = await fsp.stat(settings.path).catch(() => undefined);
    if (!stat?.isDirectory())
      return {
        problems: [
          `${settings.path} is not a folder; check targets.${context.targetName}.path in the agent config`,
        ],
      };
    return {
      problems: [],
      stagedCopyBytes: (await countTree(settings.path)).bytes,
    };
  },

  async inspectDestination(settings) {
    const stat = await fsp.lstat(settings.path).catch(() => undefined);
    if (!stat)
      return { empty: true, summary: `${settings.path} does not exist` };
    if (!stat.isDirectory())
      return {
        empty: false,
        summary: `${settings.path} exists and is not a folder`,
      };
    const entries = await fsp.readdir(settings.path);
    return entries.length === 0
      ? { empty: true, summary: `${settings.path} is an empty folder` }
      : {
          empty: false,
          summary: `${settings.path} holds ${entries.length} entr${
            entries.length === 1 ? 'y' : 'ies'
          }`,
        };
  },

  async restore(settings, artifacts: RestoreArtifact[]) {
    if (artifacts.length !== 1) {
      throw new Error(
        `a directory snapshot holds exactly one artifact, this one has ${artifacts.length}`,
      );
    }
    const destination = settings.path;
    await fsp.mkdir(path.dirname(destination), { recursive: true });
    const prepared = siblingTempPath(destination, 'safekeep-restore');
    await fsp.mkdir(prepared, { mode: 0o700 });
    try {
      const problems: string[] = [];
      let files = 0;
      let tooMany: string | undefined;
      const unpack = tarLibrary().x({
        cwd: prepared,
        strict: true,
        // node-tar's default: owners are restored when the agent runs as root, else it owns all.
        filter: (_entryPath: string, entry: fs.Stats | tar.ReadEntry) => {
          // Called before node-tar sanitises the entry (it would silently strip a leading "/"),
          // so the raw path is judged and the whole restore refused.
          const facts = entry as tar.ReadEntry;
          if (!settings.restoreSetuidBits && facts.mode !== undefined)
            facts.mode = withoutSetuidBits(facts.mode);
          const reason = unsafeEntryReason({
            path: facts.path,
            type: facts.type,
            linkpath: facts.linkpath,
          });
          if (reason) problems.push(reason);
          if (FILE_TYPES.includes(facts.type)) files++;
          // Past the manifest's file count nothing more is written (the bytes are bounded too).
          tooMany ??= tooManyFilesReason(files, artifacts[0].recordedFiles);
          return !reason && !tooMany;
        },
      });
      await pipeline(await artifacts[0].open(), unpack);
      if (tooMany) throw new Error(tooMany);
      problems.push(...(await findEscapingSymlinks(prepared)));
      if (problems.length > 0) throw new UnsafeArchiveError(problems);
      await swapInto(prepared, destination);
      await fsyncDir(path.dirname(destination));
    } catch (error) {
      await fsp.rm(prepared, { recursive: true, force: true });
      throw error;
    }
  },

  async check(settings) {
    return countTree(settings.path);
  },

  dropDestination: (settings, own) =>
    dropLocalPath(settings.path, own.path, 'folder'),

  manualRestoreSteps(settings, artifacts: ManualArtifact[]) {
    const [artifact] = artifacts;
    return [
      `1. Stop the application that uses \`${settings.path}\`.`,
      `2. Unpack into an empty folder (GNU tar refuses absolute paths and ".." by default):`,
      '',
      '```sh',
      `mkdir -p restored`,
      `${artifact.catCommand} | tar -x -C restored`,
      '```',
      '',
      `3. Compare file count and size with \`details\` in MANIFEST.json (\`find restored -type f | wc -l\`).`,
      `4. Move the folder into place: \`mv '${settings.path}' '${settings.path}.old' && mv restored '${settings.path}'\`.`,
    ].join('\n');
  },
};
