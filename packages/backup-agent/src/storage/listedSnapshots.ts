import type { SnapshotStorage, StoredSnapshot } from './SnapshotStorage';
import { isSnapshotId } from './snapshotId';

/**
 * The snapshots of `target` a tier lists, from the names found under the target (folders or
 * key prefixes): snapshot ids only, oldest first, each with its manifest read.
 */
export function listedSnapshots(
  storage: Pick<SnapshotStorage, 'readManifest'>,
  target: string,
  names: string[],
): Promise<StoredSnapshot[]> {
  const ids = names.filter(isSnapshotId).sort();
  return Promise.all(
    ids.map(async id => ({
      ref: { target, id },
      manifest: await storage.readManifest({ target, id }),
    })),
  );
}
