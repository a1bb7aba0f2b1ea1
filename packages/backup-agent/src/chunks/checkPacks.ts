import { createHash } from 'node:crypto';
import type { SnapshotArtifact } from '@safekeep/plugin-backups-common';
import type { KeyLookup } from '../pipeline/encryption';
import type { SnapshotRef, SnapshotStorage } from '../storage/SnapshotStorage';
import { packsOf } from './chunkIndex';
import { readChunkIndex } from './ChunkRepository';
import { framePackBytes, parseFramePackHeader } from './framePack';
import { packKey } from './packFile';

/**
 * A restore's pre-check of a chunked artifact, without decoding a chunk: the index (its sha256
 * in the manifest, so the manifest's authentication covers it), then every pack it names, read
 * whole and checked against its name (the sha256 of its bytes) and long enough for the chunks
 * the index places in it (SKIDX2: its header also against the sha256 the index records, and
 * its frames filling it). Unchanged packs hold exactly the chunks written, so this refuses the
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
  /** SKIDX1: how far into each pack its chunks reach. */
  const ends = new Map<string, number>();
  if (index.version === 1) {
    for (const chunk of index.chunks) {
      const end = chunk.offset + chunk.storedBytes;
      ends.set(chunk.pack, Math.max(ends.get(chunk.pack) ?? 0, end));
    }
  }
  const named = index.version === 2 ? index.packs : [];
  let bytes = 0;
  for (const pack of packsOf(index)) {
    const data = await storage.getObject(packKey(index.pool, pack));
    const sha256 = createHash('sha256').update(data).digest('hex');
    if (sha256 !== pack) {
      throw new Error(
        `${label}: pack ${pack} holds bytes with sha256 ${sha256}; it is damaged or foreign`,
      );
    }
    const entry = named.find(p => p.id === pack);
    const end = entry
      ? framePackBytes(
          parseFramePackHeader(data, entry, `${label}: pack ${pack}`),
        )
      : ends.get(pack)!;
    if (data.length < end) {
      throw new Error(
        `${label}: pack ${pack} is shorter than its index says; chunks are missing`,
      );
    }
    bytes += data.length;
    onBytes(bytes);
  }
}
