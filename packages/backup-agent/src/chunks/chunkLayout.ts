import type { SnapshotStorage } from '../storage/SnapshotStorage';
import type { ChunkEncoding } from './chunkCodec';
import type { ChunkIndex, IndexPack } from './chunkIndex';
import {
  FramePackHeader,
  PACK2_PREFIX_BYTES,
  parseFramePackHeader,
} from './framePack';
import { packKey } from './packFile';

/** A stored frame: what is read, decrypted and decompressed as one. */
export interface StoredFrame {
  /** `<pack>:<offset>`: the same frame has the same key wherever it is used. */
  key: string;
  pack: string;
  offset: number;
  storedBytes: number;
  rawBytes: number;
  encoding: ChunkEncoding;
  digest: Buffer;
  /** The frame in error messages. */
  what: string;
}

/** Consecutive raw bytes of the stream that lie in one frame. */
export interface Piece {
  frame: StoredFrame;
  start: number;
  length: number;
}

/**
 * An SKIDX2 index's packs with their headers, each fetched with one ranged read and checked
 * against the sha256 the index records (so the manifest's checksum covers every chunk id and
 * frame digest in them).
 */
export async function readPackHeaders(
  storage: SnapshotStorage,
  pool: string,
  packs: IndexPack[],
  label: string,
): Promise<FramePackHeader[]> {
  const headers: FramePackHeader[] = [];
  for (const pack of packs) {
    const start = await storage.getObject(packKey(pool, pack.id), {
      offset: 0,
      length: PACK2_PREFIX_BYTES + pack.headerBytes,
    });
    headers.push(
      parseFramePackHeader(start, pack, `${label}: pack ${pack.id}`),
    );
  }
  return headers;
}

/**
 * The stream an index describes, as pieces of stored frames in order. An SKIDX1 chunk is a
 * frame of its own (its digest is its id); SKIDX2 runs are resolved through the pack headers,
 * and consecutive chunks of one frame merge into one piece.
 */
export async function piecesOf(
  storage: SnapshotStorage,
  index: ChunkIndex,
  label: string,
): Promise<Piece[]> {
  if (index.version === 1) {
    return index.chunks.map(chunk => ({
      frame: {
        key: `${chunk.pack}:${chunk.offset}`,
        pack: chunk.pack,
        offset: chunk.offset,
        storedBytes: chunk.storedBytes,
        rawBytes: chunk.rawBytes,
        encoding: chunk.encoding,
        digest: chunk.id,
        what: `chunk ${chunk.id.toString('hex')}`,
      },
      start: 0,
      length: chunk.rawBytes,
    }));
  }
  const headers = await readPackHeaders(
    storage,
    index.pool,
    index.packs,
    label,
  );
  const frames = headers.map(() => new Map<number, StoredFrame>());
  const frameOf = (p: number, f: number): StoredFrame => {
    let frame = frames[p].get(f);
    if (!frame) {
      const packed = headers[p].frames[f];
      const pack = index.packs[p].id;
      frame = {
        key: `${pack}:${packed.offset}`,
        pack,
        offset: packed.offset,
        storedBytes: packed.storedBytes,
        rawBytes: packed.rawBytes,
        encoding: packed.encoding,
        digest: packed.digest,
        what: `frame ${f} of pack ${pack}`,
      };
      frames[p].set(f, frame);
    }
    return frame;
  };
  const pieces: Piece[] = [];
  for (const run of index.runs) {
    const header = headers[run.pack];
    if (run.first + run.count > header.chunkCount) {
      throw new Error(
        `${label}: the index names chunks ${run.first}-${
          run.first + run.count - 1
        } of pack ${index.packs[run.pack].id}, which holds ${
          header.chunkCount
        }; the index or the pack is foreign`,
      );
    }
    for (let n = run.first; n < run.first + run.count; n++) {
      const frame = frameOf(run.pack, header.chunkFrame[n]);
      const start = header.chunkStart[n];
      const length = header.chunkBytes[n];
      const last = pieces[pieces.length - 1];
      if (last && last.frame === frame && last.start + last.length === start)
        last.length += length;
      else pieces.push({ frame, start, length });
    }
  }
  return pieces;
}
