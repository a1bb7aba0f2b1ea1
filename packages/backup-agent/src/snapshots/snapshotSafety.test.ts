import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { registerEngineDriver } from '../engines/registry';
import { craftSnapshot } from '../testing/craftSnapshot';
import { flakyDriver } from '../testing/flakyDriver';
import { listFiles, useTempDir } from '../testing/tempDir';
import { testConfig } from '../testing/testConfig';
import { RestoreRefusedError } from './errors';
import { SnapshotService } from './SnapshotService';

const sha256 = (file: string) =>
  createHash('sha256').update(fs.readFileSync(file)).digest('hex');

describe('snapshot safety', () => {
  const tempDir = useTempDir();
  let unregister: () => void;
  beforeAll(() => {
    unregister = registerEngineDriver(flakyDriver);
  });
  afterAll(() => unregister());

  function sqliteSetup() {
    const dir = tempDir();
    const dbFile = path.join(dir, 'app.db');
    const db = new Database(dbFile);
    db.exec('CREATE TABLE t (v TEXT); INSERT INTO t VALUES (1), (2), (3);');
    db.close();
    // Whole files: these tests change stored bytes by hand (chunks: src/chunks tests).
    const service = new SnapshotService(
      testConfig(
        dir,
        { app: { engine: 'sqlite', path: './app.db' } },
        { local: { type: 'filesystem', path: './snapshots', format: 'whole' } },
      ),
    );
    return { dir, dbFile, service };
  }

  it('notices one flipped byte: verify fails, restore refuses before touching the target', async () => {
    const { dir, dbFile, service } = sqliteSetup();
    const { snapshots } = await service.backup('app');
    const id = snapshots[0].id;
    expect(await service.verify('app', id)).toMatchObject({ ok: true });

    const artifact = path.join(dir, 'snapshots/app', id, 'app.db.zst');
    const bytes = fs.readFileSync(artifact);
    bytes[Math.floor(bytes.length / 2)] ^= 0x01;
    fs.writeFileSync(artifact, bytes);

    const verified = await service.verify('app', id);
    expect(verified.ok).toBe(false);
    expect(verified.tiers[0].artifacts[0]).toMatchObject({
      name: 'app.db.zst',
      ok: false,
      problem: expect.stringContaining(
        `local:app.db.zst: stored data does not match the manifest (sha256 ${sha256(
          artifact,
        )}`,
      ),
    });

    const db = new Database(dbFile);
    db.exec('INSERT INTO t VALUES (4)');
    db.close();
    const before = sha256(dbFile);
    const error = await service
      .restore('app', id, { force: true })
      .catch(e => e);
    expect(error).toBeInstanceOf(RestoreRefusedError);
    expect(error.message).toMatch(
      /^the snapshot failed verification, nothing was changed: local:app\.db\.zst: stored data does not match/,
    );
    expect(sha256(dbFile)).toBe(before);
  });

  it.each([
    ['stream-error', /connection to the database lost mid-dump/],
    [
      'tool-exit',
      /dump tool exited with code 3: dump: permission denied for table x/,
    ],
    ['empty-dump', /dump\.bin came out empty although its tool always writes/],
  ])(
    'fails the run when the source fails halfway (%s), leaving no snapshot and no partial file',
    async (mode, message) => {
      const dir = tempDir();
      const service = new SnapshotService(
        testConfig(dir, { db: { engine: 'flaky', mode, bytes: 3_000_000 } }),
      );
      const phases: string[] = [];
      await expect(
        service.backup('db', p => phases.push(p.phase)),
      ).rejects.toThrow(message);
      expect(phases).toContain('dumping');
      expect(await service.list('db')).toEqual([]);
      // The packs written before the failure are gone too; only the pool's note that
      // this target stores chunks there remains.
      expect(listFiles(path.join(dir, 'snapshots'))).toEqual([
        '.chunks/plain/targets/db',
      ]);
    },
  );

  it('fails the run when a dump comes out empty, in the whole format too', async () => {
    const dir = tempDir();
    const service = new SnapshotService(
      testConfig(
        dir,
        { db: { engine: 'flaky', mode: 'empty-dump', bytes: 1 } },
        { local: { type: 'filesystem', path: './snapshots', format: 'whole' } },
      ),
    );
    await expect(service.backup('db')).rejects.toThrow(
      /dump\.bin came out empty/,
    );
    expect(await service.list('db')).toEqual([]);
  });

  it('refuses a manifest_version newer than it understands, even with force, and does not list it', async () => {
    const { service } = sqliteSetup();
    await craftSnapshot({
      service,
      target: 'app',
      engine: 'sqlite',
      id: '20260101T000000Z',
      artifacts: [{ name: 'app.db', stream: fs.createReadStream(__filename) }],
      manifest: { manifest_version: 3 },
    });
    const error = await service
      .restore('app', '20260101T000000Z', { force: true })
      .catch(e => e);
    expect(error).toBeInstanceOf(RestoreRefusedError);
    expect(error.message).toMatch(
      /MANIFEST\.json has manifest_version 3, newer than the 2 this agent understands; use a newer safekeep-agent \(--force does not override this\)/,
    );
    expect(await service.list('app')).toEqual([]);
  });

  it('refuses a snapshot from a newer engine major version, even with force', async () => {
    const { dbFile, service } = sqliteSetup();
    const before = sha256(dbFile);
    await craftSnapshot({
      service,
      target: 'app',
      engine: 'sqlite',
      id: '20260101T000000Z',
      artifacts: [{ name: 'app.db', stream: fs.createReadStream(dbFile) }],
      manifest: { engine_version: '4.0.1' },
    });
    const error = await service
      .restore('app', '20260101T000000Z', { force: true })
      .catch(e => e);
    expect(error).toBeInstanceOf(RestoreRefusedError);
    expect(error.message).toMatch(
      /taken from sqlite 4\.0\.1, the destination runs 3\.\d+\.\d+: restoring into an older major version is refused \(--force does not override this\)/,
    );
    expect(sha256(dbFile)).toBe(before);
  });

  it('refuses a snapshot of another engine', async () => {
    const { service } = sqliteSetup();
    await craftSnapshot({
      service,
      target: 'app',
      engine: 'directory',
      id: '20260101T000000Z',
      artifacts: [
        { name: 'files.tar', stream: fs.createReadStream(__filename) },
      ],
    });
    await expect(
      service.restore('app', '20260101T000000Z', { force: true }),
    ).rejects.toThrow(
      'snapshot 20260101T000000Z holds a directory backup, but target "app" is sqlite',
    );
  });

  it('treats a snapshot without MANIFEST.json as not restorable', async () => {
    const { dir, service } = sqliteSetup();
    const { snapshots } = await service.backup('app');
    fs.rmSync(
      path.join(dir, 'snapshots/app', snapshots[0].id, 'MANIFEST.json'),
    );
    expect(await service.list('app')).toEqual([]);
    await expect(
      service.restore('app', snapshots[0].id, { force: true }),
    ).rejects.toThrow(
      /snapshot \d{8}T\d{6}Z of target "app" was not found in tiers local \(an incomplete snapshot, without MANIFEST\.json, counts as not found\)/,
    );
  });

  it('gives two backups in the same second different ids', async () => {
    const { dir } = sqliteSetup();
    const fixed = new Date('2026-03-01T10:00:00Z');
    const service = new SnapshotService(
      testConfig(dir, { app: { engine: 'sqlite', path: './app.db' } }),
      { now: () => fixed },
    );
    const first = await service.backup('app');
    const second = await service.backup('app');
    expect([first.snapshots[0].id, second.snapshots[0].id]).toEqual([
      '20260301T100000Z',
      '20260301T100000Z-2',
    ]);
  });
});
