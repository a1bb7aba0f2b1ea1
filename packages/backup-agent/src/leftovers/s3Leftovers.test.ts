import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {
  CreateMultipartUploadCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { SnapshotService } from '../snapshots/SnapshotService';
import { formatSnapshotId } from '../storage/snapshotId';
import { S3rverHarness, startS3rver } from '../testing/s3rverHarness';
import { useTempDir } from '../testing/tempDir';
import { testConfig } from '../testing/testConfig';
import { cleanLeftovers, describeCleanup } from './cleanLeftovers';

jest.setTimeout(60_000);

/**
 * What a killed agent leaves on an S3 tier (multipart uploads never completed, prefixes without
 * a manifest), crafted with the SDK the way a killed writer leaves them, then the start's
 * cleanup: only the agent's own keys, never a live writer's, another machine's or an unmarked
 * one only after prune's hour.
 */
describe('leftovers on an S3 tier, cleaned at start', () => {
  const tempDir = useTempDir('safekeep-s3-leftovers-');
  let s3: S3rverHarness;
  const bootId = fs
    .readFileSync('/proc/sys/kernel/random/boot_id', 'utf8')
    .trim();

  beforeAll(async () => {
    // Two open uploads a page: the agent's listing must follow S3's markers.
    s3 = await startS3rver('leftovers', {}, 2);
    process.env.SAFEKEEP_TEST_S3_KEY = 'S3RVER';
    process.env.SAFEKEEP_TEST_S3_SECRET = 'S3RVER';
  });
  afterAll(async () => {
    await s3.close();
  });

  function setUp() {
    const dir = tempDir();
    const prefix = path.basename(dir);
    fs.mkdirSync(path.join(dir, 'files'));
    fs.writeFileSync(path.join(dir, 'files', 'a.txt'), 'hello');
    const config = testConfig(
      dir,
      { files: { engine: 'directory', path: './files', tiers: ['offsite'] } },
      {
        offsite: {
          type: 's3',
          bucket: s3.bucket,
          prefix,
          endpoint: s3.endpoint,
          forcePathStyle: true,
          accessKeyId: { env: 'SAFEKEEP_TEST_S3_KEY' },
          secretAccessKey: { env: 'SAFEKEEP_TEST_S3_SECRET' },
          format: 'whole',
        },
      },
    );
    return { config, prefix, service: new SnapshotService(config) };
  }

  const put = (key: string, body: string) =>
    s3.client.send(
      new PutObjectCommand({ Bucket: s3.bucket, Key: key, Body: body }),
    );
  /** A multipart upload begun, one part sent, never completed: a writer killed mid-artifact. */
  const openUpload = async (key: string) => {
    const { UploadId } = await s3.client.send(
      new CreateMultipartUploadCommand({ Bucket: s3.bucket, Key: key }),
    );
    await s3.client.send(
      new UploadPartCommand({
        Bucket: s3.bucket,
        Key: key,
        UploadId,
        PartNumber: 1,
        Body: 'x'.repeat(4096),
      }),
    );
  };
  /** Every open upload's key, page after page. */
  const openKeys = async () => {
    const keys: string[] = [];
    let KeyMarker: string | undefined;
    let UploadIdMarker: string | undefined;
    do {
      const page = await s3.client.send(
        new ListMultipartUploadsCommand({
          Bucket: s3.bucket,
          KeyMarker,
          UploadIdMarker,
        }),
      );
      keys.push(...(page.Uploads ?? []).map(u => u.Key!));
      KeyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
      UploadIdMarker = page.IsTruncated ? page.NextUploadIdMarker : undefined;
    } while (KeyMarker);
    return keys.sort();
  };
  const keysUnder = async (prefix: string) =>
    (
      (
        await s3.client.send(
          new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: prefix }),
        )
      ).Contents ?? []
    )
      .map(o => o.Key!)
      .sort();
  const mark = (pid: number, pidStart: string | undefined, host: string) =>
    JSON.stringify({
      host,
      bootId,
      pid,
      pidStart,
      startedAt: new Date(Date.now() - 60_000).toISOString(),
    });

  it('aborts the uploads and removes the prefixes of ended writers, keeps live and young ones, touches nothing else', async () => {
    const { config, prefix, service } = setUp();
    const now = new Date();
    const idAt = (msAgo: number) =>
      formatSnapshotId(new Date(now.getTime() - msAgo));
    // A complete snapshot written by the agent, then a stray upload left open under it.
    await service.backup('files');
    const [complete] = await service.list('files', 'offsite');
    const other = spawn('sleep', ['120']);
    try {
      const otherStart = fs
        .readFileSync(`/proc/${other.pid}/stat`, 'utf8')
        .split(') ')[1]
        .split(' ')[19];
      const host = os.hostname();
      const at = (id: string, name: string) => `${prefix}/files/${id}/${name}`;
      const ended = idAt(5_000);
      const live = idAt(6_000);
      const elsewhere = idAt(7_000);
      const unmarkedYoung = idAt(8_000);
      const unmarkedOld = idAt(2 * 3600_000);
      const reusedPid = idAt(9_000);

      await put(
        at(ended, '.safekeep-writer.json'),
        mark(2 ** 22 + 17, '1', host),
      );
      await put(at(ended, 'first.tar.zst'), 'y'.repeat(1000));
      await openUpload(at(ended, 'second.tar.zst'));
      // The same pid as a running process, started at another time: ended too.
      await put(
        at(reusedPid, '.safekeep-writer.json'),
        mark(other.pid!, `${otherStart}9`, host),
      );
      await openUpload(at(reusedPid, 'files.tar.zst'));
      await put(
        at(live, '.safekeep-writer.json'),
        mark(other.pid!, otherStart, host),
      );
      await openUpload(at(live, 'files.tar.zst'));
      await put(
        at(elsewhere, '.safekeep-writer.json'),
        mark(4242, '1', 'another-host'),
      );
      await openUpload(at(elsewhere, 'files.tar.zst'));
      // An older agent's (no mark), killed on its first artifact: only the upload exists.
      await openUpload(at(unmarkedYoung, 'files.tar.zst'));
      await openUpload(at(unmarkedOld, 'files.tar.zst'));
      await openUpload(at(complete.id, 'stray.tar.zst'));
      // Not the agent's: another target (another agent's), not a snapshot id, another prefix.
      const foreign = [
        `${prefix}/someone-else/${ended}/files.tar.zst`,
        `${prefix}/files/not-an-id/files.tar.zst`,
        `${prefix}-other/files/${ended}/files.tar.zst`,
        `${prefix}/files/${ended}`,
      ];
      for (const key of foreign) await openUpload(key);
      await put(
        `${prefix}/someone-else/${ended}/.safekeep-writer.json`,
        mark(2 ** 22 + 17, '1', host),
      );

      const cleanup = await cleanLeftovers(
        config,
        tier => service.storage(tier),
        now,
      );

      expect(cleanup.snapshots.removed.sort()).toEqual(
        [ended, reusedPid, unmarkedOld].map(id => `offsite/files/${id}`).sort(),
      );
      expect(cleanup.snapshots.bytes).toBe(
        1000 +
          mark(2 ** 22 + 17, '1', host).length +
          mark(other.pid!, `${otherStart}9`, host).length,
      );
      expect(cleanup.uploads.aborted.sort()).toEqual(
        [
          `offsite/files/${ended}/second.tar.zst`,
          `offsite/files/${reusedPid}/files.tar.zst`,
          `offsite/files/${unmarkedOld}/files.tar.zst`,
          `offsite/files/${complete.id}/stray.tar.zst`,
        ].sort(),
      );
      expect(await openKeys()).toEqual(
        [
          at(live, 'files.tar.zst'),
          at(elsewhere, 'files.tar.zst'),
          at(unmarkedYoung, 'files.tar.zst'),
          ...foreign,
        ].sort(),
      );
      for (const id of [ended, reusedPid, unmarkedOld])
        expect(await keysUnder(`${prefix}/files/${id}/`)).toEqual([]);
      expect(cleanup.kept.map(k => k.snapshot).sort()).toEqual(
        [live, elsewhere, unmarkedYoung]
          .map(id => `offsite/files/${id}`)
          .sort(),
      );
      const line = describeCleanup(cleanup)!;
      expect(line).toContain('4 open multipart upload(s) aborted');
      expect(line).toContain(
        `being written by the running process ${other.pid}`,
      );
      expect(line).toContain(
        'being written on another-host, younger than an hour',
      );
      expect(line).toContain('no writer mark and younger than an hour');
      // The complete snapshot is untouched and still verifies.
      expect((await service.list('files', 'offsite')).map(s => s.id)).toContain(
        complete.id,
      );
      expect((await service.verify('files', complete.id, 'offsite')).ok).toBe(
        true,
      );
      // The other agent's target, with an ended writer, is not this agent's to clean.
      expect(await keysUnder(`${prefix}/someone-else/`)).toEqual([
        `${prefix}/someone-else/${ended}/.safekeep-writer.json`,
      ]);
    } finally {
      other.kill();
    }
  });

  it('a snapshot prefix holds the writer mark while it is written, and none once complete', async () => {
    const { prefix, service } = setUp();
    const seen: string[][] = [];
    const storage = service.storage('offsite');
    const putArtifact = storage.putArtifact.bind(storage);
    storage.putArtifact = async (ref, name, body) => {
      seen.push(await keysUnder(`${prefix}/files/${ref.id}/`));
      return putArtifact(ref, name, body);
    };
    await service.backup('files');
    const [snapshot] = await service.list('files', 'offsite');
    expect(seen[0]).toEqual([
      `${prefix}/files/${snapshot.id}/.safekeep-writer.json`,
    ]);
    expect(await keysUnder(`${prefix}/files/${snapshot.id}/`)).not.toContain(
      `${prefix}/files/${snapshot.id}/.safekeep-writer.json`,
    );
  });

  it('deleting a snapshot (prune, a failed backup) aborts the uploads left open under it', async () => {
    const { prefix, service } = setUp();
    const id = formatSnapshotId(new Date(Date.now() - 2 * 3600_000));
    await put(`${prefix}/files/${id}/first.tar.zst`, 'y');
    await openUpload(`${prefix}/files/${id}/second.tar.zst`);
    await service.storage('offsite').deleteSnapshot({ target: 'files', id });
    expect(await openKeys()).not.toContain(
      `${prefix}/files/${id}/second.tar.zst`,
    );
    expect(await keysUnder(`${prefix}/files/${id}/`)).toEqual([]);
  });

  it('a tier that never answers (packets dropped) holds the start for the budget only', async () => {
    // Accepts connections and never says a word, as an endpoint behind a dropping firewall.
    const sockets = new Set<net.Socket>();
    const silent = net.createServer(socket => {
      sockets.add(socket);
      socket.on('error', () => undefined);
    });
    await new Promise<void>(resolve => silent.listen(0, '127.0.0.1', resolve));
    try {
      const dir = tempDir();
      fs.mkdirSync(path.join(dir, 'files'));
      const config = testConfig(
        dir,
        { files: { engine: 'directory', path: './files', tiers: ['offsite'] } },
        {
          offsite: {
            type: 's3',
            bucket: 'nowhere',
            endpoint: `http://127.0.0.1:${
              (silent.address() as AddressInfo).port
            }`,
            forcePathStyle: true,
            accessKeyId: { env: 'SAFEKEEP_TEST_S3_KEY' },
            secretAccessKey: { env: 'SAFEKEEP_TEST_S3_SECRET' },
          },
        },
      );
      const service = new SnapshotService(config);
      const started = Date.now();
      const cleanup = await cleanLeftovers(
        config,
        tier => service.storage(tier),
        new Date(),
        { s3BudgetMs: 500 },
      );
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(cleanup.kept).toEqual([
        {
          snapshot: 'offsite',
          reason: expect.stringContaining('no answer within 0.5 s'),
        },
      ]);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise(resolve => silent.close(resolve));
    }
  }, 15_000);
});
