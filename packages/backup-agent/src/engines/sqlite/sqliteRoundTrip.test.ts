import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { SnapshotService } from '../../snapshots/SnapshotService';
import { RestoreRefusedError } from '../../snapshots/errors';
import { listFiles, useTempDir } from '../../testing/tempDir';
import { testConfig } from '../../testing/testConfig';

function createDatabase(file: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.exec(`CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
           CREATE TABLE "odd ""name""" (v BLOB);`);
  const insert = db.prepare('INSERT INTO users (name) VALUES (?)');
  for (const name of ['ada', 'grace', 'linus']) insert.run(name);
  db.prepare('INSERT INTO "odd ""name""" VALUES (?)').run(
    Buffer.from([0, 1, 2]),
  );
  db.close();
}

function readUsers(file: string): string[] {
  const db = new Database(file, { readonly: true });
  try {
    return (
      db.prepare('SELECT name FROM users ORDER BY id').all() as Array<{
        name: string;
      }>
    ).map(r => r.name);
  } finally {
    db.close();
  }
}

describe('sqlite engine', () => {
  const tempDir = useTempDir();

  /** `whole`: one compressed file per artifact, for the by-hand README steps. */
  function setup(format: 'chunked' | 'whole' = 'chunked') {
    const dir = tempDir();
    const dbFile = path.join(dir, 'data/app.db');
    createDatabase(dbFile);
    const config = testConfig(
      dir,
      { app: { engine: 'sqlite', path: './data/app.db' } },
      { local: { type: 'filesystem', path: './snapshots', format } },
    );
    return { dir, dbFile, service: new SnapshotService(config) };
  }

  it('backs up while a writer holds the database, and restores the content over changed data with force', async () => {
    const { dir, dbFile, service } = setup();
    // An open writer with uncommitted WAL state: the online backup must still be consistent.
    const writer = new Database(dbFile);
    writer.prepare('INSERT INTO users (name) VALUES (?)').run('barbara');

    const result = await service.backup('app');
    const [snapshot] = result.snapshots;
    expect(snapshot).toMatchObject({
      target: 'app',
      tier: 'local',
      engine: 'sqlite',
      manifestVersion: 2,
    });
    expect(snapshot.engineVersion).toMatch(/^3\.\d+/);
    expect(result.manifest.details).toEqual({
      tables: { users: 4, 'odd "name"': 1 },
    });
    expect(snapshot.bytes).toBeGreaterThan(0);
    expect(snapshot.artifacts.map(a => a.name)).toEqual(['app.db.chunks.zst']);

    writer.exec(
      `DELETE FROM users WHERE name = 'ada'; UPDATE users SET name = 'changed'; DROP TABLE "odd ""name""";`,
    );
    writer.close();

    await expect(service.restore('app', snapshot.id)).rejects.toThrow(
      /the destination is not empty: .* restore with --force/,
    );
    expect(readUsers(dbFile)).toEqual(['changed', 'changed', 'changed']);

    const restored = await service.restore('app', snapshot.id, { force: true });
    expect(restored.differences).toEqual([]);
    expect(restored.observed).toEqual({
      tables: { users: 4, 'odd "name"': 1 },
    });
    expect(readUsers(dbFile)).toEqual(['ada', 'grace', 'linus', 'barbara']);
    // No temp files left next to the database (SQLite's own -wal/-shm aside) or in staging.
    expect(
      listFiles(path.join(dir, 'data')).filter(
        f => !/^app\.db(-wal|-shm)?$/.test(f),
      ),
    ).toEqual([]);
    expect(listFiles(path.join(dir, 'staging'))).toEqual([]);
  });

  it('restores into an empty destination elsewhere without force', async () => {
    const { dir, service } = setup();
    const { snapshots } = await service.backup('app');
    const elsewhere = path.join(dir, 'restore-test/app-copy.db');
    const result = await service.restore('app', snapshots[0].id, {
      destination: elsewhere,
    });
    expect(result.destination).toBe(`SQLite database ${elsewhere}`);
    expect(readUsers(elsewhere)).toEqual(['ada', 'grace', 'linus']);
  });

  it('refuses a non-empty destination without force, and names it', async () => {
    const { dir, service } = setup();
    const { snapshots } = await service.backup('app');
    const other = path.join(dir, 'other.db');
    createDatabase(other);
    const error = await service
      .restore('app', snapshots[0].id, { destination: other })
      .catch(e => e);
    expect(error).toBeInstanceOf(RestoreRefusedError);
    expect(error.message).toContain(`SQLite database ${other} has 2 table(s)`);
  });

  it('writes a snapshot folder that plain tools can check and restore, following its README', async () => {
    const { dir, service } = setup('whole');
    const { snapshots } = await service.backup('app');
    const folder = path.join(dir, 'snapshots/app', snapshots[0].id);
    expect(fs.readdirSync(folder).sort()).toEqual([
      'MANIFEST.json',
      'README.md',
      'app.db.zst',
    ]);

    const readme = fs.readFileSync(path.join(folder, 'README.md'), 'utf8');
    const checkBlock =
      /```sh\n(sha256sum -c <<'SUMS'\n[\s\S]*?\nSUMS)\n```/.exec(readme)![1];
    expect(
      execFileSync('bash', ['-c', checkBlock], { cwd: folder }).toString(),
    ).toBe('app.db.zst: OK\n');

    execFileSync(
      'bash',
      ['-c', 'zstd -dc app.db.zst > /tmp/safekeep-readme-check.db'],
      { cwd: folder },
    );
    try {
      const count = execFileSync('sqlite3', [
        '/tmp/safekeep-readme-check.db',
        'SELECT count(*) FROM users',
      ])
        .toString()
        .trim();
      expect(count).toBe('3');
    } finally {
      fs.rmSync('/tmp/safekeep-readme-check.db', { force: true });
    }
  });

  it('fails clearly when the database file does not exist, leaving no snapshot', async () => {
    const dir = tempDir();
    const service = new SnapshotService(
      testConfig(dir, { app: { engine: 'sqlite', path: './missing.db' } }),
    );
    await expect(service.backup('app')).rejects.toThrow(
      `SQLite database ${path.join(
        dir,
        'missing.db',
      )} does not exist; check targets.app.path`,
    );
    expect(await service.list('app')).toEqual([]);
    expect(listFiles(path.join(dir, 'snapshots'))).toEqual([]);
  });
});
