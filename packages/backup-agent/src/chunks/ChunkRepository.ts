import type {
  SnapshotArtifact,
  SnapshotManifest,
} from '@safekeep/plugin-backups-common';
import type { KeyLookup } from '../pipeline/encryption';
import { openStoredFile } from '../pipeline/openStoredFile';
import type {
  ObjectBody,
  SnapshotRef,
  SnapshotStorage,
} from '../storage/SnapshotStorage';
import { ChunkCodec } from './chunkCodec';
import {
  ChunkIndex,
  decodeChunkIndexV1,
  IndexPack,
  isChunkIndexV1,
} from './chunkIndex';
import { decodeChunkIndexV2 } from './chunkIndexV2';
import { readPackHeaders } from './chunkLayout';
import { ChunkTable } from './ChunkTable';
import { chunkKey } from './framePack';
import { packKey } from './packFile';

/** A pack of the pool as indexes name it, with the stored bytes of each of its frames. */
export interface KnownPack extends IndexPack {
  frameBytes: number[];
}

/** What a backup may reuse: chunks by id (latin1 string, ChunkCodec.key) and their packs. */
export interface KnownChunks {
  chunks: ChunkTable;
  packs: Map<string, KnownPack>;
}

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
  const data = Buffer.concat(parts);
  const index = isChunkIndexV1(data)
    ? decodeChunkIndexV1(data, label)
    : decodeChunkIndexV2(data, label);
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
   * Chunks a new backup may reuse: every chunk of each SKPACK2 pack that a committed
   * snapshot's index names and that still exists, read from the pack's header (checked
   * against the sha256 that index records). A snapshot whose index cannot be read, or a pack
   * whose header does not check, contributes nothing: its chunks are stored again. Chunks of
   * the first layout (SKIDX1, 8 KiB chunks) are not reused: a backup of this agent cuts
   * other chunks anyway.
   */
  async knownChunks(
    keys: KeyLookup | undefined,
    log: (message: string) => void = () => undefined,
  ): Promise<KnownChunks> {
    const present = await this.listPacks();
    const packs = new Map<string, KnownPack>();
    const chunks = new ChunkTable();
    const named = new Map<string, IndexPack>();
    for await (const { ref, manifest } of this.snapshotsUsingPool()) {
      for (const artifact of chunkedArtifacts(manifest, this.pool)) {
        try {
          const index = await readChunkIndex(this.storage, ref, artifact, keys);
          if (index.version !== 2) continue;
          for (const pack of index.packs)
            if (present.has(pack.id)) named.set(pack.id, pack);
        } catch (error) {
          log(
            `${this.storage.tier}: the chunks of ${ref.target}/${ref.id}/${
              artifact.name
            } are not reused: ${(error as Error).message}`,
          );
        }
      }
    }
    for (const pack of named.values()) {
      try {
        const [header] = await readPackHeaders(
          this.storage,
          this.pool,
          [pack],
          this.storage.tier,
        );
        for (let n = 0; n < header.chunkCount; n++)
          chunks.addStored(
            chunkKey(header, n),
            pack.id,
            n,
            header.chunkFrame[n],
          );
        packs.set(pack.id, {
          ...pack,
          frameBytes: header.frames.map(f => f.storedBytes),
        });
      } catch (error) {
        log(
          `${this.storage.tier}: the chunks of pack ${
            pack.id
          } are not reused: ${(error as Error).message}`,
        );
      }
    }
    return { chunks, packs };
  }

  /** A pack's bytes, whole or as its parts in order (a sealed pack: prefix, header, frames). */
  async writePack(packId: string, data: ObjectBody): Promise<void> {
    await this.storage.putObject(this.packKey(packId), data);
  }
}
