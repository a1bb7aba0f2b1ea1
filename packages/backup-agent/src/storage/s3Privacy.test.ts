import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../config/ConfigError';
import { SnapshotService } from '../snapshots/SnapshotService';
import {
  RecordedS3Request,
  S3rverHarness,
  startS3rver,
} from '../testing/s3rverHarness';
import { useTempDir } from '../testing/tempDir';
import { testConfig } from '../testing/testConfig';

/** Requests that create an object: PutObject, or the start of a multipart upload. */
const creations = (requests: RecordedS3Request[]) =>
  requests.filter(
    r =>
      (r.method === 'PUT' &&
        !r.query.includes('partNumber') &&
        r.path.includes('/snapshots/')) ||
      (r.method === 'POST' && r.query.includes('uploads')),
  );

/**
 * Plays whoever can list a bucket's objects from the internet: no object the agent writes may
 * carry a public (or any) ACL grant, and server-side encryption is requested when configured.
 */
describe('S3 tier: private objects, server-side encryption', () => {
  const tempDir = useTempDir();
  let s3: S3rverHarness;

  beforeAll(async () => {
    s3 = await startS3rver('backups');
  });
  afterAll(async () => {
    await s3.close();
  });
  beforeEach(() => {
    process.env.SAFEKEEP_TEST_S3_KEY = 'S3RVER';
    process.env.SAFEKEEP_TEST_S3_SECRET = 'S3RVER';
    s3.requests.length = 0;
  });

  function serviceWith(dir: string, s3Extra: Record<string, unknown>) {
    const files = path.join(dir, 'files');
    fs.mkdirSync(files, { recursive: true });
    // Over one 5 MiB part, so the multipart path is taken too.
    fs.writeFileSync(path.join(files, 'big.bin'), randomBytes(6 * 1024 * 1024));
    return new SnapshotService(
      testConfig(
        dir,
        {
          files: {
            engine: 'directory',
            path: './files',
            compression: 'none',
            tiers: ['offsite'],
          },
        },
        {
          offsite: {
            type: 's3',
            bucket: s3.bucket,
            prefix: 'snapshots',
            endpoint: s3.endpoint,
            forcePathStyle: true,
            accessKeyId: { env: 'SAFEKEEP_TEST_S3_KEY' },
            secretAccessKey: { env: 'SAFEKEEP_TEST_S3_SECRET' },
            partSizeMiB: 5,
            ...s3Extra,
          },
        },
      ),
    );
  }

  it.each([
    // The multipart upload, README.md and MANIFEST.json at least.
    ['whole', (r: { method: string }) => r.method === 'POST'],
    // Packs, the chunk index, locks, README.md and MANIFEST.json.
    [
      'chunked',
      (r: { path: string }) => r.path.includes('/.chunks/plain/packs/'),
    ],
  ] as const)(
    'asks for SSE on every object it creates when serverSideEncryption is set, and never sends an ACL (%s format)',
    async (format, expectedWrite) => {
      const service = serviceWith(tempDir(), {
        serverSideEncryption: 'AES256',
        format,
      });
      await service.backup('files');
      const created = creations(s3.requests);
      expect(created.length).toBeGreaterThanOrEqual(3);
      expect(created.some(expectedWrite)).toBe(true);
      for (const request of created) {
        expect({
          path: request.path,
          sse: request.amzHeaders['x-amz-server-side-encryption'],
        }).toEqual({ path: request.path, sse: 'AES256' });
      }
      const grants = s3.requests.flatMap(r =>
        Object.keys(r.amzHeaders).filter(
          h => h === 'x-amz-acl' || h.startsWith('x-amz-grant-'),
        ),
      );
      expect(grants).toEqual([]);
    },
  );

  it('sends no encryption header and no ACL by default (the bucket decides)', async () => {
    const service = serviceWith(tempDir(), {});
    await service.backup('files');
    const headers = s3.requests.flatMap(r => Object.keys(r.amzHeaders));
    expect(headers.filter(h => h.includes('server-side-encryption'))).toEqual(
      [],
    );
    expect(
      headers.filter(h => h === 'x-amz-acl' || h.startsWith('x-amz-grant-')),
    ).toEqual([]);
  });

  it('refuses a KMS key id without aws:kms, saying what to set', () => {
    expect(() =>
      serviceWith(tempDir(), {
        serverSideEncryption: 'AES256',
        kmsKeyId: 'arn:aws:kms:eu-west-1:111122223333:key/abc',
      }),
    ).toThrow(ConfigError);
    expect(() =>
      serviceWith(tempDir(), {
        serverSideEncryption: 'AES256',
        kmsKeyId: 'arn:aws:kms:eu-west-1:111122223333:key/abc',
      }),
    ).toThrow(/kmsKeyId.*serverSideEncryption: aws:kms/);
  });
});
