import type { Duplex, Transform } from 'node:stream';
import type { SnapshotArtifact } from '@safekeep/plugin-backups-common';
import { ALGORITHM, DEFAULT_CHUNK_BYTES } from './encryption/chunkedGcmFormat';
import { DecryptStream } from './encryption/DecryptStream';
import { EncryptStream } from './encryption/EncryptStream';
import type { EncryptionKey } from './encryption/EncryptionKey';

/** Suffix of an encrypted artifact's name, after the compression suffix: `app.db.zst.enc`. */
export const ENCRYPTED_SUFFIX = '.enc';

/** Finds a master key by the id a manifest records; throws a sentence naming the id when it cannot. */
export type KeyLookup = (keyId: string) => EncryptionKey;

/**
 * The stage after compression and before the checksum (so the checksum covers the stored,
 * encrypted bytes), and what the manifest records about it. No key: no stage.
 */
export function createEncryptionStage(
  key: EncryptionKey | undefined,
  chunkBytes = DEFAULT_CHUNK_BYTES,
): {
  stage: Transform | Duplex | undefined;
  manifest: SnapshotArtifact['encryption'];
  suffix: string;
} {
  if (!key) return { stage: undefined, manifest: null, suffix: '' };
  return {
    stage: new EncryptStream(key, chunkBytes),
    manifest: {
      algorithm: ALGORITHM,
      key_id: key.keyId,
      chunk_bytes: chunkBytes,
    },
    suffix: ENCRYPTED_SUFFIX,
  };
}

/**
 * The matching read-side stage: undefined for a plain artifact. An encrypted one needs
 * `keys`; without them, or without the artifact's key, it throws before any byte is read.
 */
export function createDecryptionStage(
  artifact: SnapshotArtifact,
  keys: KeyLookup | undefined,
  label: string = artifact.name,
): Transform | Duplex | undefined {
  if (!artifact.encryption) return undefined;
  if (!keys) {
    throw new Error(
      `${label} is encrypted with key "${artifact.encryption.key_id}"; no key was given to decrypt it`,
    );
  }
  return new DecryptStream({ key: keys(artifact.encryption.key_id), label });
}
