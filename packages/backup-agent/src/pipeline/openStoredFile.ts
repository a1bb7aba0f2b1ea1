import { Duplex, pipeline, Readable, Transform } from 'node:stream';
import type { SnapshotArtifact } from '@safekeep/plugin-backups-common';
import type { SnapshotRef, SnapshotStorage } from '../storage/SnapshotStorage';
import { createDecompressor } from './compression';
import { createDecryptionStage, KeyLookup } from './encryption';
import { RawSizeLimit } from './RawSizeLimit';
import { Sha256Digest } from './Sha256Digest';

/**
 * An artifact's stored bytes, checked against the manifest in flight. The stream fails at its
 * end when the checksum or size differs, so a consumer must not commit before a clean end.
 */
export async function openVerifiedStoredArtifact(
  storage: SnapshotStorage,
  ref: SnapshotRef,
  artifact: SnapshotArtifact,
  onBytes?: (bytes: number) => void,
): Promise<Readable> {
  const source = await storage.getArtifact(ref, artifact.name);
  const verify = new Sha256Digest({
    expected: {
      sha256: artifact.sha256,
      bytes: artifact.bytes,
      label: `${storage.tier}:${artifact.name}`,
    },
    onBytes,
  });
  pipeline(source, verify, () => undefined);
  return verify;
}

/** The artifact's own file (a chunked artifact's index), verified, decrypted, decompressed. */
export async function openStoredFile(
  storage: SnapshotStorage,
  ref: SnapshotRef,
  artifact: SnapshotArtifact,
  onBytes?: (bytes: number) => void,
  keys?: KeyLookup,
): Promise<Readable> {
  const decrypt = createDecryptionStage(
    artifact,
    keys,
    `${storage.tier}:${ref.id}/${artifact.name}`,
  );
  const verified = await openVerifiedStoredArtifact(
    storage,
    ref,
    artifact,
    onBytes,
  );
  const stages: Array<Readable | Transform | Duplex> = [verified];
  if (decrypt) stages.push(decrypt);
  const decompressor = createDecompressor(artifact.compression);
  if (decompressor) stages.push(decompressor);
  if (stages.length === 1) return verified; // raw bytes are the stored bytes, checked above
  stages.push(
    new RawSizeLimit(artifact.raw_bytes, `${storage.tier}:${artifact.name}`),
  );
  // Errors anywhere destroy every stage, the last one included, so the consumer sees them.
  return pipeline(
    stages as unknown as [Readable, Transform],
    () => undefined,
  ) as unknown as Readable;
}
