import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import Database from 'better-sqlite3';
import { stageArtifact } from '../engines/stagedArtifact';
import { useTempDir } from '../testing/tempDir';
import { testConfig } from '../testing/testConfig';
import { SnapshotService } from './SnapshotService';

const modeOf = (file: string) => fs.statSync(file).mode & 0o777;

/** Every folder and file below `root` (root included) with its permission bits. */
function modes(root: string): Array<{ entry: string; mode: string }> {
  const found = [{ entry: '.', mode: modeOf(root).toString(8) }];
  for (const entry of fs.readdirSync(root, { recursive: true }) as string[]) {
    found.push({ entry, mode: modeOf(path.join(root, entry)).toString(8) });
  }
  return found;
}

/**
 * Plays another local user on the agent's host (umask 022, the usual default): snapshots and
 * staged copies must not be readable by them. globals.sql alone carries role password verifiers.
 */
describe('private by default', () => {
  const tempDir = useTempDir();
  let umask: number;
  beforeAll(() => {
    umask = process.umask(0o022);
  });
  afterAll(() => {
    process.umask(umask);
  });

  it('writes snapshot folders 0700 and files 0600 on the filesystem tier, even when the tier root is 0755', async () => {
    const dir = tempDir();
    const db = new Database(path.join(dir, 'app.db'));
    db.exec('CREATE TABLE t (v TEXT); INSERT INTO t VALUES (1);');
    db.close();
    fs.mkdirSync(path.join(dir, 'snapshots', 'app'), {
      recursive: true,
      mode: 0o755,
    });
    fs.mkdirSync(path.join(dir, 'staging'), { mode: 0o755 });
    const service = new SnapshotService(
      testConfig(dir, { app: { engine: 'sqlite', path: './app.db' } }),
    );
    const { snapshots } = await service.backup('app');

    const target = path.join(dir, 'snapshots', 'app');
    const found = modes(target);
    expect(found.length).toBeGreaterThanOrEqual(4); // ., <id>, the artifact, MANIFEST.json, README
    for (const { entry, mode } of found) {
      const isDir = fs.statSync(path.join(target, entry)).isDirectory();
      expect({ entry, mode }).toEqual({ entry, mode: isDir ? '700' : '600' });
    }
    expect(found.map(f => f.entry)).toContain(
      path.join(snapshots[0].id, 'MANIFEST.json'),
    );
    expect(modeOf(path.join(dir, 'staging'))).toBe(0o700);
  });

  it('creates a missing tier root 0700', async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'app.db'), '');
    const db = new Database(path.join(dir, 'app.db'));
    db.exec('CREATE TABLE t (v TEXT)');
    db.close();
    const service = new SnapshotService(
      testConfig(
        dir,
        { app: { engine: 'sqlite', path: './app.db' } },
        { local: { type: 'filesystem', path: './deep/tier' } },
      ),
    );
    await service.backup('app');
    expect(modeOf(path.join(dir, 'deep', 'tier'))).toBe(0o700);
  });

  it('stages restore copies 0600 in a 0700 staging folder', async () => {
    const dir = tempDir();
    const staging = path.join(dir, 'staging');
    fs.mkdirSync(staging, { mode: 0o755 });
    const staged = await stageArtifact(
      { name: 'dump.sql', open: async () => Readable.from(['secret rows']) },
      staging,
    );
    expect(modeOf(staging)).toBe(0o700);
    expect(modeOf(staged.path)).toBe(0o600);
    await staged.remove();
  });
});
