import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ListMultipartUploadsCommand } from '@aws-sdk/client-s3';
import { SnapshotService } from '../snapshots/SnapshotService';
import {
  RecordedS3Request,
  S3Fault,
  S3FaultInjector,
  S3rverHarness,
  startS3rver,
} from '../testing/s3rverHarness';
import { listFiles, useTempDir } from '../testing/tempDir';
import { testConfig } from '../testing/testConfig';

const MiB = 1024 * 1024;
// A part that fails for good is tried four times over about 5 s before the backup gives up.
jest.setTimeout(60_000);
const isPart = (r: RecordedS3Request) =>
  r.method === 'PUT' && r.query.includes('partNumber');
/** A pack of the chunked format: one PutObject with a buffered body (the SDK's own retries). */
const isPack = (r: RecordedS3Request) =>
  r.method === 'PUT' && r.path.includes('/.chunks/plain/packs/');
const isManifest = (r: RecordedS3Request) =>
  r.method === 'PUT' && r.path.endsWith('/MANIFEST.json');

function digest(root: string): string {
  const hash = createHash('sha256');
  for (const file of listFiles(root))
    hash.update(file).update(fs.readFileSync(path.join(root, file)));
  return hash.digest('hex');
}

/**
 * Plays an S3 service having a bad minute (AWS answers 503 SlowDown and 500 InternalError, load
 * balancers reset connections) while the agent uploads a snapshot of three 5 MiB parts. After
 * each: either a complete snapshot that verifies and restores exactly, or a failed backup that
 * lists nothing, leaves no multipart upload open (stored and billed for nothing) and no part
 * files in staging.
 */
describe('S3 tier under faults (s3rver answering 500/503 or resetting connections)', () => {
  const tempDir = useTempDir();
  const faults: { inject?: S3FaultInjector } = {};
  let s3: S3rverHarness;

  beforeAll(async () => {
    s3 = await startS3rver('faulty', faults);
  });
  afterAll(async () => {
    await s3.close();
  });
  beforeEach(() => {
    process.env.SAFEKEEP_TEST_S3_KEY = 'S3RVER';
    process.env.SAFEKEEP_TEST_S3_SECRET = 'S3RVER';
  });
  afterEach(() => {
    faults.inject = undefined;
  });

  function setUp(format: 'whole' | 'chunked' = 'whole') {
    const dir = tempDir();
    const files = path.join(dir, 'files');
    fs.mkdirSync(files, { recursive: true });
    fs.writeFileSync(path.join(files, 'big.bin'), randomBytes(12 * MiB));
    fs.writeFileSync(path.join(files, 'note.txt'), 'hello');
    const service = new SnapshotService(
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
            // One prefix per test: each starts from an empty tier.
            prefix: path.basename(dir),
            endpoint: s3.endpoint,
            forcePathStyle: true,
            accessKeyId: { env: 'SAFEKEEP_TEST_S3_KEY' },
            secretAccessKey: { env: 'SAFEKEEP_TEST_S3_SECRET' },
            partSizeMiB: 5,
            format,
          },
        },
      ),
    );
    return { service, files, staging: path.join(dir, 'staging') };
  }

  /** `fault` for the first `times` requests `pick` matches; counts what it injected. */
  function inject(
    pick: (r: RecordedS3Request) => boolean,
    fault: S3Fault,
    times = 1,
  ) {
    const injected = { count: 0 };
    faults.inject = r => {
      if (injected.count >= times || !pick(r)) return undefined;
      injected.count++;
      return fault;
    };
    return injected;
  }

  const openUploads = async () =>
    (
      await s3.client.send(
        new ListMultipartUploadsCommand({ Bucket: s3.bucket }),
      )
    ).Uploads ?? [];
  const leftInStaging = (staging: string) =>
    listFiles(staging).filter(f => !path.basename(f).startsWith('.'));

  // Whole files go up as multipart parts from a spool file; chunked snapshots as packs.
  describe.each([
    ['whole', 'part', isPart],
    ['chunked', 'pack', isPack],
  ] as const)('%s format', (format, what, pick) => {
    it.each<[string, S3Fault]>([
      ['a 503 SlowDown', { status: 503 }],
      ['a 500 InternalError', { status: 500 }],
      ['a connection reset', 'reset'],
    ])(
      `%s on one ${what} is retried: the snapshot is complete, verifies and restores exactly`,
      async (_name, fault) => {
        const { service, files, staging } = setUp(format);
        const before = digest(files);
        const injected = inject(pick, fault);
        await service.backup('files');
        expect(injected.count).toBe(1);

        const [snapshot, ...more] = await service.list('files', 'offsite');
        expect(more).toEqual([]);
        expect((await service.verify('files', snapshot.id, 'offsite')).ok).toBe(
          true,
        );
        fs.rmSync(files, { recursive: true });
        await service.restore('files', snapshot.id, { tier: 'offsite' });
        expect(digest(files)).toBe(before);
        expect(await openUploads()).toEqual([]);
        expect(leftInStaging(staging)).toEqual([]);
      },
    );

    it.each<[string, S3Fault]>([
      ['503 SlowDown', { status: 503 }],
      ['a connection reset', 'reset'],
    ])(
      `a ${what} that gets %s on every attempt fails the backup, leaves no multipart upload open and lists nothing`,
      async (_name, fault) => {
        const { service, staging } = setUp(format);
        const injected = inject(pick, fault, Infinity);
        await expect(service.backup('files')).rejects.toThrow();
        expect(injected.count).toBeGreaterThan(1); // retried before giving up
        expect(await service.list('files', 'offsite')).toEqual([]);
        expect(await openUploads()).toEqual([]);
        expect(leftInStaging(staging)).toEqual([]);
      },
    );
  });

  it('a manifest that cannot be written leaves no complete snapshot; the next backup is complete', async () => {
    const { service, files } = setUp();
    inject(isManifest, 'reset', Infinity);
    await expect(service.backup('files')).rejects.toThrow();
    expect(await service.list('files', 'offsite')).toEqual([]);

    faults.inject = undefined;
    await service.backup('files');
    const [snapshot, ...more] = await service.list('files', 'offsite');
    expect(more).toEqual([]);
    expect((await service.verify('files', snapshot.id, 'offsite')).ok).toBe(
      true,
    );
    const before = digest(files);
    fs.rmSync(files, { recursive: true });
    await service.restore('files', snapshot.id, { tier: 'offsite' });
    expect(digest(files)).toBe(before);
  });
});
