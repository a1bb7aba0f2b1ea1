import { createHash } from 'node:crypto';
import type { SnapshotArtifact } from '@safekeep/plugin-backups-common';
import type { KeyLookup } from '../pipeline/encryption';
import type { SnapshotRef, SnapshotStorage } from '../storage/SnapshotStorage';
import { packsOf } from './chunkIndex';
import { ChunkRepository, readChunkIndex } from './ChunkRepository';

/**
 * Copies the packs a chunked artifact's index names that the other tier lacks, each checked
 * against its name (the sha256 of its bytes) on the way; returns the bytes copied. Packs
 * are immutable and content-named, so the same index is valid in both tiers.
 */
export async function copyMissingPacks(
  from: SnapshotStorage,
  to: SnapshotStorage,
  ref: SnapshotRef,
  artifact: SnapshotArtifact,
  keys: KeyLookup | undefined,
  onProgress: (bytes: number) => void = () => undefined,
): Promise<number> {
  const index = await readChunkIndex(from, ref, artifact, keys);
  const source = new ChunkRepository(from, index.pool);
  const destination = new ChunkRepository(to, index.pool);
  await destination.registerTarget(ref.target);
  const present = await destination.listPacks();
  let copied = 0;
  for (const pack of packsOf(index)) {
    if (present.has(pack)) continue;
    const data = await from.getObject(source.packKey(pack));
    const sha256 = createHash('sha256').update(data).digest('hex');
    if (sha256 !== pack) {
      throw new Error(
        `${from.tier}: pack ${pack} of ${ref.target}/${ref.id} is damaged (its sha256 is ${sha256}); it was not copied to ${to.tier}`,
      );
    }
    await destination.writePack(pack, data);
    copied += data.length;
    onProgress(copied);
  }
  return copied;
}
