import { ID_BYTES, PackedChunk } from './packFile';

/**
 * A chunked artifact's index: its chunks in stream order and where each is stored. Stored in
 * the snapshot folder as `<artifact>.chunks` (encrypted like any artifact when the target
 * is), its sha256 in the manifest, so the manifest's checksum (and its authentication)
 * covers every chunk reference. Two layouts, told apart by their magic: SKIDX2 (written
 * since the frame packs, chunkIndexV2.ts) and SKIDX1, still read:
 *
 *   index = magic "SKIDX1\n\0" | pool length u8 | pool (utf-8) | pack count u32 BE
 *           | pack ids (32 each) | chunk count u32 BE | entries
 *   entry = chunk id (32) | pack number u32 BE | offset u32 BE | stored bytes u32 BE
 *           | raw bytes u32 BE | encoding u8
 */
const MAGIC = Buffer.from('SKIDX1\n\0', 'latin1');
const ENTRY_BYTES = ID_BYTES + 4 * 4 + 1;

export interface IndexedChunk extends PackedChunk {
  pack: string;
}

/** The first layout: one entry per chunk, each chunk its own frame in a SKPACK1 pack. */
export interface ChunkIndexV1 {
  version: 1;
  pool: string;
  chunks: IndexedChunk[];
}

/** A pack as an SKIDX2 index names it: its name, and what its header must be. */
export interface IndexPack {
  id: string;
  headerSha256: string;
  headerBytes: number;
}

/** `count` chunks of pack number `pack` (in the index's pack table) from chunk `first` on. */
export interface ChunkRun {
  pack: number;
  first: number;
  count: number;
}

/** The second layout (chunkIndexV2.ts): runs of consecutive chunks of SKPACK2 packs. */
export interface ChunkIndexV2 {
  version: 2;
  pool: string;
  packs: IndexPack[];
  chunkCount: number;
  runs: ChunkRun[];
}

export type ChunkIndex = ChunkIndexV1 | ChunkIndexV2;

/** The packs an index names, each once. */
export function packsOf(index: ChunkIndex): string[] {
  return index.version === 1
    ? [...new Set(index.chunks.map(c => c.pack))]
    : index.packs.map(p => p.id);
}

export function decodeChunkIndexV1(data: Buffer, label: string): ChunkIndexV1 {
  const fail = (why: string): never => {
    throw new Error(`${label} is not a valid chunk index: ${why}`);
  };
  if (!data.subarray(0, MAGIC.length).equals(MAGIC))
    fail('its first bytes are not the expected header');
  let at = MAGIC.length;
  const need = (bytes: number) => {
    if (at + bytes > data.length) fail('it is cut short');
  };
  need(1);
  const poolLength = data[at++];
  need(poolLength + 4);
  const pool = data.subarray(at, (at += poolLength)).toString('utf8');
  const packCount = data.readUInt32BE(at);
  at += 4;
  need(packCount * ID_BYTES + 4);
  const packs: string[] = [];
  for (let i = 0; i < packCount; i++)
    packs.push(data.subarray(at, (at += ID_BYTES)).toString('hex'));
  const count = data.readUInt32BE(at);
  at += 4;
  if (data.length !== at + count * ENTRY_BYTES)
    fail(`it should hold ${count} entries`);
  const chunks: IndexedChunk[] = [];
  for (let i = 0; i < count; i++) {
    const id = Buffer.from(data.subarray(at, at + ID_BYTES));
    at += ID_BYTES;
    const pack =
      packs[data.readUInt32BE(at)] ?? fail(`entry ${i} names no pack`);
    chunks.push({
      id,
      pack,
      offset: data.readUInt32BE(at + 4),
      storedBytes: data.readUInt32BE(at + 8),
      rawBytes: data.readUInt32BE(at + 12),
      encoding: data[at + 16],
    });
    at += 17;
  }
  return { version: 1, pool, chunks };
}

/** Whether `data` starts like an SKIDX1 index. */
export function isChunkIndexV1(data: Buffer): boolean {
  return data.subarray(0, MAGIC.length).equals(MAGIC);
}
