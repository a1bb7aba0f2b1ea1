import fsp from 'node:fs/promises';
import { pathOverlap } from '../fs/pathOverlap';
import { DropRefusedError } from '../snapshots/errors';

/**
 * Removes a scratch file or folder a restore wrote (`--to`), never the target's own path, one
 * inside it or one holding it. `kind` says what is expected there; anything else is refused.
 */
export async function dropLocalPath(
  destination: string,
  own: string,
  kind: 'file' | 'folder',
  extraFiles: string[] = [],
): Promise<string> {
  const overlap = pathOverlap(destination, own);
  if (overlap) {
    throw new DropRefusedError(
      `refusing to remove ${destination}: it ${overlap} the target's own data (${own}); only a restore destination elsewhere can be dropped`,
    );
  }
  const stat = await fsp.lstat(destination).catch(() => undefined);
  if (!stat) return `${destination} does not exist; nothing to remove`;
  const isKind = kind === 'file' ? stat.isFile() : stat.isDirectory();
  if (!isKind)
    throw new DropRefusedError(
      `refusing to remove ${destination}: it is not a ${kind}, so it is not a restore destination of this target`,
    );
  await fsp.rm(destination, { recursive: kind === 'folder', force: true });
  await Promise.all(extraFiles.map(file => fsp.rm(file, { force: true })));
  return `removed ${kind} ${destination}`;
}
