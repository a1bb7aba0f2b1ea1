import { ID_BYTES, PackedChunk } from './packFile';

/**
 * A chunked artifact's index: its chunks in stream order and where each is stored. Stored in
 * the snapshot folder as `<artifact>.chunks` (encrypted like any artifact when the target
 * is), its sha256 in the manifest, so the manifest's checksum (and its authentication)
 * covers every chunk reference.
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

export interface ChunkIndex {
  pool: string;
  chunks: IndexedChunk[];
}

export function encodeChunkIndex(index: ChunkIndex): Buffer {
  const packs = [...new Set(index.chunks.map(c => c.pack))];
  const packNumber = new Map(packs.map((p, i) => [p, i]));
  const pool = Buffer.from(index.pool, 'utf8');
  const out = Buffer.alloc(
    MAGIC.length +
      1 +
      pool.length +
      4 +
      packs.length * ID_BYTES +
      4 +
      index.chunks.length * ENTRY_BYTES,
  );
  let at = MAGIC.copy(out, 0);
  out[at++] = pool.length;
  at += pool.copy(out, at);
  at = out.writeUInt32BE(packs.length, at);
  for (const pack of packs) at += Buffer.from(pack, 'hex').copy(out, at);
  at = out.writeUInt32BE(index.chunks.length, at);
  for (const chunk of index.chunks) {
    at += chunk.id.copy(out, at);
    at = out.writeUInt32BE(packNumber.get(chunk.pack)!, at);
    at = out.writeUInt32BE(chunk.offset, at);
    at = out.writeUInt32BE(chunk.storedBytes, at);
    at = out.writeUInt32BE(chunk.rawBytes, at);
    out[at++] = chunk.encoding;
  }
  return out;
}

export function decodeChunkIndex(data: Buffer, label: string): ChunkIndex {
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
  return { pool, chunks };
}
