import { randomBytes } from 'node:crypto';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { writeStreamToNewFile } from '../fs/durable';
import type { RestoreArtifact } from './EngineDriver';
import { ensurePrivateFolder, PRIVATE_FILE_MODE } from '../fs/privateFolder';

export interface StagedArtifact {
  path: string;
  bytes: number;
  remove(): Promise<void>;
}

/**
 * An artifact read completely into the staging folder. Its stream fails at the end when the
 * checksum differs, so once this resolves the bytes are known good, and nothing at the
 * destination has been touched yet.
 */
export async function stageArtifact(
  artifact: RestoreArtifact,
  stagingDir: string,
): Promise<StagedArtifact> {
  await ensurePrivateFolder(stagingDir);
  const file = path.join(
    stagingDir,
    `restore-${randomBytes(6).toString('hex')}-${artifact.name}`,
  );
  // Not fsynced: the copy is read back at once and removed, and swept at start after a crash.
  const bytes = await writeStreamToNewFile(
    await artifact.open(),
    file,
    PRIVATE_FILE_MODE,
    false,
  );
  return { path: file, bytes, remove: () => fsp.rm(file, { force: true }) };
}
