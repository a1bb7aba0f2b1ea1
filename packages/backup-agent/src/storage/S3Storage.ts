import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream';
import type { Readable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import {
  MANIFEST_FILE,
  SnapshotManifest,
} from '@safekeep/plugin-backups-common';
import type { S3StorageConfig } from '../config/configSchema';
import { ByteCounter } from '../pipeline/ByteCounter';
import { createS3Client } from './createS3Client';
import { manifestText, parseManifestText } from './manifestFile';
import {
  assertSafeArtifactName,
  assertSafeObjectKey,
  assertSafeRef,
  README_FILE,
} from './safeNames';
import { listedSnapshots } from './listedSnapshots';
import { thisProcess } from '../leftovers/processIdentity';
import { serverSideEncryptionParams } from './serverSideEncryption';
import { spooledUpload } from './spooledUpload';
import {
  ArtifactMissingError,
  ManifestRead,
  ObjectBody,
  OpenUpload,
  SnapshotRef,
  SHARED_AREA,
  SnapshotStorage,
  StoredSnapshot,
  TierObject,
  WRITER_MARK_FILE,
} from './SnapshotStorage';
import { s3Library } from '../libraries';

function isNotFound(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return (
    e?.name === 'NoSuchKey' ||
    e?.name === 'NotFound' ||
    e?.$metadata?.httpStatusCode === 404
  );
}

function cannotListUploads(error: unknown): boolean {
  const status = (error as { $metadata?: { httpStatusCode?: number } })
    ?.$metadata?.httpStatusCode;
  return status === 403 || status === 501;
}

/**
 * Snapshots in an S3-compatible bucket: `<prefix>/<target>/<id>/<artifact>`. Artifacts go up
 * as multipart uploads from the stream, each part spooled through a file in `spoolDir` (aborted
 * on failure, so no orphaned parts are billed), then their size is checked with HeadObject.
 * Objects appear only when complete.
 */
export class S3Storage implements SnapshotStorage {
  private clientInstance?: S3Client;

  constructor(
    readonly tier: string,
    private readonly config: S3StorageConfig,
    /** Where upload parts are written (at most three parts at a time): the agent's staging folder. */
    private readonly spoolDir: string = path.join(
      os.tmpdir(),
      'safekeep-agent',
    ),
  ) {}

  /** Created at first use, so credentials are read only when needed. */
  private get client(): S3Client {
    this.clientInstance ??= createS3Client(this.config);
    return this.clientInstance;
  }

  private prefixOf(ref: SnapshotRef): string {
    assertSafeRef(ref.target, ref.id);
    return `${[this.config.prefix, ref.target, ref.id]
      .filter(Boolean)
      .join('/')}/`;
  }

  private key(ref: SnapshotRef, name: string): string {
    return `${this.prefixOf(ref)}${name}`;
  }

  location(ref: SnapshotRef): string {
    return `s3://${this.config.bucket}/${this.prefixOf(ref)}`;
  }

  async putArtifact(
    ref: SnapshotRef,
    name: string,
    body: Readable,
  ): Promise<{ bytes: number }> {
    assertSafeArtifactName(name);
    const key = this.key(ref, name);
    const counter = new ByteCounter();
    // pipeline (not pipe) so an error of the source reaches the upload and aborts it.
    pipeline(body, counter, () => undefined);
    await spooledUpload(counter, {
      client: this.client,
      bucket: this.config.bucket,
      key,
      partSize: this.config.partSizeMiB * 1024 * 1024,
      queueSize: 2,
      spoolDir: this.spoolDir,
      encryption: serverSideEncryptionParams(this.config),
    });
    const head = await this.client.send(
      new (s3Library().HeadObjectCommand)({
        Bucket: this.config.bucket,
        Key: key,
      }),
    );
    if (head.ContentLength !== counter.bytes) {
      await this.client.send(
        new (s3Library().DeleteObjectCommand)({
          Bucket: this.config.bucket,
          Key: key,
        }),
      );
      throw new Error(
        `s3://${this.config.bucket}/${key} holds ${head.ContentLength} bytes after upload, ${counter.bytes} were sent`,
      );
    }
    return { bytes: counter.bytes };
  }

  async getArtifact(ref: SnapshotRef, name: string): Promise<Readable> {
    assertSafeArtifactName(name);
    try {
      const response = await this.client.send(
        new (s3Library().GetObjectCommand)({
          Bucket: this.config.bucket,
          Key: this.key(ref, name),
        }),
      );
      return response.Body as Readable;
    } catch (error) {
      if (isNotFound(error))
        throw new ArtifactMissingError(`${this.location(ref)}${name}`);
      throw error;
    }
  }

  private async putSmall(
    key: string,
    text: string,
    contentType: string,
  ): Promise<void> {
    await this.client.send(
      new (s3Library().PutObjectCommand)({
        Bucket: this.config.bucket,
        Key: key,
        Body: text,
        ContentType: contentType,
        ...serverSideEncryptionParams(this.config),
      }),
    );
  }

  async writeReadme(ref: SnapshotRef, text: string): Promise<void> {
    await this.putSmall(
      this.key(ref, README_FILE),
      text,
      'text/markdown; charset=utf-8',
    );
  }

  async writeManifest(
    ref: SnapshotRef,
    manifest: SnapshotManifest,
  ): Promise<void> {
    await this.putSmall(
      this.key(ref, MANIFEST_FILE),
      manifestText(manifest),
      'application/json',
    );
  }

  async readManifest(ref: SnapshotRef): Promise<ManifestRead> {
    try {
      const response = await this.client.send(
        new (s3Library().GetObjectCommand)({
          Bucket: this.config.bucket,
          Key: this.key(ref, MANIFEST_FILE),
        }),
      );
      return parseManifestText(await response.Body!.transformToString('utf8'));
    } catch (error) {
      if (isNotFound(error)) return { status: 'missing' };
      throw error;
    }
  }

  private async listKeys(
    prefix: string,
    delimiter?: string,
  ): Promise<{ keys: string[]; prefixes: string[]; objects: TierObject[] }> {
    const keys: string[] = [];
    const objects: TierObject[] = [];
    const prefixes: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new (s3Library().ListObjectsV2Command)({
          Bucket: this.config.bucket,
          Prefix: prefix,
          Delimiter: delimiter,
          ContinuationToken: token,
        }),
      );
      for (const object of page.Contents ?? []) {
        if (!object.Key) continue;
        keys.push(object.Key);
        objects.push({
          key: object.Key,
          bytes: object.Size ?? 0,
          modifiedAt: object.LastModified ?? new Date(0),
        });
      }
      prefixes.push(
        ...(page.CommonPrefixes ?? []).map(p => p.Prefix!).filter(Boolean),
      );
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return { keys, prefixes, objects };
  }

  async listSnapshots(target: string): Promise<StoredSnapshot[]> {
    const targetPrefix = `${[this.config.prefix, target]
      .filter(Boolean)
      .join('/')}/`;
    const { prefixes } = await this.listKeys(targetPrefix, '/');
    return listedSnapshots(
      this,
      target,
      prefixes.map(p => p.slice(targetPrefix.length).replace(/\/$/, '')),
    );
  }

  async deleteSnapshot(ref: SnapshotRef): Promise<void> {
    const prefix = this.prefixOf(ref);
    const markKey = this.key(ref, WRITER_MARK_FILE);
    // This process's writer mark first and gone last: a deletion killed halfway leaves a
    // manifest-less prefix whose writer has ended, which the next start removes at once
    // (without the mark it would wait for prune's hour).
    await this.putSmall(
      markKey,
      JSON.stringify(thisProcess()),
      'application/json',
    );
    await this.deleteKey(this.key(ref, MANIFEST_FILE));
    // An upload the snapshot's writer left open (killed mid-part) would keep its parts
    // stored and billed, and could still complete into the emptied prefix.
    const open = await this.openUploads(prefix).catch(error => {
      // A bucket policy without s3:ListBucketMultipartUploads, or a server without the call:
      // the objects still go (the bucket's AbortIncompleteMultipartUpload rule is the backstop).
      if (cannotListUploads(error)) return [];
      throw error;
    });
    for (const upload of open) await this.abortUpload(upload);
    const { keys } = await this.listKeys(prefix);
    for (const key of keys.filter(k => k !== markKey))
      await this.deleteKey(key);
    await this.deleteKey(markKey);
  }

  private async deleteKey(key: string): Promise<void> {
    await this.client.send(
      new (s3Library().DeleteObjectCommand)({
        Bucket: this.config.bucket,
        Key: key,
      }),
    );
  }

  async markWriting(ref: SnapshotRef): Promise<void> {
    await this.putSmall(
      this.key(ref, WRITER_MARK_FILE),
      JSON.stringify(thisProcess()),
      'application/json',
    );
  }

  async clearWriting(ref: SnapshotRef): Promise<void> {
    await this.deleteKey(this.key(ref, WRITER_MARK_FILE));
  }

  async readWriterMark(ref: SnapshotRef): Promise<string | undefined> {
    try {
      const response = await this.client.send(
        new (s3Library().GetObjectCommand)({
          Bucket: this.config.bucket,
          Key: this.key(ref, WRITER_MARK_FILE),
        }),
      );
      return await response.Body!.transformToString('utf8');
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async listOpenUploads(): Promise<OpenUpload[]> {
    return this.openUploads(this.rootPrefix);
  }

  /**
   * Multipart uploads begun under `prefix` and neither completed nor aborted, that lie where
   * this agent writes artifacts (`<prefix>/<target>/<snapshot id>/<artifact>`); any other
   * key in the bucket is not the agent's and is never listed.
   */
  private async openUploads(prefix: string): Promise<OpenUpload[]> {
    const found: OpenUpload[] = [];
    let keyMarker: string | undefined;
    let uploadIdMarker: string | undefined;
    do {
      const page = await this.client.send(
        new (s3Library().ListMultipartUploadsCommand)({
          Bucket: this.config.bucket,
          Prefix: prefix,
          KeyMarker: keyMarker,
          UploadIdMarker: uploadIdMarker,
        }),
      );
      for (const upload of page.Uploads ?? []) {
        if (!upload.Key || !upload.UploadId) continue;
        const place = this.artifactPlace(upload.Key);
        if (!place) continue;
        found.push({
          ...place,
          key: upload.Key,
          uploadId: upload.UploadId,
          initiatedAt: upload.Initiated,
        });
      }
      keyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
      uploadIdMarker = page.IsTruncated ? page.NextUploadIdMarker : undefined;
    } while (keyMarker);
    return found;
  }

  /** The snapshot and artifact a key is, when it follows the agent's layout. */
  private artifactPlace(
    key: string,
  ): { ref: SnapshotRef; name: string } | undefined {
    if (!key.startsWith(this.rootPrefix)) return undefined;
    const segments = key.slice(this.rootPrefix.length).split('/');
    if (segments.length !== 3) return undefined;
    const [target, id, name] = segments;
    try {
      assertSafeRef(target, id);
      assertSafeArtifactName(name);
    } catch {
      return undefined;
    }
    return { ref: { target, id }, name };
  }

  async abortUpload(upload: OpenUpload): Promise<void> {
    await this.client.send(
      new (s3Library().AbortMultipartUploadCommand)({
        Bucket: this.config.bucket,
        Key: upload.key,
        UploadId: upload.uploadId,
      }),
    );
  }

  /** Bytes stored under a snapshot's prefix (open uploads' parts not counted). */
  async storedBytes(ref: SnapshotRef): Promise<number> {
    const { objects } = await this.listKeys(this.prefixOf(ref));
    return objects.reduce((sum, o) => sum + o.bytes, 0);
  }

  private get rootPrefix(): string {
    return this.config.prefix ? `${this.config.prefix}/` : '';
  }

  private objectKey(key: string): string {
    assertSafeObjectKey(key);
    return `${this.rootPrefix}${SHARED_AREA}/${key}`;
  }

  async putObject(key: string, data: ObjectBody): Promise<void> {
    // One body for the SDK (a retry resends it): the parts are joined here, at the S3 edge only.
    const body = Buffer.isBuffer(data) ? data : Buffer.concat(data);
    await this.client.send(
      new (s3Library().PutObjectCommand)({
        Bucket: this.config.bucket,
        Key: this.objectKey(key),
        Body: body,
        ContentLength: body.length,
        // Packs hold the dumps' bytes: encrypted at rest like every other object.
        ...serverSideEncryptionParams(this.config),
      }),
    );
  }

  async getObject(
    key: string,
    range?: { offset: number; length: number },
  ): Promise<Buffer> {
    const fullKey = this.objectKey(key);
    try {
      const response = await this.client.send(
        new (s3Library().GetObjectCommand)({
          Bucket: this.config.bucket,
          Key: fullKey,
          ...(range
            ? {
                Range: `bytes=${range.offset}-${
                  range.offset + range.length - 1
                }`,
              }
            : {}),
        }),
      );
      return Buffer.from(await response.Body!.transformToByteArray());
    } catch (error) {
      if (isNotFound(error))
        throw new ArtifactMissingError(`s3://${this.config.bucket}/${fullKey}`);
      throw error;
    }
  }

  async listObjects(prefix: string): Promise<TierObject[]> {
    const base = this.objectKey('x').slice(0, -1);
    const { objects } = await this.listKeys(`${base}${prefix}`);
    return objects
      .map(o => ({ ...o, key: o.key.slice(base.length) }))
      .sort((a, b) => a.key.localeCompare(b.key));
  }

  async deleteObject(key: string): Promise<void> {
    await this.client.send(
      new (s3Library().DeleteObjectCommand)({
        Bucket: this.config.bucket,
        Key: this.objectKey(key),
      }),
    );
  }
}
