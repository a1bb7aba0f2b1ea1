import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { SnapshotService } from '../snapshots/SnapshotService';
import { SHARED_AREA } from '../storage/SnapshotStorage';
import { listFiles, useTempDir } from '../testing/tempDir';
import { TEST_TOKEN_ENV, testConfig } from '../testing/testConfig';

jest.setTimeout(120_000);

/**
 * __fixtures__/v1-tier: a filesystem tier written by the agent before frame packs (SKIDX1
 * indexes, SKPACK1 packs, 8 KiB chunks, `fastcdc-2016-gear32-v1`), by its own SnapshotService:
 * two snapshots each of a plain target (`files`) and an encrypted one (`secret`, key k1) of the
 * same 105 KB folder, with an authenticated manifest. The second snapshot of each changed 10
 * lines; sha.txt is the sha256 of the folder's one file after that change.
 */
const FIXTURE = path.join(__dirname, '__fixtures__/v1-tier');
const HOUR = 60 * 60 * 1000;

describe('chunked snapshots of the first layout (SKIDX1/SKPACK1)', () => {
  const tempDir = useTempDir();
  const ids: Record<'files' | 'secret', string[]> = JSON.parse(
    fs.readFileSync(path.join(FIXTURE, 'ids.json'), 'utf8'),
  );
  const changedSha = fs.readFileSync(path.join(FIXTURE, 'sha.txt'), 'utf8');

  function setup() {
    const dir = tempDir();
    fs.cpSync(path.join(FIXTURE, 'snapshots'), path.join(dir, 'snapshots'), {
      recursive: true,
    });
    process.env[TEST_TOKEN_ENV] = 'token';
    process.env.SAFEKEEP_TEST_FIXTURE_MANIFEST_KEY = '11'.repeat(32);
    process.env.SAFEKEEP_TEST_FIXTURE_CHUNK_KEY = '22'.repeat(32);
    let offset = 0;
    const service = new SnapshotService(
      testConfig(
        dir,
        {
          files: { engine: 'directory', path: './files' },
          secret: {
            engine: 'directory',
            path: './files',
            encryption: {
              keyId: 'k1',
              key: { env: 'SAFEKEEP_TEST_FIXTURE_CHUNK_KEY' },
            },
          },
        },
        {
          local: {
            type: 'filesystem',
            path: './snapshots',
            manifestKey: { env: 'SAFEKEEP_TEST_FIXTURE_MANIFEST_KEY' },
          },
        },
      ),
      { now: () => new Date(Date.now() + offset) },
    );
    const table = path.join(dir, 'files/table.txt');
    const sha = () =>
      createHash('sha256').update(fs.readFileSync(table)).digest('hex');
    const packs = (pool: string) =>
      listFiles(path.join(dir, 'snapshots', SHARED_AREA, pool, 'packs'));
    return {
      dir,
      service,
      table,
      sha,
      packs,
      later: () => {
        offset += 2 * HOUR;
      },
    };
  }

  it.each(['files', 'secret'] as const)(
    'verifies and restores %s snapshots written in the old layout',
    async target => {
      const { service, sha } = setup();
      for (const id of ids[target])
        expect((await service.verify(target, id)).ok).toBe(true);
      await service.restore(target, ids[target][1]);
      expect(sha()).toBe(changedSha);
      await service.restore(target, ids[target][0], { force: true });
      expect(sha()).not.toBe(changedSha);
    },
  );

  it('finds a flipped byte in an old pack and refuses to restore it', async () => {
    const { dir, service } = setup();
    const [largest] = listFiles(path.join(dir, 'snapshots', SHARED_AREA))
      .filter(f => f.startsWith('plain/packs/'))
      .map(f => path.join(dir, 'snapshots', SHARED_AREA, f))
      .sort((a, b) => fs.statSync(b).size - fs.statSync(a).size);
    const bytes = fs.readFileSync(largest);
    bytes[bytes.length - 100] ^= 0x01;
    fs.writeFileSync(largest, bytes);
    const verify = await service.verify('files', ids.files[0]);
    expect(verify.ok).toBe(false);
    expect(verify.tiers[0].artifacts[0].problem).toMatch(
      /chunk [0-9a-f]{64} (does not hold the content its id names|cannot be decompressed)/,
    );
    await expect(service.restore('files', ids.files[0])).rejects.toMatchObject({
      reason: 'checksum',
      message: expect.stringMatching(/holds bytes with sha256/),
    });
  });

  it('backs up in the new layout next to old snapshots, and prune removes old packs only with their last snapshot', async () => {
    const { service, table, sha, packs, later } = setup();
    await service.restore('files', ids.files[1]);
    const oldPacks = packs('plain');
    fs.appendFileSync(table, 'one more line\n');
    const expected = sha();
    const next = await service.backup('files');
    expect(next.manifest.artifacts[0].chunked!.chunker).toBe(
      'fastcdc-2016-gear32-v1-1k',
    );
    expect(packs('plain')).toEqual(expect.arrayContaining(oldPacks));

    later();
    const kept2 = await service.prune('files', {
      retention: { keepLast: 2 },
    });
    expect(kept2.tiers[0].pruned).toEqual([ids.files[0]]);
    // The second old snapshot still uses both old packs (it reuses the first one's chunks).
    expect(packs('plain')).toEqual(expect.arrayContaining(oldPacks));
    expect((await service.verify('files', ids.files[1])).ok).toBe(true);

    const kept1 = await service.prune('files', {
      retention: { keepLast: 1 },
    });
    expect(kept1.tiers[0].pruned).toEqual([ids.files[1]]);
    expect(packs('plain').filter(p => oldPacks.includes(p))).toEqual([]);
    // The encrypted target's old packs are another pool's: untouched.
    expect(packs('key-k1')).toHaveLength(2);
    expect((await service.verify('files', next.snapshots[0].id)).ok).toBe(true);
    fs.rmSync(table);
    await service.restore('files', next.snapshots[0].id);
    expect(sha()).toBe(expected);
  });
});
