import { createHash } from 'node:crypto';
import { pipeline, Readable } from 'node:stream';
import type { SnapshotArtifact } from '@safekeep/plugin-backups-common';
import { CHUNK_INDEX_SUFFIX } from '../pipeline/artifactNames';
import { ByteCounter, emptyDumpError } from '../pipeline/ByteCounter';
import type { StoreArtifactOptions } from '../pipeline/storeArtifact';
import { storeArtifact } from '../pipeline/storeArtifact';
import { youngGarbageCollector } from '../pipeline/youngGarbage';
import { ChunkCodec } from './chunkCodec';
import { encodeChunkIndex, IndexedChunk } from './chunkIndex';
import { ChunkRepository } from './ChunkRepository';
import { CHUNKER, FastCdc } from './fastCdc';
import { PackBuilder, PACK_TARGET_BYTES } from './packFile';

/** Chunks being compressed at once (on libuv's thread pool, next to the chunker). */
const ENCODING_AHEAD = 8;

export interface StoreChunkedOptions extends StoreArtifactOptions {
  repository: ChunkRepository;
  /** Chunks the pool holds (knownChunks); the chunks this artifact stores are added. */
  known: Map<string, IndexedChunk>;
  /** Each pack this run writes, so a failed run can remove them. */
  onPackWritten?: (packId: string) => void;
}

/**
 * raw stream -> FastCDC chunks -> per chunk: id; if the pool lacks it, compression (and
 * encryption) into a pack -> packs to the pool -> the index to the snapshot folder. The raw
 * stream's sha256 is computed in flight. Packs are written before the index that names them
 * and the index before the manifest, so whatever is interrupted, no committed snapshot names
 * a chunk that is not stored; the packs of an interrupted run are garbage for prune.
 */
export async function storeChunkedArtifact(
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
  const sequence: string[] = [];
  const fresh = new Set<string>();
  let pack = new PackBuilder();
  let uploading: Promise<void> = Promise.resolve();
  let newBytes = 0;
  let newChunks = 0;
  const encoding: Array<Promise<void>> = [];

  const flushPack = async () => {
    if (pack.count === 0) return;
    const sealed = pack.seal();
    pack = new PackBuilder();
    // One pack uploads while the next fills; the one before must be done first.
    await uploading;
    newBytes += sealed.data.length;
    options.onProgress?.(newBytes);
    options.onPackWritten?.(sealed.id);
    uploading = repository.writePack(sealed.id, sealed.data).then(() => {
      for (const chunk of sealed.chunks)
        known.set(chunk.id.toString('hex'), { ...chunk, pack: sealed.id });
    });
    uploading.catch(() => undefined);
  };

  const take = async (chunk: Buffer) => {
    const id = codec.id(chunk);
    const hex = id.toString('hex');
    sequence.push(hex);
    if (known.has(hex) || fresh.has(hex)) return;
    fresh.add(hex);
    newChunks++;
    const encoded = codec
      .encode(id, chunk)
      .then(({ stored, encoding: how }) => {
        pack.add(
          {
            id,
            rawBytes: chunk.length,
            storedBytes: stored.length,
            encoding: how,
          },
          stored,
        );
      });
    encoded.catch(() => undefined);
    encoding.push(encoded);
    if (encoding.length >= ENCODING_AHEAD) {
      await encoding.shift();
      if (pack.size >= PACK_TARGET_BYTES) await flushPack();
    }
  };

  try {
    await chunkStream(artifact.stream, raw, streamHash, cdc, take);
    while (encoding.length > 0) {
      await encoding.shift();
      if (pack.size >= PACK_TARGET_BYTES) await flushPack();
    }
    await flushPack();
    await uploading;
  } finally {
    // A failure leaves nothing running behind it (packs written so far are prune's garbage).
    await Promise.allSettled([...encoding, uploading]);
    codec.close();
  }

  const chunks = sequence.map(hex => known.get(hex)!);
  const distinct = new Map(chunks.map(c => [c.id.toString('hex'), c]));
  const index = encodeChunkIndex({ pool: codec.pool, chunks });
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
      chunks: chunks.length,
      stored_bytes: [...distinct.values()].reduce(
        (sum, c) => sum + c.storedBytes,
        0,
      ),
      new_bytes: newBytes,
      new_chunks: newChunks,
    },
  };
}

/** Feeds the raw stream through the counter and hash and hands each chunk to `take`, in order. */
async function chunkStream(
  input: Readable,
  raw: ByteCounter,
  streamHash: ReturnType<typeof createHash>,
  cdc: FastCdc,
  take: (chunk: Buffer) => Promise<void>,
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
      await take(pending.length === 1 ? pending[0] : Buffer.concat(pending));
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
