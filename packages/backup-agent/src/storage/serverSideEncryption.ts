import type { S3StorageConfig } from '../config/configSchema';

/** The SSE parameters of PutObject and CreateMultipartUpload. */
export interface ServerSideEncryptionParams {
  ServerSideEncryption?: 'AES256' | 'aws:kms';
  SSEKMSKeyId?: string;
}

/**
 * What every object-creating request of an S3 tier asks for: server-side encryption when the
 * tier's config sets it, nothing otherwise (the bucket's default encryption applies). No ACL is
 * ever sent, so objects stay private to the bucket owner (docs/security.md).
 */
export function serverSideEncryptionParams(
  config: Pick<S3StorageConfig, 'serverSideEncryption' | 'kmsKeyId'>,
): ServerSideEncryptionParams {
  if (!config.serverSideEncryption) return {};
  return {
    ServerSideEncryption: config.serverSideEncryption,
    ...(config.kmsKeyId ? { SSEKMSKeyId: config.kmsKeyId } : {}),
  };
}
