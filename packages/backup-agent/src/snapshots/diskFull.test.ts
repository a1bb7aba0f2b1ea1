import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { listFiles, useTempDir } from '../testing/tempDir';
import { describeWithSmallDisks, mountSmallDisk } from '../testing/smallDisk';
import { testConfig } from '../testing/testConfig';
import { SnapshotService } from './SnapshotService';

const MiB = 1024 * 1024;

function sqliteDatabase(file: string, rows: number) {
  const db = new Database(file);
  db.exec('CREATE TABLE blobs (id INTEGER PRIMARY KEY, data BLOB)');
  const insert = db.prepare('INSERT INTO blobs (data) VALUES (?)');
  for (let i = 0; i < rows; i++) insert.run(randomBytes(64 * 1024));
  db.close();
}

const rowsIn = (file: string) => {
  const db = new Database(file, { readonly: true });
  const { n } = db.prepare('SELECT count(*) AS n FROM blobs').get() as {
    n: number;
  };
  db.close();
  return n;
};

/**
 * Plays a full disk, for real (a small tmpfs, ENOSPC): the staging folder full during a SQLite
 * backup copy, the tier full while an artifact is written. Each backup fails saying the disk is
 * full and where, lists nothing, leaves no partial file behind and the live data as it was; the
 * next backup, with room again, is complete.
 */
describeWithSmallDisks('a full disk during a backup', () => {
  const tempDir = useTempDir();

  it('staging full: the SQLite copy fails with ENOSPC naming staging, nothing listed, staging emptied, the database untouched', async () => {
    const dir = tempDir();
    const staging = mountSmallDisk(1 * MiB);
    try {
      sqliteDatabase(path.join(dir, 'app.db'), 64); // about 4 MiB
      const config = testConfig(dir, {
        app: { engine: 'sqlite', path: './app.db' },
      });
      config.agent.staging = staging.path;
      const service = new SnapshotService(config);

      await expect(service.backup('app')).rejects.toThrow(
        `the staging folder ${staging.path} is full (SQLITE_FULL: no space left on device); free space there, or set agent.staging`,
      );
      expect(await service.list('app')).toEqual([]);
      expect(listFiles(staging.path)).toEqual([]);
      expect(rowsIn(path.join(dir, 'app.db'))).toBe(64);

      staging.resize(64 * MiB);
      await service.backup('app');
      const [snapshot] = await service.list('app');
      expect((await service.verify('app', snapshot.id)).ok).toBe(true);
    } finally {
      staging.unmount();
    }
  });

  // Whole: the artifact's file fills the tier; chunked: a pack does.
  it.each(['whole', 'chunked'] as const)(
    'tier full (%s format): the write fails with ENOSPC, nothing listed, no partial artifact left; with room the next backup is complete',
    async format => {
      const dir = tempDir();
      const tier = mountSmallDisk(2 * MiB);
      try {
        const files = path.join(dir, 'files');
        fs.mkdirSync(files);
        fs.writeFileSync(path.join(files, 'big.bin'), randomBytes(6 * MiB));
        const service = new SnapshotService(
          testConfig(
            dir,
            {
              files: {
                engine: 'directory',
                path: './files',
                compression: 'none',
              },
            },
            { local: { type: 'filesystem', path: tier.path, format } },
          ),
        );

        await expect(service.backup('files')).rejects.toThrow(
          `tier "local" (${tier.path}) is full (ENOSPC: no space left on device)`,
        );
        expect(await service.list('files')).toEqual([]);
        // Whatever folder is left holds no manifest and no artifact bytes (prune removes it).
        const left = listFiles(tier.path);
        expect(left.filter(f => f.endsWith('MANIFEST.json'))).toEqual([]);
        const bytesLeft = left.reduce(
          (sum, f) => sum + fs.statSync(path.join(tier.path, f)).size,
          0,
        );
        expect(bytesLeft).toBeLessThan(64 * 1024);

        tier.resize(64 * MiB);
        await service.backup('files');
        const [snapshot, ...more] = await service.list('files');
        expect(more).toEqual([]);
        expect((await service.verify('files', snapshot.id)).ok).toBe(true);
      } finally {
        tier.unmount();
      }
    },
  );
});
