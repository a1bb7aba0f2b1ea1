import type { SnapshotManifest } from '@safekeep/plugin-backups-common';
import type { AgentConfig } from '../config/loadConfig';
import type { KeyLookup } from '../pipeline/encryption';
import {
  EncryptionKeyring,
  KeyUnavailableError,
} from '../pipeline/encryption/EncryptionKeyring';
import { RestoreRefusedError } from './errors';

/**
 * The keys a restore of these snapshots needs, read now: a snapshot encrypted with a key this
 * agent does not have (or cannot read) is refused by key id before anything is touched.
 */
export function restoreKeys(
  config: AgentConfig,
  manifests: SnapshotManifest[],
): KeyLookup {
  const keyring = new EncryptionKeyring(config);
  for (const manifest of manifests) {
    for (const artifact of manifest.artifacts) {
      if (!artifact.encryption) continue;
      try {
        keyring.byId(artifact.encryption.key_id);
      } catch (error) {
        if (!(error instanceof KeyUnavailableError)) throw error;
        throw new RestoreRefusedError(
          `snapshot ${manifest.snapshot_id} cannot be decrypted, nothing was changed: ${error.message}`,
          'key',
        );
      }
    }
  }
  return keyId => keyring.byId(keyId);
}
