import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import {
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
} from '@aws-sdk/client-s3';
import { S3rverHarness, startS3rver } from '../testing/s3rverHarness';
import { useTempDir } from '../testing/tempDir';
import { spooledUpload } from './spooledUpload';

const MiB = 1024 * 1024;

/** `data` in uneven pieces, optionally failing after `failAfter` bytes. */
function source(data: Buffer, failAfter?: number): Readable {
  return Readable.from(
    (function* pieces() {
      for (
        let offset = 0, size = 100_000;
        offset < data.length;
        offset += size, size = (size * 3) % 700_000 || 1
      ) {
        if (failAfter !== undefined && offset >= failAfter)
          throw new Error('the dump broke off');
        yield data.subarray(offset, offset + size);
      }
    })(),
  );
}

describe('spooledUpload (against s3rver)', () => {
  const tempDir = useTempDir();
  let s3: S3rverHarness;

  beforeAll(async () => {
    s3 = await startS3rver('spool-test');
  });
  afterAll(async () => {
    await s3.close();
  });

  const upload = (body: Readable, key: string, spoolDir: string) =>
    spooledUpload(body, {
      client: s3.client,
      bucket: s3.bucket,
      key,
      partSize: 5 * MiB,
      queueSize: 2,
      spoolDir,
    });
  const read = async (key: string) =>
    Buffer.from(
      await (
        await s3.client.send(
          new GetObjectCommand({ Bucket: s3.bucket, Key: key }),
        )
      ).Body!.transformToByteArray(),
    );
  const openUploads = async () =>
    (
      await s3.client.send(
        new ListMultipartUploadsCommand({ Bucket: s3.bucket }),
      )
    ).Uploads ?? [];

  it.each([
    ['several parts and a short last one', 12 * MiB + 123],
    ['whole parts only', 10 * MiB],
    ['less than one part (one PutObject)', MiB],
    ['nothing', 0],
  ])(
    'stores %s byte for byte and leaves no part file behind',
    async (_what, size) => {
      const spool = path.join(tempDir(), 'staging');
      const data = randomBytes(size);
      const key = `objects/${size}.bin`;
      expect(await upload(source(data), key, spool)).toBe(size);
      expect((await read(key)).equals(data)).toBe(true);
      expect(fs.readdirSync(spool)).toEqual([]);
      expect(await openUploads()).toEqual([]);
    },
    60_000,
  );

  it('aborts when the source fails after parts went up: no object, no open upload, no part file', async () => {
    const spool = path.join(tempDir(), 'staging');
    await expect(
      upload(
        source(randomBytes(14 * MiB), 11 * MiB),
        'objects/broken.bin',
        spool,
      ),
    ).rejects.toThrow('the dump broke off');
    await expect(
      s3.client.send(
        new HeadObjectCommand({ Bucket: s3.bucket, Key: 'objects/broken.bin' }),
      ),
    ).rejects.toMatchObject({ name: 'NotFound' });
    expect(await openUploads()).toEqual([]);
    expect(fs.readdirSync(spool)).toEqual([]);
  }, 60_000);
});
