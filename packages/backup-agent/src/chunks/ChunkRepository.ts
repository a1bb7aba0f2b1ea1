import type {
  SnapshotArtifact,
  SnapshotManifest,
} from '@safekeep/plugin-backups-common';
import type { KeyLookup } from '../pipeline/encryption';
import { openStoredFile } from '../pipeline/openStoredFile';
import type { SnapshotRef, SnapshotStorage } from '../storage/SnapshotStorage';
import { ChunkCodec } from './chunkCodec';
import { ChunkIndex, decodeChunkIndex, IndexedChunk } from './chunkIndex';
import { packKey } from './packFile';

/** Reads of neighbouring chunks are merged up to this size: one request instead of many. */
const READ_SPAN_BYTES = 8 * 1024 * 1024;
/** Spans read ahead of the consumer, so storage latency overlaps decoding. */
const READ_AHEAD = 2;

/** A chunked artifact's index, checked against its manifest entry and decoded. */
export async function readChunkIndex(
  storage: SnapshotStorage,
  ref: SnapshotRef,
  artifact: SnapshotArtifact,
  keys?: KeyLookup,
): Promise<ChunkIndex> {
  const label = `${storage.tier}:${ref.target}/${ref.id}/${artifact.name}`;
  const stream = await openStoredFile(storage, ref, artifact, undefined, keys);
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(part as Buffer);
  const index = decodeChunkIndex(Buffer.concat(parts), label);
  if (index.pool !== artifact.chunked?.pool) {
    throw new Error(
      `${label} names chunk pool "${index.pool}", the manifest "${artifact.chunked?.pool}"; the index is foreign`,
    );
  }
  return index;
}

/** The codec an artifact's chunks were stored with. */
export function codecFor(artifact: SnapshotArtifact, keys?: KeyLookup) {
  const keyId = artifact.encryption?.key_id;
  if (keyId && !keys) {
    throw new Error(
      `${artifact.name} is encrypted with key "${keyId}"; no key was given to decrypt it`,
    );
  }
  return new ChunkCodec(artifact.compression, keyId ? keys!(keyId) : undefined);
}

function chunkedArtifacts(manifest: SnapshotManifest, pool: string) {
  return manifest.artifacts.filter(a => a.chunked?.pool === pool);
}

/**
 * One chunk pool of one tier: packs under `<tier>/.chunks/<pool>/packs/`, shared by every
 * target of the tier that stores into the same pool (same encryption key, or none).
 * Which chunks exist is read from the indexes of complete snapshots only, so a chunk is
 * reused only when a committed snapshot vouches for it (an interrupted backup's packs are
 * never relied on), and only when its pack is still there.
 */
export class ChunkRepository {
  constructor(readonly storage: SnapshotStorage, readonly pool: string) {}

  packKey(packId: string): string {
    return packKey(this.pool, packId);
  }

  /** Every pack of the pool, with its size and age. */
  async listPacks(): Promise<Map<string, { bytes: number; modifiedAt: Date }>> {
    const objects = await this.storage.listObjects(`${this.pool}/packs/`);
    return new Map(
      objects.map(o => [
        o.key.slice(o.key.lastIndexOf('/') + 1),
        { bytes: o.bytes, modifiedAt: o.modifiedAt },
      ]),
    );
  }

  /**
   * Records that a target stores chunks in this pool (`<pool>/targets/<name>`), so prune
   * and later backups find every snapshot that uses the pool without listing the tier.
   */
  async registerTarget(target: string): Promise<void> {
    await this.storage.putObject(
      `${this.pool}/targets/${target}`,
      Buffer.alloc(0),
    );
  }

  async targets(): Promise<string[]> {
    const prefix = `${this.pool}/targets/`;
    return (await this.storage.listObjects(prefix)).map(o =>
      o.key.slice(prefix.length),
    );
  }

  /**
   * Each complete snapshot of every target of the tier with artifacts in this pool. `strict`
   * (for prune's mark): a manifest that cannot be read, or is from a newer agent, throws,
   * since its references are unknown.
   */
  async *snapshotsUsingPool(
    options: { strict?: boolean } = {},
  ): AsyncGenerator<{
    ref: SnapshotRef;
    manifest: SnapshotManifest;
  }> {
    for (const target of await this.targets()) {
      for (const snapshot of await this.storage.listSnapshots(target)) {
        const read = snapshot.manifest;
        if (
          options.strict &&
          (read.status === 'unreadable' || read.status === 'too-new')
        ) {
          throw new Error(
            `the manifest of ${target}/${snapshot.ref.id} cannot be read (${
              read.status === 'unreadable'
                ? read.reason
                : `manifest_version ${read.manifestVersion}`
            }), so the chunks it references are unknown; no pack was removed`,
          );
        }
        if (snapshot.manifest.status !== 'ok') continue;
        const manifest = snapshot.manifest.manifest;
        if (chunkedArtifacts(manifest, this.pool).length > 0)
          yield { ref: snapshot.ref, manifest };
      }
    }
  }

  /**
   * Chunks held by committed snapshots (by id, hex) whose packs exist. A snapshot whose
   * index cannot be read contributes nothing: its chunks are stored again.
   */
  async knownChunks(
    keys: KeyLookup | undefined,
    log: (message: string) => void = () => undefined,
  ): Promise<Map<string, IndexedChunk>> {
    const packs = await this.listPacks();
    const known = new Map<string, IndexedChunk>();
    for await (const { ref, manifest } of this.snapshotsUsingPool()) {
      for (const artifact of chunkedArtifacts(manifest, this.pool)) {
        try {
          const index = await readChunkIndex(this.storage, ref, artifact, keys);
          for (const chunk of index.chunks) {
            if (packs.has(chunk.pack))
              known.set(chunk.id.toString('hex'), chunk);
          }
        } catch (error) {
          log(
            `${this.storage.tier}: the chunks of ${ref.target}/${ref.id}/${
              artifact.name
            } are not reused: ${(error as Error).message}`,
          );
        }
      }
    }
    return known;
  }

  async writePack(packId: string, data: Buffer): Promise<void> {
    await this.storage.putObject(this.packKey(packId), data);
  }

  /**
   * The chunks' stored bytes in order: neighbours in one pack are read together, a few
   * spans ahead. A missing pack or a short read throws.
   */
  async *readStored(
    chunks: IndexedChunk[],
    label: string,
  ): AsyncGenerator<{ chunk: IndexedChunk; stored: Buffer }> {
    const spans: IndexedChunk[][] = [];
    for (const chunk of chunks) {
      const span = spans[spans.length - 1];
      const last = span?.[span.length - 1];
      if (
        last &&
        last.pack === chunk.pack &&
        last.offset + last.storedBytes === chunk.offset &&
        chunk.offset + chunk.storedBytes - span[0].offset <= READ_SPAN_BYTES
      ) {
        span.push(chunk);
      } else {
        spans.push([chunk]);
      }
    }
    const read = async (span: IndexedChunk[]) => {
      const first = span[0];
      const length =
        span[span.length - 1].offset +
        span[span.length - 1].storedBytes -
        first.offset;
      const bytes = await this.storage.getObject(this.packKey(first.pack), {
        offset: first.offset,
        length,
      });
      if (bytes.length !== length) {
        throw new Error(
          `${label}: pack ${first.pack} is shorter than its index says; chunks are missing`,
        );
      }
      return bytes;
    };
    const ahead: Array<Promise<Buffer>> = [];
    for (let next = 0, i = 0; i < spans.length; i++) {
      while (next < spans.length && next <= i + READ_AHEAD)
        ahead.push(read(spans[next++]));
      // Rejections of spans read ahead are awaited in turn, never left unhandled.
      ahead.forEach(p => p.catch(() => undefined));
      const bytes = await ahead.shift()!;
      const base = spans[i][0].offset;
      for (const chunk of spans[i]) {
        yield {
          chunk,
          stored: bytes.subarray(
            chunk.offset - base,
            chunk.offset - base + chunk.storedBytes,
          ),
        };
      }
    }
  }
}
