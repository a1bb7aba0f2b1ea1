import { createHash } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { S3Client, _Object } from '@aws-sdk/client-s3';
import { encodeIndexRecord, INDEX_FORMAT, IndexedObject } from './objectIndex';
import type { PreviousIndex } from './incremental';
import { explainS3Error, listObjects } from './s3Access';
import type { S3BucketSettings } from './s3BucketSettings';
import { blobEntryName, TAR_END, tarHeader, tarPadding } from './tarBlobs';
import { s3Library } from '../../libraries';

export interface MirrorTotals {
  objects: number;
  bytes: number;
  copiedObjects: number;
  copiedBytes: number;
  /** Snapshots whose objects.tar this one references. */
  dependsOn: Set<string>;
}

type ObjectFacts = Pick<
  IndexedObject,
  | 'etag'
  | 'last_modified'
  | 'content_type'
  | 'cache_control'
  | 'content_disposition'
  | 'content_encoding'
  | 'content_language'
  | 'metadata'
> & { size: number };

function factsOf(response: {
  ETag?: string;
  ContentLength?: number;
  LastModified?: Date;
  ContentType?: string;
  CacheControl?: string;
  ContentDisposition?: string;
  ContentEncoding?: string;
  ContentLanguage?: string;
  Metadata?: Record<string, string>;
}): ObjectFacts {
  return {
    size: response.ContentLength ?? 0,
    etag: response.ETag,
    last_modified: response.LastModified?.toISOString(),
    content_type: response.ContentType,
    cache_control: response.CacheControl,
    content_disposition: response.ContentDisposition,
    content_encoding: response.ContentEncoding,
    content_language: response.ContentLanguage,
    metadata: response.Metadata ?? {},
  };
}

async function downloadHashed(
  body: Readable,
  file: string,
): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  await pipeline(
    body,
    async function* hashing(source: AsyncIterable<Buffer>) {
      for await (const chunk of source) {
        hash.update(chunk);
        size += chunk.length;
        yield chunk;
      }
    },
    fs.createWriteStream(file, { flags: 'w', mode: 0o600 }),
  );
  return { sha256: hash.digest('hex'), size };
}

/**
 * The mirror as a tar of blobs plus an index, written to `indexFile` as objects go by.
 * An object whose etag and size match the previous snapshot is referenced, not downloaded
 * (its headers are read again, they can change without changing the etag); content already
 * stored, here or before, is stored once.
 */
export async function* bucketBlobTar(options: {
  client: S3Client;
  settings: S3BucketSettings;
  stagingDir: string;
  indexFile: string;
  previous?: PreviousIndex;
  totals: MirrorTotals;
}): AsyncGenerator<Buffer> {
  const { client, settings, stagingDir, previous, totals } = options;
  const index = await fsp.open(options.indexFile, 'wx', 0o600);
  try {
    await index.write(
      encodeIndexRecord({
        type: 'index',
        format: INDEX_FORMAT,
        bucket: settings.bucket,
        prefix: settings.prefix,
      }),
    );
    const inThisTar = new Set<string>();
    const blobFile = path.join(stagingDir, 'object.blob');
    const record = async (
      key: string,
      facts: ObjectFacts,
      sha256: string,
      blobSnapshot?: string,
    ) => {
      totals.objects++;
      totals.bytes += facts.size;
      if (blobSnapshot) totals.dependsOn.add(blobSnapshot);
      await index.write(
        encodeIndexRecord({
          type: 'object',
          key,
          ...facts,
          sha256,
          blob_snapshot: blobSnapshot,
        }),
      );
    };

    const objects = listObjects(client, settings.bucket, settings.prefix);
    for (;;) {
      let next: IteratorResult<_Object>;
      try {
        next = await objects.next();
      } catch (error) {
        throw explainS3Error(error, settings, 'listing');
      }
      if (next.done) break;
      const listed = next.value;
      const fullKey = listed.Key!;
      const key = fullKey.slice(settings.prefix.length);
      const known = previous?.byKey.get(key);
      if (known && known.etag === listed.ETag && known.size === listed.Size) {
        const head = await client.send(
          new (s3Library().HeadObjectCommand)({
            Bucket: settings.bucket,
            Key: fullKey,
          }),
        );
        if (head.ETag === known.etag && head.ContentLength === known.size) {
          await record(
            key,
            factsOf(head),
            known.blob.sha256,
            known.blob.snapshot,
          );
          continue;
        }
      }
      let response;
      try {
        response = await client.send(
          new (s3Library().GetObjectCommand)({
            Bucket: settings.bucket,
            Key: fullKey,
          }),
        );
      } catch (error) {
        throw explainS3Error(error, settings, `reading object ${fullKey} of`);
      }
      const facts = factsOf(response);
      const { sha256, size } = await downloadHashed(
        response.Body as Readable,
        blobFile,
      );
      if (size !== facts.size) {
        throw new Error(
          `object ${fullKey} announced ${facts.size} bytes and delivered ${size}; it may have changed during the backup, run it again`,
        );
      }
      const elsewhere = previous?.bySha.get(sha256);
      if (elsewhere) {
        await record(key, facts, sha256, elsewhere.snapshot);
      } else {
        if (!inThisTar.has(sha256)) {
          yield tarHeader(
            blobEntryName(sha256),
            size,
            response.LastModified ?? new Date(0),
          );
          for await (const chunk of fs.createReadStream(blobFile))
            yield chunk as Buffer;
          yield tarPadding(size);
          inThisTar.add(sha256);
          totals.copiedObjects++;
          totals.copiedBytes += size;
        }
        await record(key, facts, sha256);
      }
      await fsp.rm(blobFile, { force: true });
    }
    yield TAR_END;
    await index.write(
      encodeIndexRecord({
        type: 'end',
        objects: totals.objects,
        bytes: totals.bytes,
      }),
    );
  } finally {
    await index.close();
  }
}
