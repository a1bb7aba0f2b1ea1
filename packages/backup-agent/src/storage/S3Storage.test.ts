import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
} from '@aws-sdk/client-s3';
import Database from 'better-sqlite3';
import { registerEngineDriver } from '../engines/registry';
import { SnapshotService } from '../snapshots/SnapshotService';
import { flakyDriver } from '../testing/flakyDriver';
import { S3rverHarness, startS3rver } from '../testing/s3rverHarness';
import { useTempDir } from '../testing/tempDir';
import { testConfig } from '../testing/testConfig';

describe('S3 storage (against s3rver)', () => {
  const tempDir = useTempDir();
  let s3: S3rverHarness;
  let unregister: () => void;

  beforeAll(async () => {
    s3 = await startS3rver('backups');
    unregister = registerEngineDriver(flakyDriver);
  });
  afterAll(async () => {
    unregister();
    await s3.close();
  });
  beforeEach(() => {
    process.env.SAFEKEEP_TEST_S3_KEY = 'S3RVER';
    process.env.SAFEKEEP_TEST_S3_SECRET = 'S3RVER';
  });

  function offsite(prefix: string) {
    return {
      type: 's3',
      bucket: s3.bucket,
      prefix,
      endpoint: s3.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      accessKeyId: { env: 'SAFEKEEP_TEST_S3_KEY' },
      secretAccessKey: { env: 'SAFEKEEP_TEST_S3_SECRET' },
      partSizeMiB: 5,
      // Whole files: these tests look at objects and multipart uploads (chunks: src/chunks).
      format: 'whole',
    };
  }

  async function keysUnder(prefix: string): Promise<string[]> {
    const page = await s3.client.send(
      new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: prefix }),
    );
    return (page.Contents ?? []).map(o => o.Key!).sort();
  }

  it('copies each backup from the local tier to S3 and restores from the S3 copy', async () => {
    const dir = tempDir();
    const dbFile = path.join(dir, 'app.db');
    const db = new Database(dbFile);
    db.exec(
      `CREATE TABLE t (v TEXT); INSERT INTO t SELECT hex(randomblob(64)) FROM (WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x < 20000) SELECT x FROM c);`,
    );
    db.close();
    const service = new SnapshotService(
      testConfig(
        dir,
        {
          app: {
            engine: 'sqlite',
            path: './app.db',
            tiers: ['local', 'offsite'],
          },
        },
        {
          local: { type: 'filesystem', path: './snapshots', format: 'whole' },
          offsite: offsite('safekeep/copy-test'),
        },
      ),
    );

    const result = await service.backup('app');
    expect(result.failedTiers).toEqual([]);
    const [local, remote] = result.snapshots;
    expect(remote).toMatchObject({
      tier: 'offsite',
      id: local.id,
      sha256: local.sha256,
      bytes: local.bytes,
    });
    expect(remote.location).toBe(
      `s3://backups/safekeep/copy-test/app/${local.id}/`,
    );
    expect(await keysUnder('safekeep/copy-test/')).toEqual(
      ['MANIFEST.json', 'README.md', 'app.db.zst'].map(
        n => `safekeep/copy-test/app/${local.id}/${n}`,
      ),
    );
    const object = await s3.client.send(
      new GetObjectCommand({
        Bucket: s3.bucket,
        Key: `safekeep/copy-test/app/${local.id}/app.db.zst`,
      }),
    );
    const stored = Buffer.from(await object.Body!.transformToByteArray());
    expect(createHash('sha256').update(stored).digest('hex')).toBe(
      local.sha256,
    );

    expect((await service.list('app', 'offsite')).map(s => s.id)).toEqual([
      local.id,
    ]);
    expect(await service.verify('app', local.id)).toMatchObject({
      ok: true,
      tiers: [{ tier: 'local' }, { tier: 'offsite' }],
    });

    fs.rmSync(path.join(dir, 'snapshots'), { recursive: true });
    fs.rmSync(dbFile);
    const restored = await service.restore('app', local.id, {
      tier: 'offsite',
    });
    expect(restored).toMatchObject({
      tier: 'offsite',
      differences: [],
      observed: { tables: { t: 20000 } },
    });
  });

  it('aborts the multipart upload when the source fails halfway: no object, no open upload', async () => {
    const dir = tempDir();
    const service = new SnapshotService(
      testConfig(
        dir,
        // Incompressible data larger than two 5 MiB parts, so parts were uploaded before the failure.
        {
          db: {
            engine: 'flaky',
            mode: 'stream-error',
            bytes: 12 * 1024 * 1024,
            compression: 'none',
          },
        },
        { offsite: offsite('safekeep/fail-test') },
      ),
    );
    await expect(service.backup('db')).rejects.toThrow(
      /connection to the database lost mid-dump/,
    );
    const uploads = await s3.client.send(
      new ListMultipartUploadsCommand({ Bucket: s3.bucket }),
    );
    expect(uploads.Uploads ?? []).toEqual([]);
    expect(await keysUnder('safekeep/fail-test/')).toEqual([]);
    expect(await service.list('db')).toEqual([]);
  }, 30_000);

  it('lists a snapshot only once its manifest is there', async () => {
    const dir = tempDir();
    const db = new Database(path.join(dir, 'app.db'));
    db.exec('CREATE TABLE t (v); INSERT INTO t VALUES (1);');
    db.close();
    const service = new SnapshotService(
      testConfig(
        dir,
        { app: { engine: 'sqlite', path: './app.db' } },
        { offsite: offsite('listing') },
      ),
    );
    const { snapshots } = await service.backup('app');
    expect((await service.list('app')).map(s => s.id)).toEqual([
      snapshots[0].id,
    ]);
    await s3.client.send(
      new DeleteObjectCommand({
        Bucket: s3.bucket,
        Key: `listing/app/${snapshots[0].id}/MANIFEST.json`,
      }),
    );
    expect(await service.list('app')).toEqual([]);
  });
});
