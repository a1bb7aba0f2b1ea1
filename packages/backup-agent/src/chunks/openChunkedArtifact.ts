import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { SnapshotArtifact } from '@safekeep/plugin-backups-common';
import type { KeyLookup } from '../pipeline/encryption';
import { allowedRawBytes } from '../snapshots/restoreBounds';
import type { SnapshotRef, SnapshotStorage } from '../storage/SnapshotStorage';
import { piecesOf } from './chunkLayout';
import { codecFor, readChunkIndex } from './ChunkRepository';
import { readPieces } from './readPieces';

/**
 * A chunked artifact's raw stream, checked all the way: the index against the manifest's
 * sha256 (and decrypted, when encrypted), each pack header it relies on against the sha256 the
 * index records, every frame against its digest (and its GCM tag; an SKIDX1 chunk is a frame
 * whose digest is its id), and the whole stream against `stream_sha256` and `raw_bytes` at
 * its end. A missing pack, a changed or foreign frame fails the stream: never a silently
 * shorter restore.
 */
export async function openChunkedArtifact(
  storage: SnapshotStorage,
  ref: SnapshotRef,
  artifact: SnapshotArtifact,
  onBytes?: (bytes: number) => void,
  keys?: KeyLookup,
): Promise<Readable> {
  const chunked = artifact.chunked;
  if (!chunked) throw new Error(`${artifact.name} is not a chunked artifact`);
  const label = `${storage.tier}:${ref.target}/${ref.id}/${artifact.name}`;
  const codec = codecFor(artifact, keys);
  const index = await readChunkIndex(storage, ref, artifact, keys);
  const pieces = await piecesOf(storage, index, label);
  const limit = allowedRawBytes(artifact.raw_bytes);
  async function* chunks() {
    try {
      yield* checked();
    } finally {
      // Its decompression contexts, however the stream ends.
      codec.close();
    }
  }
  async function* checked() {
    const hash = createHash('sha256');
    let bytes = 0;
    for await (const data of readPieces(
      storage,
      index.pool,
      codec,
      pieces,
      label,
    )) {
      hash.update(data);
      bytes += data.length;
      if (bytes > limit) {
        // As RawSizeLimit for a whole artifact: stopped before the engine replaces anything.
        throw new Error(
          `${label} inflates past the ${limit} bytes its manifest records (raw_bytes ${artifact.raw_bytes} plus the margin); the restore was stopped before replacing anything (a forged snapshot)`,
        );
      }
      onBytes?.(bytes);
      yield data;
    }
    const sha256 = hash.digest('hex');
    if (bytes !== artifact.raw_bytes || sha256 !== chunked!.stream_sha256) {
      throw new Error(
        `${label}: the chunks make ${bytes} bytes with sha256 ${sha256}; the manifest says ${
          artifact.raw_bytes
        } bytes with sha256 ${chunked!.stream_sha256}`,
      );
    }
  }
  return Readable.from(chunks(), { objectMode: false });
}
