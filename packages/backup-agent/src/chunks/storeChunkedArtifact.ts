import { createHash } from 'node:crypto';
import { pipeline, Readable } from 'node:stream';
import type { SnapshotArtifact } from '@safekeep/plugin-backups-common';
import { CHUNK_INDEX_SUFFIX } from '../pipeline/artifactNames';
import { ByteCounter, emptyDumpError } from '../pipeline/ByteCounter';
import type { StoreArtifactOptions } from '../pipeline/storeArtifact';
import { storeArtifact } from '../pipeline/storeArtifact';
import { youngGarbageCollector } from '../pipeline/youngGarbage';
import { ChunkCodec } from './chunkCodec';
import { ChunkRun, IndexPack } from './chunkIndex';
import { encodeChunkIndexV2 } from './chunkIndexV2';
import { ChunkRepository, KnownChunks } from './ChunkRepository';
import { ChunkTable, RowList } from './ChunkTable';
import { CHUNKER, FastCdc } from './fastCdc';
import { FramePackBuilder } from './framePack';
import { PACK_TARGET_BYTES } from './packFile';

/**
 * New chunks are gathered into frames of about this many raw bytes, compressed as one: about
 * what compressing the whole stream gives (measured on the dedup bench's dump: 24.6 MB for
 * 128 KiB frames against 24.3 MB for the whole stream and 28.7 MB for chunks alone) at one
 * zstd call per frame.
 */
const FRAME_TARGET_BYTES = 128 * 1024;
/** Frames being compressed at once (on libuv's thread pool, next to the chunker). */
const ENCODING_AHEAD = 4;

export interface StoreChunkedOptions extends StoreArtifactOptions {
  repository: ChunkRepository;
  /** What the pool holds (knownChunks); the chunks this artifact stores are added. */
  known: KnownChunks;
  /** Each pack this run writes, so a failed run can remove them. */
  onPackWritten?: (packId: string) => void;
}

/** A new chunk on its way into a frame: its row is placed once its frame is in a pack. */
interface NewChunk {
  id: Buffer;
  rawBytes: number;
  row: number;
}

/**
 * raw stream -> FastCDC chunks -> per chunk: id; if the pool lacks it, into the current frame
 * -> frames compressed (and encrypted) into packs -> packs to the pool -> the index (SKIDX2:
 * runs of chunks of packs) to the snapshot folder. The raw stream's sha256 is computed in
 * flight. Packs are written before the index that names them and the index before the
 * manifest, so whatever is interrupted, no committed snapshot names a chunk that is not
 * stored; the packs of an interrupted run are garbage for prune.
 */
export async function storeChunkedArtifact(
  options: StoreChunkedOptions,
): Promise<SnapshotArtifact> {
  const rowsBefore = options.known.chunks.size;
  try {
    return await storeChunks(options);
  } catch (error) {
    // The rows this artifact added may name packs never written: nothing later reuses them.
    options.known.chunks.truncate(rowsBefore);
    throw error;
  }
}

async function storeChunks(
  options: StoreChunkedOptions,
): Promise<SnapshotArtifact> {
  const { artifact, repository, known } = options;
  const codec = new ChunkCodec(options.compression, options.encryption);
  if (codec.pool !== repository.pool) {
    throw new Error(
      `chunk pool mismatch: the target stores into "${codec.pool}", the repository is "${repository.pool}"`,
    );
  }
  const raw = new ByteCounter({
    completion: artifact.completion,
    onBytes: youngGarbageCollector(),
    emptyError: artifact.neverEmpty ? emptyDumpError(artifact.name) : undefined,
  });
  const streamHash = createHash('sha256');
  const cdc = new FastCdc();
  // The stream's chunks in order, as rows of known.chunks: new ones get a row when first met
  // (so a repeat within the run is reused), placed as their frame and pack are sealed.
  const sequence = new RowList();
  let pack = new FramePackBuilder();
  /** The chunks of `pack` and of frames on their way into it. */
  let packChunks: NewChunk[] = [];
  let frame: Array<{ chunk: NewChunk; raw: Buffer }> = [];
  let frameBytes = 0;
  let uploading: Promise<void> = Promise.resolve();
  let newBytes = 0;
  let newChunks = 0;
  const encoding: Array<Promise<void>> = [];

  const flushPack = async () => {
    if (pack.chunkCount === 0) return;
    const sealed = pack.seal();
    const chunks = packChunks;
    pack = new FramePackBuilder();
    packChunks = [];
    for (const chunk of chunks) known.chunks.setPack(chunk.row, sealed.id);
    // One pack uploads while the next fills; the one before must be done first.
    await uploading;
    newBytes += sealed.bytes;
    options.onProgress?.(newBytes);
    options.onPackWritten?.(sealed.id);
    uploading = repository.writePack(sealed.id, sealed.parts).then(() => {
      known.packs.set(sealed.id, {
        id: sealed.id,
        headerSha256: sealed.headerSha256,
        headerBytes: sealed.headerBytes,
        frameBytes: sealed.frameBytes,
      });
    });
    uploading.catch(() => undefined);
  };

  /** Sends the current frame to be compressed; it joins the pack in order. */
  const sealFrame = () => {
    if (frame.length === 0) return;
    const chunks = frame.map(f => f.chunk);
    const rawFrame = Buffer.concat(frame.map(f => f.raw));
    frame = [];
    frameBytes = 0;
    const digest = codec.id(rawFrame);
    const ready = codec.encode(digest, rawFrame);
    const previous = encoding[encoding.length - 1] ?? Promise.resolve();
    // Frames join the pack in stream order, whichever compresses first.
    const added = Promise.all([ready, previous]).then(([encoded]) => {
      const frameNumber = pack.frameCount;
      const first = pack.addFrame(
        {
          storedBytes: encoded.stored.length,
          rawBytes: rawFrame.length,
          encoding: encoded.encoding,
          digest,
        },
        chunks,
        encoded.stored,
      );
      chunks.forEach((chunk, i) => {
        known.chunks.place(chunk.row, first + i, frameNumber);
        packChunks.push(chunk);
      });
    });
    added.catch(() => undefined);
    encoding.push(added);
  };

  const drainOne = async () => {
    await encoding.shift();
    if (pack.size >= PACK_TARGET_BYTES) await flushPack();
  };

  const take = (chunk: Buffer): Promise<void> | undefined => {
    const key = codec.key(chunk);
    const reused = known.chunks.find(key);
    if (reused !== -1) {
      sequence.push(reused);
      return undefined;
    }
    const row = known.chunks.add(key);
    sequence.push(row);
    newChunks++;
    frame.push({
      chunk: { id: Buffer.from(key, 'latin1'), rawBytes: chunk.length, row },
      raw: chunk,
    });
    frameBytes += chunk.length;
    if (frameBytes < FRAME_TARGET_BYTES) return undefined;
    sealFrame();
    return encoding.length >= ENCODING_AHEAD ? drainOne() : undefined;
  };

  try {
    await chunkStream(artifact.stream, raw, streamHash, cdc, take);
    sealFrame();
    while (encoding.length > 0) await drainOne();
    await flushPack();
    await uploading;
  } finally {
    // A failure leaves nothing running behind it (packs written so far are prune's garbage).
    await Promise.allSettled([...encoding, uploading]);
    codec.close();
  }

  const { packs, runs, storedBytes } = indexOf(sequence, known);
  const index = encodeChunkIndexV2({
    pool: codec.pool,
    packs,
    chunkCount: sequence.length,
    runs,
  });
  const stored = await storeArtifact({
    ...options,
    artifact: {
      name: `${artifact.name}${CHUNK_INDEX_SUFFIX}`,
      stream: Readable.from([index]),
      completion: Promise.resolve(),
      description: artifact.description,
    },
    onProgress: undefined,
  });
  return {
    ...stored,
    raw_bytes: raw.bytes,
    chunked: {
      chunker: CHUNKER,
      pool: codec.pool,
      stream_sha256: streamHash.digest('hex'),
      chunks: sequence.length,
      stored_bytes: storedBytes,
      new_bytes: newBytes,
      new_chunks: newChunks,
    },
  };
}

/**
 * The index's pack table and runs for a stream of chunks (rows of `known.chunks`), and the
 * stored bytes of the distinct frames they lie in (what a restore reads).
 */
function indexOf(
  sequence: RowList,
  known: KnownChunks,
): { packs: IndexPack[]; runs: ChunkRun[]; storedBytes: number } {
  const table: ChunkTable = known.chunks;
  const packNumber = new Map<string, number>();
  const packs: IndexPack[] = [];
  const runs: ChunkRun[] = [];
  /** Frames counted, per pack: consecutive chunks mostly share one, so checked on change. */
  const frames = new Map<string, Set<number>>();
  let storedBytes = 0;
  let run: ChunkRun | undefined;
  let previous = -1;
  for (let i = 0; i < sequence.length; i++) {
    const row = sequence.at(i);
    const packId = table.pack(row);
    const chunkNumber = table.number(row);
    const frame = table.frame(row);
    let number = packNumber.get(packId);
    if (number === undefined) {
      const pack = known.packs.get(packId)!;
      number = packs.length;
      packNumber.set(packId, number);
      packs.push({
        id: pack.id,
        headerSha256: pack.headerSha256,
        headerBytes: pack.headerBytes,
      });
    }
    if (
      previous === -1 ||
      table.pack(previous) !== packId ||
      table.frame(previous) !== frame
    ) {
      let counted = frames.get(packId);
      if (!counted) frames.set(packId, (counted = new Set()));
      if (!counted.has(frame)) {
        counted.add(frame);
        storedBytes += known.packs.get(packId)!.frameBytes[frame];
      }
    }
    if (
      run &&
      table.pack(previous) === packId &&
      chunkNumber === table.number(previous) + 1
    ) {
      run.count++;
    } else {
      run = { pack: number, first: chunkNumber, count: 1 };
      runs.push(run);
    }
    previous = row;
  }
  return { packs, runs, storedBytes };
}

/** Feeds the raw stream through the counter and hash and hands each chunk to `take`, in order. */
async function chunkStream(
  input: Readable,
  raw: ByteCounter,
  streamHash: ReturnType<typeof createHash>,
  cdc: FastCdc,
  take: (chunk: Buffer) => Promise<void> | undefined,
): Promise<void> {
  // pipeline, so a failing source (or dump tool) fails the iteration below.
  pipeline(input, raw, () => undefined);
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  for await (const data of raw as AsyncIterable<Buffer>) {
    streamHash.update(data);
    let at = 0;
    for (const length of cdc.push(data)) {
      const fromThis = length - pendingBytes;
      pending.push(data.subarray(at, at + fromThis));
      at += fromThis;
      const waiting = take(
        pending.length === 1 ? pending[0] : Buffer.concat(pending),
      );
      // Only when frames pile up: an await per chunk would cost a tick per kilobyte.
      if (waiting) await waiting;
      pending = [];
      pendingBytes = 0;
    }
    if (at < data.length) {
      pending.push(data.subarray(at));
      pendingBytes += data.length - at;
    }
  }
  if (cdc.finish() > 0) await take(Buffer.concat(pending));
}
