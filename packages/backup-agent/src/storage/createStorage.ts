import type { StorageConfig } from '../config/configSchema';
import { FilesystemStorage } from './FilesystemStorage';
import { S3Storage } from './S3Storage';
import type { SnapshotStorage } from './SnapshotStorage';

/** `stagingDir`: the agent's folder for temporary files (S3 upload parts go through it). */
export function createStorage(
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
