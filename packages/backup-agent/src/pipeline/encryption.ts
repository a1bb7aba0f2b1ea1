import type { Duplex, Transform } from 'node:stream';
import type { SnapshotArtifact } from '@safekeep/plugin-backups-common';

/**
 * Where client-side encryption plugs into the pipeline, after compression and before the
 * checksum (so the checksum covers the stored, encrypted bytes).
 *
 * TODO(phase 2): aes-256-gcm in chunks (`aes-256-gcm-chunked` in the manifest schema), key
 * from a secret reference in the agent config, key id recorded in the manifest. Until then no
 * stage is added and artifacts are stored with `encryption: null`.
 */
export function createEncryptionStage(): { stage: Transform | Duplex | undefined; manifest: SnapshotArtifact['encryption'] } {
  return { stage: undefined, manifest: null };
}

/** The matching read-side stage. Refuses encrypted artifacts until phase 2 implements them. */
export function createDecryptionStage(artifact: SnapshotArtifact): Transform | Duplex | undefined {
  if (artifact.encryption) {
    throw new Error(
      `${artifact.name} is encrypted (${artifact.encryption.algorithm}, key ${artifact.encryption.key_id}); this agent version cannot decrypt snapshots yet`,
    );
  }
  return undefined;
}
