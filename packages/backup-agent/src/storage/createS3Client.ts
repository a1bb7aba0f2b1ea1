import type { S3Client } from '@aws-sdk/client-s3';
import { s3Library } from '../libraries';
import { resolveSecret, SecretRef } from '../config/secretRef';

/** How to reach an S3-compatible service: an s3 storage tier and an s3bucket target both say it. */
export interface S3Connection {
  region: string;
  endpoint?: string;
  forcePathStyle: boolean;
  /** Both or neither; neither uses the AWS default credential chain. */
  accessKeyId?: SecretRef;
  secretAccessKey?: SecretRef;
}

/** An S3 client; the credentials are read from their secret references now, not before. */
export function createS3Client(connection: S3Connection): S3Client {
  const { accessKeyId, secretAccessKey } = connection;
  return new (s3Library().S3Client)({
    region: connection.region,
    endpoint: connection.endpoint,
    forcePathStyle: connection.forcePathStyle,
    // S3-compatible servers (MinIO, SeaweedFS, older Ceph) often reject the SDK's default flexible
    // checksums (aws-chunked trailers); contents are verified by our own sha256 on both sides instead.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    credentials:
      accessKeyId && secretAccessKey
        ? {
            accessKeyId: resolveSecret(accessKeyId),
            secretAccessKey: resolveSecret(secretAccessKey),
          }
        : undefined,
  });
}
