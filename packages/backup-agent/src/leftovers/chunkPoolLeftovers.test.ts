import fs from 'node:fs';
import path from 'node:path';
import { SnapshotService } from '../snapshots/SnapshotService';
import { listFiles, useTempDir } from '../testing/tempDir';
import { testConfig } from '../testing/testConfig';
import { cleanLeftovers, describeCleanup } from './cleanLeftovers';

/**
 * A pack is written as a dot-named temp file, then renamed. A backup killed in between leaves
 * the temp file, which no listing shows, so neither prune nor its sweep ever removed it.
 */
describe('half-written packs in a chunk area, at the next start', () => {
  const tempDir = useTempDir('safekeep-pack-temps-');

  it('removes a killed write older than every running agent, keeps a live one, and the snapshot still verifies', async () => {
    const dir = tempDir();
    fs.mkdirSync(path.join(dir, 'files'));
    fs.writeFileSync(path.join(dir, 'files/a.txt'), 'some rows\n'.repeat(5000));
    const config = testConfig(dir, {
      files: { engine: 'directory', path: './files' },
    });
    const service = new SnapshotService(config);
    const { snapshots } = await service.backup('files');
    const chunks = path.join(dir, 'snapshots/.chunks');
    const pack = listFiles(chunks).find(f => f.includes('/packs/'))!;
    const packDir = path.join(chunks, path.dirname(pack));
    // As a SIGKILL between the write and the rename leaves it (fs/durable.ts's temp name).
    const killed = path.join(
      packDir,
      `.${path.basename(pack)}.tmp-0123456789ab`,
    );
    fs.copyFileSync(path.join(chunks, pack), killed);
    const oneMinuteAgo = new Date(Date.now() - 60_000);
    fs.utimesSync(killed, oneMinuteAgo, oneMinuteAgo);
    const live = path.join(packDir, '.another.tmp-ba9876543210');
    fs.writeFileSync(live, 'being written by a running agent');

    const cleanup = await cleanLeftovers(
      config,
      tier => service.storage(tier),
      new Date(Date.now() - 1000),
    );

    expect(cleanup.chunkTemps).toEqual({
      removed: 1,
      bytes: fs.statSync(path.join(chunks, pack)).size,
    });
    expect(describeCleanup(cleanup)).toContain(
      '1 half-written pack(s) or lock(s)',
    );
    expect(fs.existsSync(killed)).toBe(false);
    expect(fs.existsSync(live)).toBe(true);
    expect(await service.verify('files', snapshots[0].id)).toMatchObject({
      ok: true,
    });
  });
});
