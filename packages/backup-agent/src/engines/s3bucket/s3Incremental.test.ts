import {
  artifactStoredBytes,
  SnapshotManifest,
} from '@safekeep/plugin-backups-common';
import { createHash, randomBytes } from 'node:crypto';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  ListObjectsV2Command,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { SnapshotService } from '../../snapshots/SnapshotService';
import { S3rverHarness, startS3rver } from '../../testing/s3rverHarness';
import { useTempDir } from '../../testing/tempDir';
import { testConfig } from '../../testing/testConfig';

jest.setTimeout(120_000);

const SOURCE = 'incremental-source';

/**
 * Incremental S3 bucket backups through the snapshot service: the core hands the engine the
 * previous snapshot, records depends_on, keeps dependencies on prune and carries them to other
 * tiers, and opens them at restore.
 */
describe('s3 engine, incremental through the snapshot service', () => {
  const tempDir = useTempDir();
  let s3: S3rverHarness;

  beforeAll(async () => {
    s3 = await startS3rver('incremental-snapshots');
    process.env.SKT_S3_KEY = 'S3RVER';
    process.env.SKT_S3_SECRET = 'S3RVER';
    await s3.client.send(new CreateBucketCommand({ Bucket: SOURCE }));
  });

  afterAll(async () => {
    await s3.close();
  });

  const credentials = {
    accessKeyId: { env: 'SKT_S3_KEY' },
    secretAccessKey: { env: 'SKT_S3_SECRET' },
  };
  const put = (key: string, body: string | Buffer) =>
    s3.client.send(
      new PutObjectCommand({ Bucket: SOURCE, Key: key, Body: body }),
    );

  /** key -> sha256 of every object in a bucket. */
  async function contents(bucket: string): Promise<Record<string, string>> {
    const seen: Record<string, string> = {};
    const page = await s3.client.send(
      new ListObjectsV2Command({ Bucket: bucket }),
    );
    for (const { Key } of page.Contents ?? []) {
      const got = await s3.client.send(
        new GetObjectCommand({ Bucket: bucket, Key }),
      );
      seen[Key!] = createHash('sha256')
        .update(Buffer.from(await got.Body!.transformToByteArray()))
        .digest('hex');
    }
    return seen;
  }

  it('stores only changed objects, keeps and copies what later snapshots need, and restores after pruning', async () => {
    await put('a.txt', 'first version');
    await put('big.bin', randomBytes(2 * 1024 * 1024));
    await put('c.txt', 'unchanged');

    let clock = new Date('2026-03-01T04:00:00Z');
    const nextDay = () =>
      (clock = new Date(clock.getTime() + 24 * 3600 * 1000));
    const service = new SnapshotService(
      testConfig(
        tempDir(),
        {
          files: {
            engine: 's3',
            endpoint: s3.endpoint,
            forcePathStyle: true,
            bucket: SOURCE,
            ...credentials,
          },
        },
        {
          local: { type: 'filesystem', path: './snapshots' },
          offsite: {
            type: 's3',
            bucket: 'incremental-snapshots',
            endpoint: s3.endpoint,
            forcePathStyle: true,
            ...credentials,
          },
        },
      ),
      { now: () => clock },
    );
    // Bytes a restore reads for the archive: its chunks too when the tier is chunked.
    const storedBytes = (manifest: SnapshotManifest) =>
      artifactStoredBytes(
        manifest.artifacts.find(a => a.name.startsWith('objects.tar'))!,
      );

    const first = await service.backup('files');
    expect(first.failedTiers).toEqual([]);
    expect(first.manifest.details).toMatchObject({
      objects: 3,
      copied_objects: 3,
    });
    expect(first.manifest.depends_on).toBeUndefined();
    const id1 = first.snapshots[0].id;

    nextDay();
    await put('a.txt', 'second version');
    await put('d.txt', 'added');
    const second = await service.backup('files');
    const id2 = second.snapshots[0].id;
    expect(second.manifest.details).toMatchObject({
      objects: 4,
      copied_objects: 2,
    });
    expect(second.manifest.depends_on).toEqual([id1]);
    // The 2 MiB object is not stored again.
    expect(storedBytes(second.manifest)).toBeLessThan(64 * 1024);
    expect(storedBytes(first.manifest)).toBeGreaterThan(2 * 1024 * 1024);
    expect(second.snapshots.map(s => s.tier)).toEqual(['local', 'offsite']);

    // Keep the last one only: the first stays, because the second needs it.
    const dry = await service.prune('files', {
      retention: { keepLast: 1 },
      dryRun: true,
    });
    for (const tier of dry.tiers) {
      expect(tier.kept).toEqual([
        { id: id2, reasons: ['last'] },
        { id: id1, reasons: [`needed by ${id2}`] },
      ]);
      expect(tier.pruned).toEqual([]);
    }

    // The offsite copy of the first snapshot is lost (a failed copy, a hand-made deletion).
    await service
      .storage('offsite')
      .deleteSnapshot({ target: 'files', id: id1 });
    await expect(
      service.restore('files', id2, {
        tier: 'offsite',
        destination: 'never-created',
      }),
    ).rejects.toMatchObject({
      reason: 'dependency',
      message: expect.stringContaining(
        `keeps part of its content in snapshot ${id1}, which is not there in tier offsite; nothing was changed`,
      ),
    });
    await expect(
      s3.client.send(new HeadBucketCommand({ Bucket: 'never-created' })),
    ).rejects.toMatchObject({ name: 'NotFound' });
    const verified = await service.verify('files', id2);
    expect(verified.tiers.map(t => [t.tier, t.ok])).toEqual([
      ['local', true],
      ['offsite', false],
    ]);

    nextDay();
    await put('a.txt', 'third version');
    await s3.client.send(
      new DeleteObjectCommand({ Bucket: SOURCE, Key: 'd.txt' }),
    );
    const expected = await contents(SOURCE);
    const third = await service.backup('files');
    const id3 = third.snapshots[0].id;
    expect(third.failedTiers).toEqual([]);
    // Unchanged objects point at the snapshot that really holds them; nothing of the second is used.
    expect(third.manifest.depends_on).toEqual([id1]);
    // The copy to offsite brought the first snapshot back along.
    expect(
      (await service.list('files', 'offsite')).map(s => s.id).sort(),
    ).toEqual([id1, id2, id3]);

    const pruned = await service.prune('files', { retention: { keepLast: 1 } });
    for (const tier of pruned.tiers) {
      expect(tier.kept).toEqual([
        { id: id3, reasons: ['last'] },
        { id: id1, reasons: [`needed by ${id3}`] },
      ]);
      expect(tier.pruned).toEqual([id2]);
    }

    for (const tier of ['local', 'offsite']) {
      const bucket = `restored-from-${tier}`;
      const result = await service.restore('files', id3, {
        tier,
        destination: bucket,
      });
      expect(result.differences).toEqual([]);
      expect(await contents(bucket)).toEqual(expected);
    }
  });
});
