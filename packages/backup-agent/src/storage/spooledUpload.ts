import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import { ensurePrivateFolder } from '../fs/privateFolder';
import type { ServerSideEncryptionParams } from './serverSideEncryption';
import { s3Library } from '../libraries';
import { retryStreamingRequest } from './retryStreamingRequest';
import { explainDiskFull } from '../fs/diskFull';

export interface SpooledUploadOptions {
  client: S3Client;
  bucket: string;
  key: string;
  /** Bytes per part (S3: at least 5 MiB, except the last part). */
  partSize: number;
  /** Parts uploaded at the same time while the next one is written. */
  queueSize: number;
  /** Where part files are written: the agent's staging folder. */
  spoolDir: string;
  /** Server-side encryption asked for on the object (none: the bucket's default). */
  encryption?: ServerSideEncryptionParams;
}

interface PartFile {
  number: number;
  file: string;
  handle: fsp.FileHandle;
  bytes: number;
}

/**
 * Uploads a stream to S3 with memory that does not grow with the part size: each part is
 * written to a file in `spoolDir`, uploaded from there (at most `queueSize` at once, while the
 * next one is written) and deleted. An in-memory uploader (lib-storage) held 16 MiB parts
 * twice over and took the agent from 125 to about 200 MiB on a 175 MiB artifact. A stream
 * shorter than one part becomes one PutObject. A part that meets a 5xx, throttling or a reset is
 * sent again from its file (retryStreamingRequest). On any failure the multipart upload is aborted,
 * so no parts stay stored and billed, and the part files are removed. Returns the bytes sent.
 */
export async function spooledUpload(
  body: Readable,
  options: SpooledUploadOptions,
): Promise<number> {
  const { client, bucket, key, partSize, queueSize, spoolDir } = options;
  const encryption = options.encryption ?? {};
  await ensurePrivateFolder(spoolDir);
  const base = path.join(spoolDir, `s3-part-${randomBytes(6).toString('hex')}`);
  const files = new Set<string>();
  const inFlight = new Set<Promise<void>>();
  const uploaded: Array<{ PartNumber: number; ETag: string }> = [];
  let failure: Error | undefined;
  let uploadId: string | undefined;
  let total = 0;
  let part: PartFile | undefined;

  const openPart = async (number: number): Promise<PartFile> => {
    const file = `${base}-${number}`;
    files.add(file);
    return {
      number,
      file,
      handle: await fsp.open(file, 'wx', 0o600),
      bytes: 0,
    };
  };
  const removeFile = async (file: string) => {
    await fsp.rm(file, { force: true });
    files.delete(file);
  };
  const uploadPart = async (done: PartFile) => {
    const response = await retryStreamingRequest(() =>
      client.send(
        new (s3Library().UploadPartCommand)({
          Bucket: bucket,
          Key: key,
          UploadId: uploadId,
          PartNumber: done.number,
          Body: fs.createReadStream(done.file),
          ContentLength: done.bytes,
        }),
      ),
    );
    uploaded.push({ PartNumber: done.number, ETag: response.ETag! });
  };
  /** Starts a part's upload once fewer than queueSize are running; a failed one fails the next call. */
  const dispatch = async (done: PartFile) => {
    while (inFlight.size >= queueSize) await Promise.race(inFlight);
    if (failure) throw failure;
    const task: Promise<void> = uploadPart(done)
      .catch(error => {
        failure ??= error instanceof Error ? error : new Error(String(error));
      })
      .finally(async () => {
        inFlight.delete(task);
        await removeFile(done.file);
      });
    inFlight.add(task);
  };

  try {
    part = await openPart(1);
    for await (const chunk of body as AsyncIterable<Buffer>) {
      for (let offset = 0; offset < chunk.length; ) {
        const piece = chunk.subarray(offset, offset + partSize - part.bytes);
        await part.handle.write(piece);
        part.bytes += piece.length;
        offset += piece.length;
        total += piece.length;
        if (part.bytes === partSize) {
          await part.handle.close();
          uploadId ??= (
            await client.send(
              new (s3Library().CreateMultipartUploadCommand)({
                Bucket: bucket,
                Key: key,
                ...encryption,
              }),
            )
          ).UploadId;
          await dispatch(part);
          part = await openPart(part.number + 1);
        }
      }
    }
    await part.handle.close();

    if (!uploadId) {
      const last = part;
      await retryStreamingRequest(() =>
        client.send(
          new (s3Library().PutObjectCommand)({
            Bucket: bucket,
            Key: key,
            Body: fs.createReadStream(last.file),
            ContentLength: last.bytes,
            ...encryption,
          }),
        ),
      );
      return total;
    }
    if (part.bytes > 0) await dispatch(part);
    await Promise.all(inFlight);
    if (failure) throw failure;
    uploaded.sort((a, b) => a.PartNumber - b.PartNumber);
    await client.send(
      new (s3Library().CompleteMultipartUploadCommand)({
        Bucket: bucket,
        Key: key,
        UploadId: uploadId,
        MultipartUpload: { Parts: uploaded },
      }),
    );
    return total;
  } catch (error) {
    await Promise.allSettled([...inFlight]);
    if (uploadId) {
      await client
        .send(
          new (s3Library().AbortMultipartUploadCommand)({
            Bucket: bucket,
            Key: key,
            UploadId: uploadId,
          }),
        )
        .catch(() => undefined);
    }
    throw explainDiskFull(
      error,
      `the staging folder ${spoolDir}`,
      'S3 parts are spooled there (partSizeMiB for each part in flight); free space, or set agent.staging to a folder on a larger disk',
    );
  } finally {
    await part?.handle.close().catch(() => undefined);
    await Promise.all([...files].map(removeFile));
  }
}
