import { createHash } from 'node:crypto';
import type { ChunkEncoding } from './chunkCodec';

/**
 * A pack: many stored chunks in one object, so a backup makes a few large writes (S3 request
 * counts, small files) instead of one per chunk.
 *
 *   pack   = magic "SKPACK1\n" | entry count u32 BE | entries | chunk bytes, in entry order
 *   entry  = chunk id (32) | raw bytes u32 BE | stored bytes u32 BE | encoding u8
 *
 * The header says what the pack holds, so a pack can be checked (and an index rebuilt) on its
 * own. A pack is named by the sha256 of all its bytes: `packs/<first 2 hex>/<sha256>`.
 */
export const PACK_MAGIC = Buffer.from('SKPACK1\n', 'latin1');
export const ID_BYTES = 32;
const ENTRY_BYTES = ID_BYTES + 4 + 4 + 1;
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

export function headerBytes(count: number): number {
  return PACK_MAGIC.length + 4 + count * ENTRY_BYTES;
}

/** Collects stored chunks until the pack is full; `seal()` gives its bytes and id. */
export class PackBuilder {
  private readonly entries: PackEntry[] = [];
  private readonly bodies: Buffer[] = [];
  private bodyBytes = 0;

  get size(): number {
    return headerBytes(this.entries.length) + this.bodyBytes;
  }

  get count(): number {
    return this.entries.length;
  }

  add(entry: PackEntry, stored: Buffer): void {
    this.entries.push(entry);
    this.bodies.push(stored);
    this.bodyBytes += stored.length;
  }

  seal(): { id: string; data: Buffer; chunks: PackedChunk[] } {
    const header = Buffer.alloc(headerBytes(this.entries.length));
    PACK_MAGIC.copy(header, 0);
    header.writeUInt32BE(this.entries.length, PACK_MAGIC.length);
    let at = PACK_MAGIC.length + 4;
    let offset = header.length;
    const chunks: PackedChunk[] = [];
    for (const entry of this.entries) {
      entry.id.copy(header, at);
      header.writeUInt32BE(entry.rawBytes, at + ID_BYTES);
      header.writeUInt32BE(entry.storedBytes, at + ID_BYTES + 4);
      header[at + ID_BYTES + 8] = entry.encoding;
      at += ENTRY_BYTES;
      chunks.push({ ...entry, offset });
      offset += entry.storedBytes;
    }
    const data = Buffer.concat([header, ...this.bodies]);
    return {
      id: createHash('sha256').update(data).digest('hex'),
      data,
      chunks,
    };
  }
}

/** The entry count from a pack's first bytes, to know how much header to read. */
export function parsePackCount(start: Buffer, label: string): number {
  if (
    start.length < PACK_MAGIC.length + 4 ||
    !start.subarray(0, PACK_MAGIC.length).equals(PACK_MAGIC)
  ) {
    throw new Error(`${label} is not a Safekeep pack (its header is damaged)`);
  }
  return start.readUInt32BE(PACK_MAGIC.length);
}

/** The chunks a pack header lists, with their offsets. */
export function parsePackHeader(header: Buffer, label: string): PackedChunk[] {
  const count = parsePackCount(header, label);
  if (header.length < headerBytes(count)) {
    throw new Error(`${label}: its header is cut short`);
  }
  const chunks: PackedChunk[] = [];
  let at = PACK_MAGIC.length + 4;
  let offset = headerBytes(count);
  for (let i = 0; i < count; i++) {
    const storedBytes = header.readUInt32BE(at + ID_BYTES + 4);
    chunks.push({
      id: Buffer.from(header.subarray(at, at + ID_BYTES)),
      rawBytes: header.readUInt32BE(at + ID_BYTES),
      storedBytes,
      encoding: header[at + ID_BYTES + 8],
      offset,
    });
    offset += storedBytes;
    at += ENTRY_BYTES;
  }
  return chunks;
}

export function packKey(pool: string, packId: string): string {
  return `${pool}/packs/${packId.slice(0, 2)}/${packId}`;
}
