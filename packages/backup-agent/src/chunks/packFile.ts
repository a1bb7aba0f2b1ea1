import type { ChunkEncoding } from './chunkCodec';

/**
 * A pack: many stored chunks in one object, so a backup makes a few large writes (S3 request
 * counts, small files) instead of one per chunk. Named by the sha256 of all its bytes:
 * `packs/<first 2 hex>/<sha256>`. Two layouts: SKPACK2 (frames of chunks, framePack.ts),
 * written now, and the first, still read through SKIDX1 indexes, which give each chunk's offset:
 *
 *   pack   = magic "SKPACK1\n" | entry count u32 BE | entries | chunk bytes, in entry order
 *   entry  = chunk id (32) | raw bytes u32 BE | stored bytes u32 BE | encoding u8
 */
export const ID_BYTES = 32;
/** Packs are cut once they hold this much (restic's default pack size). */
export const PACK_TARGET_BYTES = 16 * 1024 * 1024;

export interface PackEntry {
  id: Buffer;
  rawBytes: number;
  storedBytes: number;
  encoding: ChunkEncoding;
}

/** Where a chunk lies in its pack. */
export interface PackedChunk extends PackEntry {
  offset: number;
}

export function packKey(pool: string, packId: string): string {
  return `${pool}/packs/${packId.slice(0, 2)}/${packId}`;
}
