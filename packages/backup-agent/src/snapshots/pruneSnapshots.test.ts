import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { formatSnapshotId } from '../storage/snapshotId';
import { useTempDir } from '../testing/tempDir';
import { testConfig } from '../testing/testConfig';
import { SnapshotService } from './SnapshotService';

describe('prune', () => {
  const tempDir = useTempDir();

  async function tenDailySnapshots() {
    const dir = tempDir();
    const db = new Database(path.join(dir, 'app.db'));
    db.exec('CREATE TABLE t (v); INSERT INTO t VALUES (1);');
    db.close();
    let clock = new Date('2026-01-01T04:00:00Z');
    const service = new SnapshotService(
      testConfig(dir, { app: { engine: 'sqlite', path: './app.db' } }),
      { now: () => clock },
    );
    const ids: string[] = [];
    for (let day = 0; day < 10; day++) {
      clock = new Date(Date.UTC(2026, 0, 1 + day, 4));
      ids.push((await service.backup('app')).snapshots[0].id);
    }
    clock = new Date('2026-01-10T12:00:00Z');
    // Two runs that never wrote a manifest: one long dead, one possibly still running.
    const stale = formatSnapshotId(new Date('2026-01-10T09:00:00Z'));
    const fresh = formatSnapshotId(new Date('2026-01-10T11:30:00Z'));
    for (const id of [stale, fresh]) {
      fs.mkdirSync(path.join(dir, 'snapshots/app', id), { recursive: true });
      fs.writeFileSync(
        path.join(dir, 'snapshots/app', id, 'app.db.zst.partial'),
        'half',
      );
    }
    const folders = () =>
      fs.readdirSync(path.join(dir, 'snapshots/app')).sort();
    return { service, ids, stale, fresh, folders };
  }

  it('lists what it would remove in a dry run, and removes nothing', async () => {
    const { service, ids, stale, folders } = await tenDailySnapshots();
    const before = folders();
    const result = await service.prune('app', {
      retention: { keepLast: 3, minimum: 2 },
      dryRun: true,
    });
    expect(result).toEqual({
      dryRun: true,
      tiers: [
        {
          tier: 'local',
          kept: [
            { id: ids[9], reasons: ['minimum', 'last'] },
            { id: ids[8], reasons: ['minimum', 'last'] },
            { id: ids[7], reasons: ['last'] },
          ],
          pruned: ids.slice(0, 7).reverse(),
          incompleteRemoved: [stale],
          skipped: [],
          // The sweep of chunk packs has its own tests (src/chunks/pruneChunks.test.ts).
          chunks: expect.any(Object),
        },
      ],
    });
    expect(folders()).toEqual(before);
  });

  it('never counts a snapshot that failed a scheduled verify as a good one: keep-last keeps the older good ones, the broken one stays for inspection', async () => {
    const { service, ids, folders } = await tenDailySnapshots();
    // The newest two failed verify (the backend passes their ids).
    const result = await service.prune('app', {
      retention: { keepLast: 2 },
      failedVerify: [ids[9], ids[8]],
    });
    expect(result.tiers[0].kept.map(k => k.id)).toEqual([ids[7], ids[6]]);
    expect(result.tiers[0].pruned).toEqual(ids.slice(0, 6).reverse());
    expect(result.tiers[0].skipped).toEqual([
      {
        id: ids[8],
        reason: expect.stringMatching(/failed a scheduled verify/),
      },
      {
        id: ids[9],
        reason: expect.stringMatching(/failed a scheduled verify/),
      },
    ]);
    expect(folders()).toEqual(
      expect.arrayContaining([ids[6], ids[7], ids[8], ids[9]]),
    );
    expect(folders()).not.toContain(ids[5]);
  });

  it('removes what the policy does not keep and stale incomplete runs, and leaves young ones', async () => {
    const { service, ids, fresh, folders } = await tenDailySnapshots();
    const result = await service.prune('app', {
      retention: { keepDaily: 4, keepWithinMs: 2 * 86_400_000 },
    });
    expect(result.tiers[0].kept.map(k => k.id)).toEqual([
      ids[9],
      ids[8],
      ids[7],
      ids[6],
    ]);
    expect(folders()).toEqual([ids[6], ids[7], ids[8], ids[9], fresh].sort());
    expect((await service.list('app')).map(s => s.id)).toEqual([
      ids[9],
      ids[8],
      ids[7],
      ids[6],
    ]);
  });

  it('refuses a policy that would keep nothing', async () => {
    const { service, folders } = await tenDailySnapshots();
    const before = folders();
    await expect(service.prune('app', { retention: {} })).rejects.toThrow(
      /the retention policy keeps nothing/,
    );
    expect(folders()).toEqual(before);
  });
});
