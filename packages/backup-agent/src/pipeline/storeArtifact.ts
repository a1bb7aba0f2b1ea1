import { Duplex, Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type {
  Compression,
  SnapshotArtifact,
} from '@safekeep/plugin-backups-common';
import type { ProducedArtifact } from '../engines/EngineDriver';
import type { SnapshotRef, SnapshotStorage } from '../storage/SnapshotStorage';
import { ByteCounter, emptyDumpError } from './ByteCounter';
import { CoalesceChunks } from './coalesceChunks';
import { compressionSuffix, createCompressor } from './compression';
import { createEncryptionStage } from './encryption';
import type { EncryptionKey } from './encryption/EncryptionKey';
import { Sha256Digest } from './Sha256Digest';
import { youngGarbageCollector } from './youngGarbage';

export interface StoreArtifactOptions {
  artifact: ProducedArtifact;
  compression: Compression;
  storage: SnapshotStorage;
  ref: SnapshotRef;
  /** Encrypt with this key (client-side, aes-256-gcm-chunked); none: stored as compressed. */
  encryption?: EncryptionKey;
  /** Stored bytes so far. */
  onProgress?: (storedBytes: number) => void;
}

/**
 * raw stream -> byte count -> compression -> encryption (when a key is given) -> sha256 + count -> storage.
 * Everything is computed in flight; nothing the size of the dump is written locally. Any
 * failure (the source, the dump tool's exit code, the storage) rejects, and the storage never
 * shows the artifact under its final name.
 */
export async function storeArtifact(
  options: StoreArtifactOptions,
): Promise<SnapshotArtifact> {
  const { artifact, compression, storage, ref } = options;
  const encryption = createEncryptionStage(options.encryption);
  const storedName = `${artifact.name}${compressionSuffix(compression)}${
    encryption.suffix
  }`;
  const raw = new ByteCounter({
    completion: artifact.completion,
    onBytes: youngGarbageCollector(),
    emptyError: artifact.neverEmpty ? emptyDumpError(artifact.name) : undefined,
  });
  const digest = new Sha256Digest({ onBytes: options.onProgress });
  const stages: Array<Readable | Transform | Duplex> = [artifact.stream, raw];
  const compressor = createCompressor(compression);
  if (compressor) stages.push(new CoalesceChunks(), compressor);
  if (encryption.stage) stages.push(encryption.stage);
  stages.push(digest);

  let stored = -1;
  let storageError: unknown;
  // The last stage hands the checksummed stream to the storage; pipeline ties their errors.
  const run = pipeline as unknown as (...streams: unknown[]) => Promise<void>;
  await run(...stages, async (source: Readable) => {
    try {
      stored = (await storage.putArtifact(ref, storedName, source)).bytes;
    } catch (error) {
      storageError = error;
      throw error;
    }
  }).catch(error => {
    // The storage's own error says where (a full tier); pipeline may reject first with the
    // bare one it saw on the stream the storage was reading.
    throw storageError ?? error;
  });
  if (stored !== digest.bytes) {
    throw new Error(
      `${storage.location(ref)}${storedName}: storage holds ${stored} bytes, ${
        digest.bytes
      } were written`,
    );
  }
  return {
    name: storedName,
    bytes: digest.bytes,
    raw_bytes: raw.bytes,
    sha256: digest.sha256,
    compression,
    encryption: encryption.manifest,
    description: artifact.description,
  };
}
