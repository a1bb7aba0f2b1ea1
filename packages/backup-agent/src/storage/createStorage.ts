import type { StorageConfig } from '../config/configSchema';
import { FilesystemStorage } from './FilesystemStorage';
import { S3Storage } from './S3Storage';
import type { SnapshotStorage } from './SnapshotStorage';
import { AuthenticatedStorage } from './AuthenticatedStorage';
import { resolveSecret, SecretError, SecretRef } from '../config/secretRef';

function plainStorage(
  tier: string,
  config: StorageConfig,
  stagingDir?: string,
): SnapshotStorage {
  switch (config.type) {
    case 'filesystem':
      return new FilesystemStorage(tier, config.path);
    case 's3':
      return new S3Storage(tier, config, stagingDir);
    default:
      throw new Error(`storage.${tier}.type: unknown storage type`);
  }
}

/**
 * A tier's storage: sealed manifests (AuthenticatedStorage) when a manifest key applies (the
 * tier's own, else `defaults.manifestKey`). `stagingDir`: the agent's folder for temporary files
 * (S3 upload parts go through it).
 */
export function createStorage(
  tier: string,
  config: StorageConfig,
  stagingDir?: string,
  defaultManifestKey?: SecretRef,
): SnapshotStorage {
  const storage = plainStorage(tier, config, stagingDir);
  const keyRef = config.manifestKey ?? defaultManifestKey;
  return keyRef
    ? new AuthenticatedStorage(storage, () => manifestKeyOf(keyRef))
    : storage;
}

/** The key's text, read when first used; a short key is refused, never repeated. */
function manifestKeyOf(ref: SecretRef): string {
  const key = resolveSecret(ref);
  if (key.length < 32)
    throw new SecretError(
      `${ref.field}: the manifest key is ${key.length} characters long; use at least 32 (openssl rand -hex 32)`,
    );
  return key;
}
