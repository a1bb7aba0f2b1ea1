import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { runCli } from '../cli/runCli';
import { SnapshotService } from '../snapshots/SnapshotService';
import { S3rverHarness, startS3rver } from '../testing/s3rverHarness';
import { listFiles, useTempDir } from '../testing/tempDir';
import { testConfig } from '../testing/testConfig';
import { SHARED_AREA } from '../storage/SnapshotStorage';

/** About 3 MiB of text lines, like a dump: seeded so each test sees the same content. */
function textLines(count: number, seed: string): string[] {
  return Array.from(
    { length: count },
    (_, i) =>
      `${i}\t${createHash('sha256').update(`${seed}${i}`).digest('hex')}\tuser${
        i % 97
      }@example.com\n`,
  );
}

function treeHash(root: string): Record<string, string> {
  return Object.fromEntries(
    listFiles(root).map(f => [
      f,
      createHash('sha256')
        .update(fs.readFileSync(path.join(root, f)))
        .digest('hex'),
    ]),
  );
}

function packsUnder(tierRoot: string): string[] {
  return listFiles(path.join(tierRoot, SHARED_AREA)).filter(f =>
    f.includes('/packs/'),
  );
}

jest.setTimeout(120_000);

describe('chunked snapshots', () => {
  const tempDir = useTempDir();

  function setup(
    storage?: Record<string, Record<string, unknown>>,
    target: Record<string, unknown> = {},
    extra: Record<string, unknown> = {},
  ) {
    const dir = tempDir();
    const root = path.join(dir, 'files');
    fs.mkdirSync(root, { recursive: true });
    const lines = textLines(40000, 'a');
    fs.writeFileSync(path.join(root, 'table.txt'), lines.join(''));
    fs.writeFileSync(path.join(root, 'blob.bin'), randomBytes(300 * 1024));
    const config = testConfig(
      dir,
      { files: { engine: 'directory', path: './files', ...target } },
      storage,
      extra,
    );
    return { dir, root, lines, service: new SnapshotService(config) };
  }

  /** 1% of the lines changed (a run of them), a few appended: a day of a table. */
  function changeSome(root: string, lines: string[], round: number): void {
    for (let i = round * 5000; i < round * 5000 + 400; i++)
      lines[i] = `${i}\tupdated in round ${round}\n`;
    lines.push(...textLines(200, `round ${round}`));
    fs.writeFileSync(path.join(root, 'table.txt'), lines.join(''));
  }

  it('stores a second backup of a slightly changed folder in a fraction of the first, and restores both', async () => {
    const { dir, root, lines, service } = setup();
    const first = await service.backup('files');
    const firstTree = treeHash(root);
    const firstArtifact = first.manifest.artifacts[0];
    expect(first.manifest.manifest_version).toBe(2);
    expect(firstArtifact.name).toBe('files.tar.chunks.zst');
    expect(firstArtifact.chunked).toMatchObject({
      chunker: 'fastcdc-2016-gear32-v1-1k',
      pool: 'plain',
    });
    expect(first.manifest.sizes!.logical_bytes).toBe(firstArtifact.raw_bytes);

    changeSome(root, lines, 1);
    const second = await service.backup('files');
    const secondTree = treeHash(root);
    const sizes = second.manifest.sizes!;
    // The folder is ~3.6 MiB; the change touches 1% of lines spread over it.
    expect(sizes.new_bytes).toBeLessThan(first.manifest.sizes!.new_bytes * 0.5);
    expect(sizes.dedup_ratio).toBeGreaterThan(2);
    expect(second.manifest.artifacts[0].chunked!.new_chunks).toBeLessThan(
      second.manifest.artifacts[0].chunked!.chunks / 2,
    );

    // Only packs and small files: no copy of the stream per snapshot.
    const snapshotFiles = listFiles(path.join(dir, 'snapshots/files'));
    expect(
      snapshotFiles.every(f =>
        /(MANIFEST\.json|README\.md|files\.tar\.chunks\.zst)$/.test(f),
      ),
    ).toBe(true);
    expect(packsUnder(path.join(dir, 'snapshots')).length).toBeGreaterThan(0);

    await service.restore('files', first.snapshots[0].id, { force: true });
    expect(treeHash(root)).toEqual(firstTree);
    await service.restore('files', second.snapshots[0].id, { force: true });
    expect(treeHash(root)).toEqual(secondTree);
    expect((await service.verify('files', first.snapshots[0].id)).ok).toBe(
      true,
    );
  });

  it('writes the raw stream to stdout with `cat --from` as the README says, with no config', async () => {
    const { dir, service } = setup();
    const { manifest, snapshots } = await service.backup('files');
    const folder = path.join(dir, 'snapshots/files', snapshots[0].id);
    const readme = fs.readFileSync(path.join(folder, 'README.md'), 'utf8');
    expect(readme).toContain('safekeep-agent cat --from . files.tar');

    const output = new PassThrough();
    const hash = createHash('sha256');
    output.on('data', data => hash.update(data));
    const stderr: string[] = [];
    const code = await runCli(['cat', '--from', folder, 'files.tar'], {
      stdout: () => undefined,
      stderr: t => stderr.push(t),
      binaryOut: output,
    });
    expect(stderr).toEqual([]);
    expect(code).toBe(0);
    expect(hash.digest('hex')).toBe(
      manifest.artifacts[0].chunked!.stream_sha256,
    );

    fs.rmSync(path.join(dir, 'snapshots', SHARED_AREA), { recursive: true });
    const failed = await runCli(['cat', '--from', folder, 'files.tar'], {
      stdout: () => undefined,
      stderr: t => stderr.push(t),
      binaryOut: new PassThrough().resume(),
    });
    expect(failed).toBe(1);
    expect(stderr.join('')).toMatch(
      /does not exist in storage.*discard the output/,
    );
  });

  it('finds a flipped byte in a pack and a deleted pack, and refuses to restore either', async () => {
    const { dir, root, service } = setup();
    const { snapshots } = await service.backup('files');
    const id = snapshots[0].id;
    const tierRoot = path.join(dir, 'snapshots');
    const [pack] = packsUnder(tierRoot);
    const packFile = path.join(tierRoot, SHARED_AREA, pack);
    const original = fs.readFileSync(packFile);

    const flipped = Buffer.from(original);
    flipped[flipped.length - 100] ^= 0x01;
    fs.writeFileSync(packFile, flipped);
    const verify = await service.verify('files', id);
    expect(verify.ok).toBe(false);
    expect(verify.tiers[0].artifacts[0].problem).toMatch(
      /frame \d+ of pack [0-9a-f]{64} (does not hold the content its digest names|cannot be decompressed)/,
    );
    fs.writeFileSync(path.join(root, 'table.txt'), 'changed since');
    // The restore's pre-check finds it by the pack's sha256 (its name), before any chunk is read.
    await expect(
      service.restore('files', id, { force: true }),
    ).rejects.toMatchObject({
      reason: 'checksum',
      message: expect.stringMatching(
        /pack [0-9a-f]{64} holds bytes with sha256 [0-9a-f]{64}; it is damaged or foreign/,
      ),
    });
    expect(fs.readFileSync(path.join(root, 'table.txt'), 'utf8')).toBe(
      'changed since',
    );

    fs.rmSync(packFile);
    expect(
      (await service.verify('files', id)).tiers[0].artifacts[0].problem,
    ).toMatch(/does not exist in storage/);
    await expect(
      service.restore('files', id, { force: true }),
    ).rejects.toMatchObject({
      reason: 'checksum',
      message: expect.stringMatching(/does not exist in storage/),
    });
    expect(fs.readFileSync(path.join(root, 'table.txt'), 'utf8')).toBe(
      'changed since',
    );

    fs.writeFileSync(packFile, original);
    expect((await service.verify('files', id)).ok).toBe(true);
  });

  it('encrypts each chunk when the target is encrypted, with ids that do not reveal content', async () => {
    process.env.SAFEKEEP_TEST_CHUNK_KEY = randomBytes(32).toString('hex');
    const { dir, root, service } = setup(undefined, {
      encryption: { keyId: 'k1', key: { env: 'SAFEKEEP_TEST_CHUNK_KEY' } },
    });
    const tree = treeHash(root);
    const { manifest, snapshots } = await service.backup('files');
    expect(manifest.artifacts[0].name).toBe('files.tar.chunks.zst.enc');
    expect(manifest.artifacts[0].chunked!.pool).toBe('key-k1');
    const tierRoot = path.join(dir, 'snapshots');
    const packs = packsUnder(tierRoot);
    expect(packs.every(p => p.startsWith('key-k1/packs/'))).toBe(true);
    // The table's text never appears in a pack.
    const needle = Buffer.from('user1@example.com');
    for (const p of packs)
      expect(
        fs.readFileSync(path.join(tierRoot, SHARED_AREA, p)).includes(needle),
      ).toBe(false);
    fs.rmSync(root, { recursive: true });
    await service.restore('files', snapshots[0].id);
    expect(treeHash(root)).toEqual(tree);
  });

  describe('on S3 (s3rver)', () => {
    let s3: S3rverHarness;
    beforeAll(async () => {
      s3 = await startS3rver('chunks');
    });
    afterAll(async () => {
      await s3.close();
    });
    beforeEach(() => {
      process.env.SAFEKEEP_TEST_S3_KEY = 'S3RVER';
      process.env.SAFEKEEP_TEST_S3_SECRET = 'S3RVER';
    });

    const offsite = (prefix: string) => ({
      type: 's3',
      bucket: 'chunks',
      prefix,
      endpoint: s3.endpoint,
      forcePathStyle: true,
      accessKeyId: { env: 'SAFEKEEP_TEST_S3_KEY' },
      secretAccessKey: { env: 'SAFEKEEP_TEST_S3_SECRET' },
      partSizeMiB: 5,
    });

    it('copies only the packs the offsite tier lacks and restores from S3', async () => {
      const { root, lines, service } = setup(
        {
          local: { type: 'filesystem', path: './snapshots' },
          offsite: offsite('copy'),
        },
        { tiers: ['local', 'offsite'] },
      );
      const first = await service.backup('files');
      expect(first.failedTiers).toEqual([]);
      changeSome(root, lines, 1);
      const copied: number[] = [];
      const second = await service.backup('files', p => {
        if (p.phase === 'copying to offsite') copied.push(p.bytes);
      });
      expect(second.failedTiers).toEqual([]);
      const tree = treeHash(root);
      // What went offsite is about what the backup added, not the snapshot's size.
      expect(Math.max(...copied)).toBeLessThan(
        first.manifest.sizes!.new_bytes * 0.5,
      );
      expect(
        (await service.verify('files', second.snapshots[0].id, 'offsite')).ok,
      ).toBe(true);
      fs.rmSync(root, { recursive: true });
      await service.restore('files', second.snapshots[0].id, {
        tier: 'offsite',
      });
      expect(treeHash(root)).toEqual(tree);
    });

    it('backs up straight into an S3 tier, deduplicated', async () => {
      const { root, lines, service } = setup(
        { offsite: offsite('direct') },
        { tiers: ['offsite'] },
      );
      const first = await service.backup('files');
      changeSome(root, lines, 2);
      const second = await service.backup('files');
      expect(second.manifest.sizes!.new_bytes).toBeLessThan(
        first.manifest.sizes!.new_bytes * 0.5,
      );
      const tree = treeHash(root);
      fs.rmSync(root, { recursive: true });
      await service.restore('files', second.snapshots[0].id);
      expect(treeHash(root)).toEqual(tree);
    });
  });
});
