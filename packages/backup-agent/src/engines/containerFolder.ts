import { PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { DockerRuntime } from '../docker/DockerRuntime';
import { UnsafeArchiveError } from './directory/DirectoryDriver';
import type { RestoreArtifact } from './EngineDriver';
import { TarInspector } from './volume/TarInspector';

/**
 * A folder a tool wrote inside a container (a milvus-backup or ClickHouse backup), streamed
 * out as a tar through the archive API; the entries start with the folder's own name.
 */
export function folderOut(
  runtime: DockerRuntime,
  container: string,
  path: string,
): Promise<Readable> {
  return runtime.copyOut(container, path);
}

/**
 * Puts a folder tar back into `parent` of a container, every entry judged by the directory
 * engine's archive safety rules on the way (the upload stops at the first unsafe entry), so a
 * tool only ever reads a folder that arrived whole and safe.
 */
export async function folderIn(
  runtime: DockerRuntime,
  container: string,
  artifact: RestoreArtifact,
  parent: string,
): Promise<void> {
  const inspector = new TarInspector();
  const upload = new PassThrough();
  const feeding = pipeline(
    await artifact.open(),
    inspector.passThrough(true, problems => new UnsafeArchiveError(problems)),
    upload,
  );
  await Promise.all([runtime.copyIn(container, upload, parent), feeding]);
  await inspector.finish();
  if (inspector.problems.length > 0)
    throw new UnsafeArchiveError(inspector.problems);
}

/** A backup name tools accept everywhere: `safekeep_20260118_040000`. */
export function backupName(at: Date): string {
  const iso = at.toISOString();
  return `safekeep_${iso.slice(0, 10).replace(/-/g, '')}_${iso
    .slice(11, 19)
    .replace(/:/g, '')}`;
}

const BACKUP_FOLDER_ARTIFACT = /^(safekeep_\d{8}_\d{6})\.tar$/;

/**
 * The backup name of a snapshot holding one backup folder's tar (`<backupName>.tar`), as the
 * container tool engines store it; throws a sentence naming what the snapshot holds instead.
 */
export function backupFolderName(
  artifacts: RestoreArtifact[],
  engine: string,
): string {
  const name =
    artifacts.length === 1
      ? BACKUP_FOLDER_ARTIFACT.exec(artifacts[0].name)?.[1]
      : undefined;
  if (!name)
    throw new Error(
      `a ${engine} snapshot holds one artifact named safekeep_<date>_<time>.tar; this one has ${artifacts
        .map(a => a.name)
        .join(', ')}`,
    );
  return name;
}
