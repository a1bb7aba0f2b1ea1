import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { registerEngineDriver } from '../engines/registry';
import { SnapshotService } from '../snapshots/SnapshotService';
import { SHARED_AREA } from '../storage/SnapshotStorage';
import { gatedFileDriver, holdAt } from '../testing/gatedFileDriver';
import { listFiles, useTempDir } from '../testing/tempDir';
import { testConfig } from '../testing/testConfig';

jest.setTimeout(180_000);

const HOUR = 60 * 60 * 1000;
const KILLED_BACKUP_SCRIPT = path.join(__dirname, '../testing/killedBackup.ts');

describe('prune of chunked snapshots', () => {
  const tempDir = useTempDir();
  let unregister: () => void;
  beforeAll(() => {
    unregister = registerEngineDriver(gatedFileDriver);
  });
  afterAll(() => unregister());

  function setup() {
    const dir = tempDir();
    const file = path.join(dir, 'data.bin');
    fs.writeFileSync(file, randomBytes(3 * 1024 * 1024));
    // Prune runs "later" so the packs are past their grace period.
    let offset = 0;
    const config = testConfig(dir, {
      blob: { engine: 'gated-file', file, gate: 'race' },
    });
    const service = new SnapshotService(config, {
      now: () => new Date(Date.now() + offset),
    });
    const packs = () =>
      listFiles(path.join(dir, 'snapshots', SHARED_AREA)).filter(f =>
        f.includes('/packs/'),
      );
    return {
      dir,
      file,
      service,
      packs,
      later: () => {
        offset += 2 * HOUR;
      },
    };
  }

  it('removes the packs only pruned snapshots used, and what is kept still verifies and restores', async () => {
    const { file, service, packs, later } = setup();
    const old = await service.backup('blob');
    const oldPacks = packs();
    fs.writeFileSync(file, randomBytes(3 * 1024 * 1024));
    const kept = await service.backup('blob');
    const keptContent = fs.readFileSync(file);
    expect(packs().length).toBeGreaterThan(oldPacks.length);

    later();
    const result = await service.prune('blob', {
      retention: { keepLast: 1 },
    });
    expect(result.tiers[0].pruned).toEqual([old.snapshots[0].id]);
    expect(result.tiers[0].chunks.pools).toEqual([
      expect.objectContaining({
        pool: 'plain',
        packsDeleted: oldPacks.length,
      }),
    ]);
    expect(packs().filter(p => oldPacks.includes(p))).toEqual([]);
    expect((await service.verify('blob', kept.snapshots[0].id)).ok).toBe(true);
    fs.rmSync(file);
    await service.restore('blob', kept.snapshots[0].id);
    expect(fs.readFileSync(file).equals(keptContent)).toBe(true);
  });

  it('keeps a pack while any chunk of its frames is used, though the snapshot that wrote it is pruned', async () => {
    const { file, service, packs, later } = setup();
    const old = await service.backup('blob');
    const oldPacks = packs();
    // 16 KiB changed in the middle: the rest of the old frames' chunks are reused.
    const content = fs.readFileSync(file);
    randomBytes(16 * 1024).copy(content, 1024 * 1024);
    fs.writeFileSync(file, content);
    const kept = await service.backup('blob');
    expect(kept.manifest.sizes!.new_bytes).toBeLessThan(
      old.manifest.sizes!.new_bytes / 10,
    );

    later();
    const result = await service.prune('blob', {
      retention: { keepLast: 1 },
    });
    expect(result.tiers[0].pruned).toEqual([old.snapshots[0].id]);
    expect(result.tiers[0].chunks.pools[0].packsDeleted).toBe(0);
    expect(packs()).toEqual(expect.arrayContaining(oldPacks));
    expect((await service.verify('blob', kept.snapshots[0].id)).ok).toBe(true);
    fs.rmSync(file);
    await service.restore('blob', kept.snapshots[0].id);
    expect(fs.readFileSync(file).equals(content)).toBe(true);
  });

  it('loses nothing when prune removes the only snapshot whose chunks a running backup reuses', async () => {
    const { file, service, packs, later } = setup();
    const x = fs.readFileSync(file);
    await service.backup('blob');
    const xPacks = packs();
    fs.writeFileSync(file, randomBytes(3 * 1024 * 1024));
    await service.backup('blob');
    // Back to the first content: the running backup reuses only the first snapshot's chunks.
    fs.writeFileSync(file, x);
    const gate = holdAt('race');
    const running = service.backup('blob');
    await gate.reached;

    later();
    const during = await service.prune('blob', {
      retention: { keepLast: 1 },
    });
    expect(during.tiers[0].pruned).toHaveLength(1);
    expect(during.tiers[0].chunks.deferred).toMatch(
      /a backup is writing to tier local/,
    );
    expect(packs()).toEqual(expect.arrayContaining(xPacks));

    gate.release();
    const { snapshots } = await running;
    const after = await service.prune('blob', { retention: { keepLast: 1 } });
    expect(after.tiers[0].chunks.deferred).toBeUndefined();
    expect((await service.verify('blob', snapshots[0].id)).ok).toBe(true);
    fs.rmSync(file);
    await service.restore('blob', snapshots[0].id);
    expect(fs.readFileSync(file).equals(x)).toBe(true);
  });

  it('makes a backup wait while a sweep holds the tier', async () => {
    const { dir, service } = setup();
    const lock = path.join(dir, 'snapshots', SHARED_AREA, 'locks/sweep-test');
    fs.mkdirSync(path.dirname(lock), { recursive: true });
    fs.writeFileSync(lock, '{}');
    const gate = holdAt('race');
    let done = false;
    const running = service.backup('blob').then(r => {
      done = true;
      return r;
    });
    gate.release();
    await new Promise(resolve => setTimeout(resolve, 1500));
    expect(done).toBe(false);
    fs.rmSync(lock);
    const { snapshots } = await running;
    expect((await service.verify('blob', snapshots[0].id)).ok).toBe(true);
  });

  it('leaves no referenced-but-missing chunk after a backup process is killed', async () => {
    const { dir, file, service, packs, later } = setup();
    const first = await service.backup('blob');
    const firstPacks = packs();
    fs.writeFileSync(file, randomBytes(3 * 1024 * 1024));
    // A separate agent process stores the new content and is killed (SIGKILL) just before
    // it would write its manifest: packs and index are there, the manifest is not.
    const child = spawn(
      process.execPath,
      ['-r', require.resolve('sucrase/register/ts'), KILLED_BACKUP_SCRIPT, dir],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', data => {
        if (String(data).includes('halfway')) resolve();
      });
      child.on('exit', code => reject(new Error(`child exited ${code}`)));
    });
    child.kill('SIGKILL');
    await new Promise(resolve => child.on('close', resolve));
    expect(packs().length).toBeGreaterThan(firstPacks.length);
    expect((await service.list('blob')).map(s => s.id)).toEqual([
      first.snapshots[0].id,
    ]);

    // The killed process left its backup lock; half an hour later it counts as stale.
    const locks = path.join(dir, 'snapshots', SHARED_AREA, 'locks');
    const locksLeft = fs
      .readdirSync(locks)
      .filter(n => n.startsWith('backup-'));
    expect(locksLeft).toHaveLength(1);
    const anHourAgo = new Date(Date.now() - HOUR);
    fs.utimesSync(path.join(locks, locksLeft[0]), anHourAgo, anHourAgo);

    // The next backup (of other content) does not rely on the killed run's packs...
    fs.writeFileSync(file, randomBytes(3 * 1024 * 1024));
    const next = await service.backup('blob');
    later();
    later();
    // ...so sweeping them (its lock is stale once old enough, its packs unreferenced) is safe.
    const result = await service.prune('blob', { retention: { keepLast: 2 } });
    expect(result.tiers[0].chunks.pools[0].packsDeleted).toBeGreaterThan(0);
    for (const snapshot of [first, next])
      expect((await service.verify('blob', snapshot.snapshots[0].id)).ok).toBe(
        true,
      );
  });
});
