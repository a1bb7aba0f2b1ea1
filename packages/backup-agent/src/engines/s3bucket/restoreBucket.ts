import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import type { IndexedObject, ObjectIndex } from './objectIndex';
import { bucketExists, explainS3Error, listObjects } from './s3Access';
import type { S3BucketSettings } from './s3BucketSettings';
import { readBlobEntries } from './tarBlobs';
import { s3Library, s3UploadLibrary } from '../../libraries';

/** Content, by sha256, that still has to go to its keys. */
export type BlobNeeds = Map<string, IndexedObject[]>;

/** The objects grouped by the snapshot whose objects.tar holds their blob ("" for this one). */
export function groupBySnapshot(index: ObjectIndex): Map<string, BlobNeeds> {
  const groups = new Map<string, BlobNeeds>();
  for (const object of index.objects) {
    const snapshot = object.blob_snapshot ?? '';
    let needs = groups.get(snapshot);
    if (!needs) groups.set(snapshot, (needs = new Map()));
    const list = needs.get(object.sha256) ?? [];
    list.push(object);
    needs.set(object.sha256, list);
  }
  return groups;
}

function objectHeaders(object: IndexedObject) {
  return {
    ContentType: object.content_type,
    CacheControl: object.cache_control,
    ContentDisposition: object.content_disposition,
    ContentEncoding: object.content_encoding,
    ContentLanguage: object.content_language,
    Metadata: object.metadata,
  };
}

function copySource(bucket: string, key: string): string {
  return `${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`;
}

/**
 * Puts objects back into a bucket (created when missing). Keys that did not exist before are
 * tracked, so a failed restore removes what it added (and the bucket it created); objects it
 * overwrote (with force) cannot be brought back. After a complete restore, objects below the prefix that are not in
 * the snapshot are removed: the prefix then holds exactly the snapshot.
 */
export class BucketRestore {
  private readonly existing = new Set<string>();
  private readonly added: string[] = [];
  private createdBucket = false;

  constructor(
    private readonly client: S3Client,
    private readonly settings: S3BucketSettings,
    private readonly log: (message: string) => void,
  ) {}

  private fullKey(object: IndexedObject): string {
    return `${this.settings.prefix}${object.key}`;
  }

  async prepare(): Promise<void> {
    const { client, settings } = this;
    if (!(await bucketExists(client, settings))) {
      try {
        await client.send(
          new (s3Library().CreateBucketCommand)({ Bucket: settings.bucket }),
        );
      } catch (error) {
        throw explainS3Error(error, settings, 'creating bucket');
      }
      this.createdBucket = true;
      this.log(`created bucket ${settings.bucket}`);
      return;
    }
    for await (const object of listObjects(
      client,
      settings.bucket,
      settings.prefix,
    ))
      this.existing.add(object.Key!);
  }

  private async put(
    object: IndexedObject,
    body: AsyncIterable<Buffer>,
  ): Promise<void> {
    const key = this.fullKey(object);
    const hash = createHash('sha256');
    let size = 0;
    const counted = Readable.from(
      (async function* hashing() {
        for await (const chunk of body) {
          hash.update(chunk);
          size += chunk.length;
          yield chunk;
        }
      })(),
      { objectMode: false },
    );
    const upload = new (s3UploadLibrary().Upload)({
      client: this.client,
      params: {
        Bucket: this.settings.bucket,
        Key: key,
        Body: counted,
        ...objectHeaders(object),
      },
      queueSize: 1,
      leavePartsOnError: false,
    });
    if (!this.existing.has(key)) this.added.push(key);
    try {
      await upload.done();
    } catch (error) {
      throw explainS3Error(error, this.settings, `writing object ${key} to`);
    }
    const sha256 = hash.digest('hex');
    if (sha256 !== object.sha256 || size !== object.size) {
      throw new Error(
        `object ${key}: the snapshot's content has sha256 ${sha256} (${size} bytes), the index says ${object.sha256} (${object.size} bytes)`,
      );
    }
  }

  private async copy(from: IndexedObject, to: IndexedObject): Promise<void> {
    const key = this.fullKey(to);
    if (!this.existing.has(key)) this.added.push(key);
    try {
      await this.client.send(
        new (s3Library().CopyObjectCommand)({
          Bucket: this.settings.bucket,
          Key: key,
          CopySource: copySource(this.settings.bucket, this.fullKey(from)),
          MetadataDirective: 'REPLACE',
          ...objectHeaders(to),
        }),
      );
    } catch (error) {
      throw explainS3Error(error, this.settings, `copying object ${key} in`);
    }
  }

  /** Streams one objects.tar and writes each needed blob to its keys; `needs` empties as it goes. */
  async fromTar(tar: Readable, needs: BlobNeeds, what: string): Promise<void> {
    for await (const entry of readBlobEntries(tar)) {
      // A folder marker ("docs/" backed up with prefix "docs/") has no key at the bucket's root.
      const objects = needs
        .get(entry.sha256)
        ?.filter(o => this.fullKey(o) !== '');
      needs.delete(entry.sha256);
      if (!objects || objects.length === 0) continue;
      const [first, ...others] = objects;
      await this.put(first, entry.body);
      for (const other of others) await this.copy(first, other);
    }
    if (needs.size > 0) {
      throw new Error(
        `${what} lacks ${needs.size} blob(s) the index needs, e.g. ${
          [...needs.keys()][0]
        }; the snapshot is incomplete`,
      );
    }
  }

  /** Removes objects below the prefix that the snapshot does not have. */
  async removeOthers(index: ObjectIndex): Promise<number> {
    const wanted = new Set(index.objects.map(o => this.fullKey(o)));
    const extra = [...this.existing].filter(key => !wanted.has(key));
    await this.deleteKeys(extra);
    return extra.length;
  }

  /** After a failure: removes the keys this restore added, and the bucket if it created it. */
  async rollback(): Promise<void> {
    await this.deleteKeys(this.added);
    if (this.createdBucket)
      await this.client.send(
        new (s3Library().DeleteBucketCommand)({ Bucket: this.settings.bucket }),
      );
  }

  private async deleteKeys(keys: string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += 1000) {
      const batch = keys.slice(i, i + 1000);
      await this.client.send(
        new (s3Library().DeleteObjectsCommand)({
          Bucket: this.settings.bucket,
          Delete: { Objects: batch.map(Key => ({ Key })), Quiet: true },
        }),
      );
    }
  }
}
