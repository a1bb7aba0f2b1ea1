import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import {
  MANIFEST_FILE,
  SnapshotManifest,
} from '@safekeep/plugin-backups-common';
import {
  fsyncDir,
  isSiblingTempName,
  pathExists,
  siblingTempPath,
  writeFileAtomically,
  writeStreamToNewFile,
} from '../fs/durable';
import {
  ensurePrivateFolder,
  PRIVATE_FILE_MODE,
  PRIVATE_FOLDER_MODE,
} from '../fs/privateFolder';
import { manifestText, parseManifestText } from './manifestFile';
import {
  assertSafeArtifactName,
  assertSafeObjectKey,
  assertSafeRef,
  README_FILE,
} from './safeNames';
import { listedSnapshots } from './listedSnapshots';
import {
  ArtifactMissingError,
  ManifestRead,
  ObjectBody,
  SnapshotRef,
  SHARED_AREA,
  SnapshotStorage,
  StoredSnapshot,
  TierObject,
  WRITER_MARK_FILE,
} from './SnapshotStorage';
import { thisProcess } from '../leftovers/processIdentity';
import { explainDiskFull } from '../fs/diskFull';

/** Dot names beside the snapshot folders: one being born, one being removed (see below). */
export const NASCENT_LABEL = 'nascent';
export const DOOMED_LABEL = 'doomed';

/** Whether a name in a target's folder is a snapshot folder's birth or removal, cut short. */
export const unfinishedFolderKind = (
  name: string,
): 'nascent' | 'doomed' | undefined =>
  [NASCENT_LABEL, DOOMED_LABEL].find(label =>
    isSiblingTempName(name, label),
  ) as 'nascent' | 'doomed' | undefined;

/**
 * Snapshots in a local folder: `<root>/<target>/<id>/<artifact>`. Artifacts are written as
 * `<name>.partial`, fsynced and renamed, so a complete name always means complete bytes.
 * Private by default: the target's and the snapshot's folders are 0700 and every file 0600
 * (a dump holds everything; globals.sql holds role password verifiers).
 */
export class FilesystemStorage implements SnapshotStorage {
  constructor(readonly tier: string, private readonly root: string) {}

  private dir(ref: SnapshotRef): string {
    assertSafeRef(ref.target, ref.id);
    return path.join(this.root, ref.target, ref.id);
  }

  private file(ref: SnapshotRef, name: string): string {
    assertSafeArtifactName(name);
    return path.join(this.dir(ref), name);
  }

  /**
   * The snapshot's folder, created (parents too, the tier root included) and tightened to 0700.
   * A new folder is born whole: made under a dot name with this process's writer mark inside,
   * then renamed to the id, so a kill can never leave an id folder that does not say whose it
   * is (the next start would have to keep it for an hour).
   */
  private async snapshotFolder(ref: SnapshotRef): Promise<string> {
    const dir = this.dir(ref);
    if (!(await pathExists(dir))) {
      await fsp.mkdir(path.dirname(dir), {
        recursive: true,
        mode: PRIVATE_FOLDER_MODE,
      });
      await ensurePrivateFolder(this.root);
      const nascent = siblingTempPath(dir, NASCENT_LABEL);
      await fsp.mkdir(nascent, { mode: PRIVATE_FOLDER_MODE });
      try {
        await fsp.writeFile(
          path.join(nascent, WRITER_MARK_FILE),
          JSON.stringify(thisProcess()),
          { flag: 'wx', flush: true, mode: PRIVATE_FILE_MODE },
        );
        await fsp.rename(nascent, dir);
        await fsyncDir(path.dirname(dir));
      } catch (error) {
        await fsp.rm(nascent, { recursive: true, force: true });
        // Made by someone else meanwhile (a second writer of the same id): theirs stands.
        const code = (error as NodeJS.ErrnoException).code;
        if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw error;
      }
    }
    await ensurePrivateFolder(path.dirname(dir));
    await ensurePrivateFolder(dir);
    return dir;
  }

  location(ref: SnapshotRef): string {
    return `${pathToFileURL(this.dir(ref)).href}/`;
  }

  async putArtifact(
    ref: SnapshotRef,
    name: string,
    body: Readable,
  ): Promise<{ bytes: number }> {
    const final = this.file(ref, name);
    await this.snapshotFolder(ref);
    const partial = `${final}.partial`;
    await fsp.rm(partial, { force: true });
    try {
      await writeStreamToNewFile(body, partial, PRIVATE_FILE_MODE);
    } catch (error) {
      await fsp.rm(partial, { force: true });
      throw explainDiskFull(
        error,
        `tier "${this.tier}" (${this.root})`,
        `${name} was not stored; free space there or keep fewer snapshots (retention), then back up again`,
      );
    }
    await fsp.rename(partial, final);
    await fsyncDir(path.dirname(final));
    return { bytes: (await fsp.stat(final)).size };
  }

  async getArtifact(ref: SnapshotRef, name: string): Promise<Readable> {
    const file = this.file(ref, name);
    const stream = fs.createReadStream(file);
    // Surface a missing file here rather than as a stream error halfway down a pipeline.
    await new Promise<void>((resolve, reject) => {
      stream.once('open', () => resolve());
      stream.once('error', error =>
        reject(
          (error as NodeJS.ErrnoException).code === 'ENOENT'
            ? new ArtifactMissingError(`${this.location(ref)}${name}`)
            : error,
        ),
      );
    });
    return stream;
  }

  async writeReadme(ref: SnapshotRef, text: string): Promise<void> {
    const dir = await this.snapshotFolder(ref);
    await writeFileAtomically(
      path.join(dir, README_FILE),
      text,
      PRIVATE_FILE_MODE,
    );
  }

  async writeManifest(
    ref: SnapshotRef,
    manifest: SnapshotManifest,
  ): Promise<void> {
    const dir = await this.snapshotFolder(ref);
    await writeFileAtomically(
      path.join(dir, MANIFEST_FILE),
      manifestText(manifest),
      PRIVATE_FILE_MODE,
    );
  }

  async readManifest(ref: SnapshotRef): Promise<ManifestRead> {
    try {
      return parseManifestText(
        await fsp.readFile(path.join(this.dir(ref), MANIFEST_FILE), 'utf8'),
      );
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT')
        return { status: 'missing' };
      return { status: 'unreadable', reason: (error as Error).message };
    }
  }

  async listSnapshots(target: string): Promise<StoredSnapshot[]> {
    let entries: fs.Dirent[];
    try {
      entries = await fsp.readdir(path.join(this.root, target), {
        withFileTypes: true,
      });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    return listedSnapshots(
      this,
      target,
      entries.filter(e => e.isDirectory()).map(e => e.name),
    );
  }

  async markWriting(ref: SnapshotRef): Promise<void> {
    // The first write of a snapshot: its folders (the tier root too) are made private here.
    // A new folder is born holding this process's mark (snapshotFolder); only an existing
    // one (a deletion's) needs it written now.
    const existed = await pathExists(this.dir(ref));
    const dir = await this.snapshotFolder(ref);
    if (!existed) return;
    await writeFileAtomically(
      path.join(dir, WRITER_MARK_FILE),
      JSON.stringify(thisProcess()),
      PRIVATE_FILE_MODE,
    );
  }

  async clearWriting(ref: SnapshotRef): Promise<void> {
    await fsp.rm(path.join(this.dir(ref), WRITER_MARK_FILE), { force: true });
  }

  async deleteSnapshot(ref: SnapshotRef): Promise<void> {
    // Renamed away in one step, then removed: a kill at any point leaves either the whole
    // snapshot or a dot folder that is never listed and that the next start removes.
    const dir = this.dir(ref);
    if (!(await pathExists(dir))) return;
    const doomed = siblingTempPath(dir, DOOMED_LABEL);
    await fsp.rename(dir, doomed);
    await fsyncDir(path.dirname(dir));
    await fsp.rm(doomed, { recursive: true, force: true });
  }

  private objectPath(key: string): string {
    assertSafeObjectKey(key);
    return path.join(this.root, SHARED_AREA, ...key.split('/'));
  }

  async putObject(key: string, data: ObjectBody): Promise<void> {
    const file = this.objectPath(key);
    // Private like the snapshot folders: the chunks are the dumps' bytes.
    await ensurePrivateFolder(this.root);
    await ensurePrivateFolder(path.join(this.root, SHARED_AREA));
    try {
      await fsp.mkdir(path.dirname(file), {
        recursive: true,
        mode: PRIVATE_FOLDER_MODE,
      });
      await writeFileAtomically(file, data, PRIVATE_FILE_MODE);
    } catch (error) {
      // A pack (or lock) of a chunked snapshot: the same words as for a whole artifact.
      throw explainDiskFull(
        error,
        `tier "${this.tier}" (${this.root})`,
        `${SHARED_AREA}/${key} was not stored; free space there or keep fewer snapshots (retention), then back up again`,
      );
    }
  }

  async getObject(
    key: string,
    range?: { offset: number; length: number },
  ): Promise<Buffer> {
    const file = this.objectPath(key);
    try {
      if (!range) return await fsp.readFile(file);
      const handle = await fsp.open(file, 'r');
      try {
        const buffer = Buffer.alloc(range.length);
        const { bytesRead } = await handle.read(
          buffer,
          0,
          range.length,
          range.offset,
        );
        return buffer.subarray(0, bytesRead);
      } finally {
        await handle.close();
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT')
        throw new ArtifactMissingError(pathToFileURL(file).href);
      throw error;
    }
  }

  async listObjects(prefix: string): Promise<TierObject[]> {
    const base = path.join(this.root, SHARED_AREA);
    const found: TierObject[] = [];
    const walk = async (dir: string, relative: string): Promise<void> => {
      let entries: fs.Dirent[];
      try {
        entries = await fsp.readdir(dir, { withFileTypes: true });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw error;
      }
      for (const entry of entries) {
        // Temp files of an interrupted write start with a dot: not objects.
        if (entry.name.startsWith('.')) continue;
        const key = relative ? `${relative}/${entry.name}` : entry.name;
        if (!key.startsWith(prefix) && !prefix.startsWith(`${key}/`)) continue;
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) await walk(full, key);
        else if (entry.isFile()) {
          const stat = await fsp.stat(full);
          found.push({ key, bytes: stat.size, modifiedAt: stat.mtime });
        }
      }
    };
    await walk(base, '');
    return found.sort((a, b) => a.key.localeCompare(b.key));
  }

  async deleteObject(key: string): Promise<void> {
    await fsp.rm(this.objectPath(key), { force: true });
  }
}
