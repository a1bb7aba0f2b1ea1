import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { parseConfig } from '../../config/loadConfig';
import { SnapshotService } from '../../snapshots/SnapshotService';
import { RestoreRefusedError } from '../../snapshots/errors';
import { S3rverHarness, startS3rver } from '../../testing/s3rverHarness';
import { useTempDir } from '../../testing/tempDir';
import { testConfig } from '../../testing/testConfig';
import { craftSnapshot } from '../../testing/craftSnapshot';
import type { IncrementalEngineContext } from './incremental';
import { INDEX_FORMAT, readObjectIndex } from './objectIndex';
import { s3BucketDriver } from './S3BucketDriver';
import type { S3BucketSettings } from './s3BucketSettings';
import {
  blobEntryName,
  readBlobEntries,
  TAR_END,
  tarHeader,
  tarPadding,
} from './tarBlobs';

jest.setTimeout(60_000);

const SOURCE = 'source-data';

interface SeenObject {
  sha256: string;
  size: number;
  contentType?: string;
  metadata: Record<string, string>;
}

/** Every object below a prefix, read back byte by byte, keyed relative to the prefix. */
async function readBucket(
  client: S3Client,
  bucket: string,
  prefix = '',
): Promise<Record<string, SeenObject>> {
  const seen: Record<string, SeenObject> = {};
  const page = await client.send(
    new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix || undefined }),
  );
  for (const { Key } of page.Contents ?? []) {
    const got = await client.send(
      new GetObjectCommand({ Bucket: bucket, Key }),
    );
    const bytes = Buffer.from(await got.Body!.transformToByteArray());
    seen[Key!.slice(prefix.length)] = {
      sha256: createHash('sha256').update(bytes).digest('hex'),
      size: bytes.length,
      contentType: got.ContentType,
      metadata: got.Metadata ?? {},
    };
  }
  return seen;
}

async function put(
  client: S3Client,
  key: string,
  body: Buffer | string,
  extra: { ContentType?: string; Metadata?: Record<string, string> } = {},
) {
  await client.send(
    new PutObjectCommand({ Bucket: SOURCE, Key: key, Body: body, ...extra }),
  );
}

describe('s3 engine', () => {
  const tempDir = useTempDir();
  let s3: S3rverHarness;

  beforeAll(async () => {
    s3 = await startS3rver('snapshots-unused');
    process.env.SKT_S3_KEY = 'S3RVER';
    process.env.SKT_S3_SECRET = 'S3RVER';
  });

  afterAll(async () => {
    await s3.close();
  });

  beforeEach(async () => {
    await s3.client
      .send(new CreateBucketCommand({ Bucket: SOURCE }))
      .catch(() => undefined);
    const page = await s3.client.send(
      new ListObjectsV2Command({ Bucket: SOURCE }),
    );
    for (const { Key } of page.Contents ?? [])
      await s3.client.send(new DeleteObjectCommand({ Bucket: SOURCE, Key }));
    await put(s3.client, 'docs/a.txt', 'hello from a', {
      ContentType: 'text/plain; charset=utf-8',
      Metadata: { owner: 'ada' },
    });
    await put(s3.client, 'docs/nested/b.bin', randomBytes(300 * 1024), {
      ContentType: 'application/octet-stream',
    });
    await put(s3.client, 'docs/dup 1.txt', 'same content', {
      ContentType: 'text/plain',
    });
    await put(s3.client, 'docs/dup 2.txt', 'same content', {
      Metadata: { copy: 'second' },
    });
    await put(s3.client, 'docs/empty', Buffer.alloc(0));
    await put(s3.client, 'docs/', Buffer.alloc(0)); // a folder marker, as consoles create them
    await put(s3.client, 'docs/large.bin', randomBytes(6 * 1024 * 1024));
    await put(s3.client, 'other/outside.txt', 'not below the prefix');
  });

  function target(extra: Record<string, unknown> = {}) {
    return {
      engine: 's3',
      endpoint: s3.endpoint,
      forcePathStyle: true,
      bucket: SOURCE,
      prefix: 'docs',
      accessKeyId: { env: 'SKT_S3_KEY' },
      secretAccessKey: { env: 'SKT_S3_SECRET' },
      ...extra,
    };
  }

  it('mirrors a folder of a bucket and restores every byte, content type and metadata, also into another bucket', async () => {
    const service = new SnapshotService(
      testConfig(tempDir(), { files: target() }),
    );
    const original = await readBucket(s3.client, SOURCE, 'docs/');
    expect(Object.keys(original)).toHaveLength(7);

    const { snapshots, manifest } = await service.backup('files');
    const totalBytes = Object.values(original).reduce(
      (sum, o) => sum + o.size,
      0,
    );
    expect(manifest.details).toMatchObject({
      objects: 7,
      bytes: totalBytes,
      copied_objects: 5,
      depends_on: [],
    });
    expect(snapshots[0].artifacts.map(a => a.name)).toEqual([
      'objects.tar.chunks.zst',
      'objects.jsonl.chunks.zst',
    ]);
    const id = snapshots[0].id;

    await expect(service.restore('files', id)).rejects.toThrow(
      RestoreRefusedError,
    );

    const elsewhere = await service.restore('files', id, {
      destination: 'restored-copy',
    });
    expect(elsewhere.differences).toEqual([]);
    expect(await readBucket(s3.client, 'restored-copy', 'docs/')).toEqual(
      original,
    );
    expect(
      Object.keys(await readBucket(s3.client, 'restored-copy')),
    ).not.toContain('other/outside.txt');

    const toFolder = await service.restore('files', id, {
      destination: 'restored-copy/archive/2026',
    });
    expect(toFolder.differences).toEqual([]);
    expect(
      await readBucket(s3.client, 'restored-copy', 'archive/2026/'),
    ).toEqual(original);

    // Changed, removed and added objects: a forced restore brings back exactly the snapshot.
    await put(s3.client, 'docs/a.txt', 'changed');
    await s3.client.send(
      new DeleteObjectCommand({ Bucket: SOURCE, Key: 'docs/nested/b.bin' }),
    );
    await put(s3.client, 'docs/new-after-backup.txt', 'added later');
    await expect(service.restore('files', id)).rejects.toThrow(
      /the destination is not empty: s3:\/\/source-data\/docs\/ at http.* holds objects, e.g. docs\//,
    );
    const forced = await service.restore('files', id, { force: true });
    expect(forced.differences).toEqual([]);
    expect(await readBucket(s3.client, SOURCE, 'docs/')).toEqual(original);
    expect(
      (await readBucket(s3.client, SOURCE, 'other/'))['outside.txt'],
    ).toBeDefined();
  });

  it('explains a missing bucket and a refused key', async () => {
    const service = new SnapshotService(
      testConfig(tempDir(), { files: target({ bucket: 'no-such-bucket' }) }),
    );
    await expect(service.backup('files')).rejects.toThrow(
      /bucket no-such-bucket does not exist at http.*; check targets.files.bucket/,
    );
    expect(() =>
      parseConfig(
        {
          agent: { name: 'a', token: { env: 'X' } },
          storage: { local: { type: 'filesystem', path: '/tmp/x' } },
          targets: { files: target({ secretAccessKey: 'plain-secret' }) },
        },
        { baseDir: '/' },
      ),
    ).toThrow(/targets.files.secretAccessKey: must be a reference to a secret/);
  });

  it('removes what it wrote when a content does not match its index, leaving the destination as it was', async () => {
    const service = new SnapshotService(
      testConfig(tempDir(), { files: target() }),
    );
    const good = Buffer.from('good content');
    const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
    const claimed = sha(Buffer.from('what the index promises'));
    const entry = (name: string, body: Buffer) => [
      tarHeader(name, body.length, new Date()),
      body,
      tarPadding(body.length),
    ];
    const tar = Buffer.concat([
      ...entry(blobEntryName(sha(good)), good),
      ...entry(blobEntryName(claimed), Buffer.from('tampered')),
      TAR_END,
    ]);
    const lines = [
      { type: 'index', format: INDEX_FORMAT, bucket: SOURCE, prefix: 'docs/' },
      {
        type: 'object',
        key: 'first.txt',
        size: good.length,
        sha256: sha(good),
        metadata: {},
      },
      {
        type: 'object',
        key: 'second.txt',
        size: 8,
        sha256: claimed,
        metadata: {},
      },
      { type: 'end', objects: 2, bytes: good.length + 8 },
    ];
    await craftSnapshot({
      service,
      target: 'files',
      engine: 's3',
      id: '20260101T000000Z',
      artifacts: [
        { name: 'objects.tar', stream: Readable.from([tar]) },
        {
          name: 'objects.jsonl',
          stream: Readable.from([lines.map(l => JSON.stringify(l)).join('\n')]),
        },
      ],
    });
    await expect(
      service.restore('files', '20260101T000000Z', {
        destination: 'tampered-target',
      }),
    ).rejects.toThrow(
      /object docs\/second.txt: the snapshot's content has sha256 [0-9a-f]{64} \(8 bytes\), the index says/,
    );
    await expect(
      s3.client.send(new HeadBucketCommand({ Bucket: 'tampered-target' })),
    ).rejects.toMatchObject({ name: 'NotFound' });
  });

  describe('incremental, with the proposed previousSnapshot capability', () => {
    const settings = (): S3BucketSettings => {
      const { engine: _engine, ...fields } = target();
      return s3BucketDriver
        .settingsSchema({ baseDir: '/', resolvePath: p => p })
        .parse(fields) as S3BucketSettings;
    };

    /** Runs a backup straight through the driver, artifacts as plain files in `dir`. */
    async function backupTo(dir: string, context: IncrementalEngineContext) {
      fs.mkdirSync(dir, { recursive: true });
      const backup = await s3BucketDriver.backup(settings(), context);
      try {
        for await (const artifact of backup.artifacts()) {
          await pipeline(
            artifact.stream,
            fs.createWriteStream(path.join(dir, artifact.name)),
          );
        }
        return await backup.details();
      } finally {
        await backup.close();
      }
    }

    async function blobsIn(file: string): Promise<string[]> {
      const shas: string[] = [];
      for await (const entry of readBlobEntries(fs.createReadStream(file)))
        shas.push(entry.sha256);
      return shas;
    }

    it('copies only new and changed contents and restores from both snapshots', async () => {
      const dir = tempDir();
      const base = {
        targetName: 'files',
        stagingDir: path.join(dir, 'staging'),
        log: () => undefined,
        docker: () => {
          throw new Error('this engine does not use Docker');
        },
      };
      const first = path.join(dir, '20260101T000000Z');
      await backupTo(first, base);
      expect(await blobsIn(path.join(first, 'objects.tar'))).toHaveLength(5);

      await put(s3.client, 'docs/a.txt', 'a changed');
      await put(s3.client, 'docs/same-as-empty', Buffer.alloc(0)); // new key, content already stored
      await put(s3.client, 'docs/c.txt', 'brand new', {
        ContentType: 'text/x-new',
      });
      const expected = await readBucket(s3.client, SOURCE, 'docs/');

      const second = path.join(dir, '20260102T000000Z');
      const details = await backupTo(second, {
        ...base,
        previousSnapshot: {
          id: '20260101T000000Z',
          openArtifact: async name =>
            fs.createReadStream(path.join(first, name)),
        },
      });
      expect(details).toMatchObject({
        objects: 9,
        copied_objects: 2,
        depends_on: ['20260101T000000Z'],
      });
      expect((await blobsIn(path.join(second, 'objects.tar'))).sort()).toEqual(
        [expected['a.txt'].sha256, expected['c.txt'].sha256].sort(),
      );
      const index = await readObjectIndex(path.join(second, 'objects.jsonl'));
      expect(
        index.objects.find(o => o.key === 'nested/b.bin')?.blob_snapshot,
      ).toBe('20260101T000000Z');
      expect(
        index.objects.find(o => o.key === 'a.txt')?.blob_snapshot,
      ).toBeUndefined();

      const destination = s3BucketDriver.withDestination(
        settings(),
        'incremental-restore',
        { baseDir: '/', resolvePath: p => p },
      );
      const artifacts = ['objects.jsonl', 'objects.tar'].map(name => ({
        name,
        open: async () =>
          fs.createReadStream(path.join(second, name)) as Readable,
      }));
      await expect(
        s3BucketDriver.restore(destination, artifacts, base),
      ).rejects.toThrow(
        /references contents kept in snapshot\(s\) 20260101T000000Z, and this agent cannot open other snapshots/,
      );
      const withEarlierSnapshots: IncrementalEngineContext = {
        ...base,
        openSnapshotArtifact: async (id, name) =>
          fs.createReadStream(path.join(dir, id, name)),
      };
      await s3BucketDriver.restore(
        destination,
        artifacts,
        withEarlierSnapshots,
      );
      expect(
        await readBucket(s3.client, 'incremental-restore', 'docs/'),
      ).toEqual(expected);
    });
  });
});
