import type { S3Client, _Object } from '@aws-sdk/client-s3';
import type { S3BucketSettings } from './s3BucketSettings';
import { s3Library } from '../../libraries';

export function bucketUrl(settings: S3BucketSettings): string {
  return `s3://${settings.bucket}/${settings.prefix}${
    settings.endpoint ? ` at ${settings.endpoint}` : ''
  }`;
}

export function httpStatus(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } })?.$metadata
    ?.httpStatusCode;
}

export function isNotFound(error: unknown): boolean {
  const name = (error as { name?: string })?.name;
  return (
    name === 'NotFound' ||
    name === 'NoSuchBucket' ||
    name === 'NoSuchKey' ||
    httpStatus(error) === 404
  );
}

/** S3 errors with the bucket and the likely fix; the SDK's messages never carry the secret. */
export function explainS3Error(
  error: unknown,
  settings: S3BucketSettings,
  doing: string,
): Error {
  const status = httpStatus(error);
  const name = (error as { name?: string })?.name ?? 'error';
  const where = bucketUrl(settings);
  if (
    status === 403 ||
    name === 'InvalidAccessKeyId' ||
    name === 'SignatureDoesNotMatch' ||
    name === 'AccessDenied'
  ) {
    return new Error(
      `${doing} ${where} was refused (${name}); check accessKeyId/secretAccessKey and the bucket policy`,
    );
  }
  if (name === 'NoSuchBucket' || (status === 404 && /bucket/i.test(doing))) {
    return new Error(
      `${doing} ${where} failed: the bucket ${settings.bucket} does not exist; check the bucket name (and endpoint/region)`,
    );
  }
  return new Error(
    `${doing} ${where} failed: ${(error as Error)?.message ?? String(error)}`,
  );
}

/** true when the bucket exists, false when it does not; other errors are explained. */
export async function bucketExists(
  client: S3Client,
  settings: S3BucketSettings,
  bucket = settings.bucket,
): Promise<boolean> {
  try {
    await client.send(new (s3Library().HeadBucketCommand)({ Bucket: bucket }));
    return true;
  } catch (error) {
    if (isNotFound(error)) return false;
    throw explainS3Error(error, settings, 'reading bucket');
  }
}

/** Every object below a prefix, page by page (1000 keys per request), never all at once. */
export async function* listObjects(
  client: S3Client,
  bucket: string,
  prefix: string,
): AsyncGenerator<_Object> {
  let token: string | undefined;
  do {
    const page = await client.send(
      new (s3Library().ListObjectsV2Command)({
        Bucket: bucket,
        Prefix: prefix || undefined,
        ContinuationToken: token,
      }),
    );
    for (const object of page.Contents ?? []) {
      if (object.Key !== undefined) yield object;
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
}

export async function countObjects(
  client: S3Client,
  bucket: string,
  prefix: string,
): Promise<{ objects: number; bytes: number }> {
  let objects = 0;
  let bytes = 0;
  for await (const object of listObjects(client, bucket, prefix)) {
    objects++;
    bytes += object.Size ?? 0;
  }
  return { objects, bytes };
}
