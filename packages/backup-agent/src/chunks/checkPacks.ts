import { createHash } from 'node:crypto';
import type { SnapshotArtifact } from '@safekeep/plugin-backups-common';
import type { KeyLookup } from '../pipeline/encryption';
import type { SnapshotRef, SnapshotStorage } from '../storage/SnapshotStorage';
import { readChunkIndex } from './ChunkRepository';
import { packKey } from './packFile';

/**
 * A restore's pre-check of a chunked artifact, without decoding a chunk: the index (its sha256
 * in the manifest, so the manifest's authentication covers it), then every pack it names, read
 * whole and checked against its name (the sha256 of its bytes) and long enough for the chunks
 * the index places in it. Unchanged packs hold exactly the chunks written, so this refuses the
 * same damage a full read does (a flipped byte, a missing or foreign pack) for the cost of one
 * sha256 of the stored bytes instead of a decompression and a sha256 of every chunk's raw bytes.
 * The restore still checks every chunk in flight; `verify` still reads every chunk.
 */
export async function checkPacks(
  storage: SnapshotStorage,
  ref: SnapshotRef,
  artifact: SnapshotArtifact,
  onBytes: (bytes: number) => void = () => undefined,
  keys?: KeyLookup,
): Promise<void> {
  const label = `${storage.tier}:${ref.target}/${ref.id}/${artifact.name}`;
  const index = await readChunkIndex(storage, ref, artifact, keys);
  const needed = new Map<string, number>();
  for (const chunk of index.chunks) {
    const end = chunk.offset + chunk.storedBytes;
    needed.set(chunk.pack, Math.max(needed.get(chunk.pack) ?? 0, end));
  }
  let bytes = 0;
  for (const [pack, end] of needed) {
    const data = await storage.getObject(packKey(index.pool, pack));
    const sha256 = createHash('sha256').update(data).digest('hex');
    if (sha256 !== pack) {
      throw new Error(
        `${label}: pack ${pack} holds bytes with sha256 ${sha256}; it is damaged or foreign`,
      );
    }
    if (data.length < end) {
      throw new Error(
        `${label}: pack ${pack} is shorter than its index says; chunks are missing`,
      );
    }
    bytes += data.length;
    onBytes(bytes);
  }
}
