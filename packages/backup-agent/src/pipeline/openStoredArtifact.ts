import type { Readable } from 'node:stream';
import type { SnapshotArtifact } from '@safekeep/plugin-backups-common';
import type { SnapshotRef, SnapshotStorage } from '../storage/SnapshotStorage';
import { openChunkedArtifact } from '../chunks/openChunkedArtifact';
import type { KeyLookup } from './encryption';
import { openStoredFile } from './openStoredFile';

/**
 * An artifact as raw bytes for a restore: verified, decrypted (each chunk authenticated;
 * `keys` finds the key the manifest names), decompressed, and stopped as soon as it inflates
 * past the manifest's raw_bytes (plus a margin, snapshots/restoreBounds.ts). A chunked
 * artifact is read from its chunks (openChunkedArtifact), with the same bound.
 */
export async function openRawArtifact(
  storage: SnapshotStorage,
  ref: SnapshotRef,
  artifact: SnapshotArtifact,
  onBytes?: (bytes: number) => void,
  keys?: KeyLookup,
): Promise<Readable> {
  if (artifact.chunked)
    return openChunkedArtifact(storage, ref, artifact, onBytes, keys);
  return openStoredFile(storage, ref, artifact, onBytes, keys);
}
