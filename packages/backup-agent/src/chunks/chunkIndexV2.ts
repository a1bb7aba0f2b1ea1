import type { ChunkIndexV2, ChunkRun, IndexPack } from './chunkIndex';
import { ID_BYTES } from './packFile';

/**
 * The second index layout. It does not list chunk ids: those are in the pack headers
 * (framePack.ts), which the index pins by their sha256. It lists runs of consecutive chunks
 * of a pack, so a snapshot's index costs a few bytes per changed region instead of 49 bytes per
 * chunk (a backup that reuses a previous one's chunks in order references them in a few runs).
 *
 *   index = magic "SKIDX2\n\0" | pool length u8 | pool (utf-8) | pack count u32 BE | packs
 *           | chunk count u32 BE | run count u32 BE | runs
 *   pack  = pack id (32) | header sha256 (32) | header bytes u32 BE
 *   run   = pack number, first chunk, chunk count: unsigned LEB128 varints
 */
const MAGIC = Buffer.from('SKIDX2\n\0', 'latin1');
const PACK_ENTRY_BYTES = ID_BYTES * 2 + 4;

export function isChunkIndexV2(data: Buffer): boolean {
  return data.subarray(0, MAGIC.length).equals(MAGIC);
}

export function encodeChunkIndexV2(
  index: Omit<ChunkIndexV2, 'version'>,
): Buffer {
  const pool = Buffer.from(index.pool, 'utf8');
  const head = Buffer.alloc(
    MAGIC.length +
      1 +
      pool.length +
      4 +
      index.packs.length * PACK_ENTRY_BYTES +
      8,
  );
  let at = MAGIC.copy(head, 0);
  head[at++] = pool.length;
  at += pool.copy(head, at);
  at = head.writeUInt32BE(index.packs.length, at);
  for (const pack of index.packs) {
    at += Buffer.from(pack.id, 'hex').copy(head, at);
    at += Buffer.from(pack.headerSha256, 'hex').copy(head, at);
    at = head.writeUInt32BE(pack.headerBytes, at);
  }
  at = head.writeUInt32BE(index.chunkCount, at);
  head.writeUInt32BE(index.runs.length, at);
  const runs = Buffer.alloc(index.runs.length * 15);
  let r = 0;
  const varint = (value: number) => {
    let v = value;
    while (v >= 0x80) {
      runs[r++] = (v & 0x7f) | 0x80;
      v = Math.floor(v / 0x80);
    }
    runs[r++] = v;
  };
  for (const run of index.runs) {
    varint(run.pack);
    varint(run.first);
    varint(run.count);
  }
  return Buffer.concat([head, runs.subarray(0, r)]);
}

export function decodeChunkIndexV2(data: Buffer, label: string): ChunkIndexV2 {
  const fail = (why: string): never => {
    throw new Error(`${label} is not a valid chunk index: ${why}`);
  };
  if (!isChunkIndexV2(data))
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
  need(packCount * PACK_ENTRY_BYTES + 8);
  const packs: IndexPack[] = [];
  for (let i = 0; i < packCount; i++) {
    packs.push({
      id: data.toString('hex', at, at + ID_BYTES),
      headerSha256: data.toString('hex', at + ID_BYTES, at + 2 * ID_BYTES),
      headerBytes: data.readUInt32BE(at + 2 * ID_BYTES),
    });
    at += PACK_ENTRY_BYTES;
  }
  const chunkCount = data.readUInt32BE(at);
  const runCount = data.readUInt32BE(at + 4);
  at += 8;
  const varint = (): number => {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 5; i++) {
      need(1);
      const byte = data[at++];
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
      scale *= 0x80;
    }
    return fail('a run holds an overlong number');
  };
  const runs: ChunkRun[] = [];
  let total = 0;
  for (let i = 0; i < runCount; i++) {
    const run = { pack: varint(), first: varint(), count: varint() };
    if (run.pack >= packCount) fail(`run ${i} names no pack`);
    total += run.count;
    runs.push(run);
  }
  if (at !== data.length) fail('it holds bytes after its last run');
  if (total !== chunkCount)
    fail(`its runs hold ${total} chunks, not the ${chunkCount} it states`);
  return { version: 2, pool, packs, chunkCount, runs };
}
