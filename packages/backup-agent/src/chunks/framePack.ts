import { createHash } from 'node:crypto';
import type { ChunkEncoding } from './chunkCodec';
import { ID_BYTES } from './packFile';

/**
 * A pack of the second layout (chunk index SKIDX2): stored chunks grouped in frames. A frame is
 * several consecutive new chunks of one backup, compressed (and encrypted) together, so 1 KiB
 * chunks cost no compression ratio and one zstd call per ~128 KiB instead of one per chunk.
 *
 *   pack   = magic "SKPACK2\n" | header length u32 BE | header | frame bytes, in frame order
 *   header = frame count u32 BE | chunk count u32 BE | frames | chunks
 *   frame  = stored bytes u32 BE | raw bytes u32 BE | chunk count u32 BE | encoding u8
 *            | digest (32): the chunk id function (sha256, or HMAC for an encrypted pool) of
 *              the frame's raw bytes
 *   chunk  = id (32) | raw bytes u32 BE, numbered from 0 in frame order
 *
 * An index names a pack by the sha256 of all its bytes (its object name) and records the
 * sha256 of its header, so a reader can fetch and trust the header alone: the header vouches
 * for each frame's digest, and the digest for the frame's raw bytes, hence for every chunk
 * cut from it.
 */
export const PACK2_MAGIC = Buffer.from('SKPACK2\n', 'latin1');
/** Magic and header length. */
export const PACK2_PREFIX_BYTES = PACK2_MAGIC.length + 4;
const FRAME_ENTRY_BYTES = 4 + 4 + 4 + 1 + ID_BYTES;
const CHUNK_ENTRY_BYTES = ID_BYTES + 4;

export interface FrameEntry {
  storedBytes: number;
  rawBytes: number;
  encoding: ChunkEncoding;
  digest: Buffer;
}

/** Where a frame lies in its pack. */
export interface PackedFrame extends FrameEntry {
  offset: number;
  chunkCount: number;
}

/** A parsed header: frames with offsets, and per chunk its frame, start in it and length. */
export interface FramePackHeader {
  frames: PackedFrame[];
  chunkCount: number;
  chunkFrame: Uint32Array;
  chunkStart: Uint32Array;
  chunkBytes: Uint32Array;
  /** The header bytes, for the chunk ids (`chunkKey`). */
  header: Buffer;
  chunkTable: number;
}

/** Chunk `n`'s id as a latin1 string (the key of the known-chunk map). */
export function chunkKey(header: FramePackHeader, n: number): string {
  const at = header.chunkTable + n * CHUNK_ENTRY_BYTES;
  return header.header.toString('latin1', at, at + ID_BYTES);
}

export interface SealedFramePack {
  id: string;
  /**
   * The pack's bytes as its parts in order (prefix, header, the frames as compressed): not
   * joined, so sealing allocates no pack-sized buffer (one per pack, freed only by a full
   * collection, made the agent's peak memory grow with the data). Written with writePack.
   */
  parts: Buffer[];
  /** Their total length. */
  bytes: number;
  headerSha256: string;
  headerBytes: number;
  /** Stored bytes of each frame, in order. */
  frameBytes: number[];
}

/** Collects frames until the pack is full; `seal()` gives its bytes, name and header digest. */
export class FramePackBuilder {
  private readonly frames: Array<{ entry: FrameEntry; chunks: number }> = [];
  private readonly chunkIds: Buffer[] = [];
  private readonly chunkBytes: number[] = [];
  private readonly bodies: Buffer[] = [];
  private bodyBytes = 0;

  get size(): number {
    return (
      PACK2_PREFIX_BYTES +
      headerLength(this.frames.length, this.chunkIds.length) +
      this.bodyBytes
    );
  }

  get chunkCount(): number {
    return this.chunkIds.length;
  }

  get frameCount(): number {
    return this.frames.length;
  }

  /** Adds a frame and its chunks; returns the number of its first chunk in the pack. */
  addFrame(
    entry: FrameEntry,
    chunks: Array<{ id: Buffer; rawBytes: number }>,
    stored: Buffer,
  ): number {
    const first = this.chunkIds.length;
    this.frames.push({ entry, chunks: chunks.length });
    for (const chunk of chunks) {
      this.chunkIds.push(chunk.id);
      this.chunkBytes.push(chunk.rawBytes);
    }
    this.bodies.push(stored);
    this.bodyBytes += stored.length;
    return first;
  }

  seal(): SealedFramePack {
    const header = Buffer.alloc(
      headerLength(this.frames.length, this.chunkIds.length),
    );
    let at = header.writeUInt32BE(this.frames.length, 0);
    at = header.writeUInt32BE(this.chunkIds.length, at);
    for (const { entry, chunks } of this.frames) {
      at = header.writeUInt32BE(entry.storedBytes, at);
      at = header.writeUInt32BE(entry.rawBytes, at);
      at = header.writeUInt32BE(chunks, at);
      header[at++] = entry.encoding;
      at += entry.digest.copy(header, at);
    }
    this.chunkIds.forEach((id, i) => {
      at += id.copy(header, at);
      at = header.writeUInt32BE(this.chunkBytes[i], at);
    });
    const prefix = Buffer.alloc(PACK2_PREFIX_BYTES);
    PACK2_MAGIC.copy(prefix, 0);
    prefix.writeUInt32BE(header.length, PACK2_MAGIC.length);
    const parts = [prefix, header, ...this.bodies];
    const hash = createHash('sha256');
    for (const part of parts) hash.update(part);
    return {
      id: hash.digest('hex'),
      parts,
      bytes: prefix.length + header.length + this.bodyBytes,
      headerSha256: createHash('sha256').update(header).digest('hex'),
      headerBytes: header.length,
      frameBytes: this.frames.map(f => f.entry.storedBytes),
    };
  }
}

function headerLength(frames: number, chunks: number): number {
  return 8 + frames * FRAME_ENTRY_BYTES + chunks * CHUNK_ENTRY_BYTES;
}

/**
 * The header of a pack from its first `PACK2_PREFIX_BYTES + headerBytes` bytes, checked
 * against the sha256 an index recorded for it, and against itself (counts, lengths).
 */
export function parseFramePackHeader(
  start: Buffer,
  expected: { headerSha256: string; headerBytes: number },
  label: string,
): FramePackHeader {
  const fail = (why: string): never => {
    throw new Error(`${label}: ${why}; it is damaged or foreign`);
  };
  if (
    start.length < PACK2_PREFIX_BYTES ||
    !start.subarray(0, PACK2_MAGIC.length).equals(PACK2_MAGIC)
  )
    fail('its first bytes are not a Safekeep pack header');
  const length = start.readUInt32BE(PACK2_MAGIC.length);
  if (length !== expected.headerBytes)
    fail(
      `its header is ${length} bytes long, the index says ${expected.headerBytes}`,
    );
  const header = start.subarray(
    PACK2_PREFIX_BYTES,
    PACK2_PREFIX_BYTES + length,
  );
  if (header.length !== length) fail('its header is cut short');
  const sha256 = createHash('sha256').update(header).digest('hex');
  if (sha256 !== expected.headerSha256)
    fail(
      `its header has sha256 ${sha256}, the index says ${expected.headerSha256}`,
    );
  const frameCount = header.readUInt32BE(0);
  const chunkCount = header.readUInt32BE(4);
  if (length !== headerLength(frameCount, chunkCount))
    fail('its header does not hold the counts it states');
  const frames: PackedFrame[] = [];
  const chunkFrame = new Uint32Array(chunkCount);
  const chunkStart = new Uint32Array(chunkCount);
  const chunkBytes = new Uint32Array(chunkCount);
  const chunkTable = 8 + frameCount * FRAME_ENTRY_BYTES;
  let at = 8;
  let offset = PACK2_PREFIX_BYTES + length;
  let chunk = 0;
  for (let f = 0; f < frameCount; f++) {
    const frame: PackedFrame = {
      storedBytes: header.readUInt32BE(at),
      rawBytes: header.readUInt32BE(at + 4),
      chunkCount: header.readUInt32BE(at + 8),
      encoding: header[at + 12],
      digest: Buffer.from(header.subarray(at + 13, at + 13 + ID_BYTES)),
      offset,
    };
    at += FRAME_ENTRY_BYTES;
    offset += frame.storedBytes;
    let within = 0;
    for (let c = 0; c < frame.chunkCount; c++, chunk++) {
      if (chunk >= chunkCount)
        fail('its frames hold more chunks than it lists');
      chunkFrame[chunk] = f;
      chunkStart[chunk] = within;
      chunkBytes[chunk] = header.readUInt32BE(
        chunkTable + chunk * CHUNK_ENTRY_BYTES + ID_BYTES,
      );
      within += chunkBytes[chunk];
    }
    if (within !== frame.rawBytes)
      fail(`frame ${f}'s chunks do not add up to its raw bytes`);
    frames.push(frame);
  }
  if (chunk !== chunkCount) fail('its frames hold fewer chunks than it lists');
  return {
    frames,
    chunkCount,
    chunkFrame,
    chunkStart,
    chunkBytes,
    header,
    chunkTable,
  };
}

/** Bytes a pack whose header is `header` must have: prefix, header and every frame. */
export function framePackBytes(header: FramePackHeader): number {
  const last = header.frames[header.frames.length - 1];
  return last
    ? last.offset + last.storedBytes
    : PACK2_PREFIX_BYTES + header.header.length;
}
