import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as tar from 'tar';
import type { SnapshotManifest } from '@safekeep/plugin-backups-common';
import { TarInspector } from '../engines/volume/TarInspector';
import { craftSnapshot } from '../testing/craftSnapshot';
import { listFiles, useTempDir } from '../testing/tempDir';
import { testConfig } from '../testing/testConfig';
import { SnapshotService } from './SnapshotService';

// Thousands of files and a 64 MiB bomb: seconds on a loaded 2-core machine, not 5.
jest.setTimeout(60_000);

const ID = '20260101T000000Z';
const BOMB_BYTES = 64 * 1024 * 1024;

function treeDigest(root: string): string {
  const hash = createHash('sha256');
  for (const file of listFiles(root)) {
    hash.update(file).update(fs.readFileSync(path.join(root, file)));
  }
  return hash.digest('hex');
}

/**
 * Plays a tier writer (or an agent tricked at backup time): a small artifact whose manifest
 * claims it is small, and which inflates to far more, or to far more files.
 */
describe('bounded restores', () => {
  const tempDir = useTempDir();

  function directorySetup() {
    const dir = tempDir();
    const live = path.join(dir, 'live');
    fs.mkdirSync(live);
    fs.writeFileSync(path.join(live, 'keep.txt'), 'live data\n');
    const service = new SnapshotService(
      testConfig(dir, { files: { engine: 'directory', path: './live' } }),
    );
    return { dir, live, service };
  }

  /** Stores `stream` as a directory snapshot whose manifest claims `claims`. */
  async function plant(
    service: SnapshotService,
    stream: Readable,
    claims: { rawBytes?: number; files: number },
  ): Promise<SnapshotManifest> {
    const crafted = await craftSnapshot({
      service,
      target: 'files',
      engine: 'directory',
      id: ID,
      artifacts: [{ name: 'live.tar', stream }],
      manifest: { details: { files: claims.files, bytes: 10 } },
    });
    const manifest = {
      ...crafted,
      artifacts: crafted.artifacts.map(a => ({
        ...a,
        raw_bytes: claims.rawBytes ?? a.raw_bytes,
      })),
    };
    await service
      .storage('local')
      .writeManifest({ target: 'files', id: ID }, manifest);
    return manifest;
  }

  it('stops inflating a decompression bomb past raw_bytes and leaves the live folder as it was', async () => {
    const { dir, live, service } = directorySetup();
    const source = path.join(dir, 'bomb-source');
    fs.mkdirSync(source);
    // A sparse file: 64 MiB of zeros that take no disk space here and a few KiB compressed.
    fs.closeSync(fs.openSync(path.join(source, 'zeros.bin'), 'w'));
    fs.truncateSync(path.join(source, 'zeros.bin'), BOMB_BYTES);
    const manifest = await plant(
      service,
      tar.c({ cwd: source }, ['.']) as unknown as Readable,
      { rawBytes: 10 * 1024, files: 1 },
    );
    fs.rmSync(source, { recursive: true });
    expect(manifest.artifacts[0].bytes).toBeLessThan(1024 * 1024);

    const before = treeDigest(live);
    const error = await service.restore('files', ID, { force: true }).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error).toBeInstanceOf(Error);
    expect(error?.message).toMatch(
      /local:live\.tar\.zst inflates past the \d+ bytes its manifest records \(raw_bytes 10240 plus the margin\); the restore was stopped/,
    );
    expect(treeDigest(live)).toBe(before);
    expect(listFiles(live)).toEqual(['keep.txt']);
    // Nothing half-restored is left next to the live folder.
    expect(fs.readdirSync(dir).sort()).toEqual(['live', 'snapshots']);
  });

  it('refuses an archive holding far more files than its manifest counts, before the swap', async () => {
    const { dir, live, service } = directorySetup();
    const source = path.join(dir, 'many-files');
    fs.mkdirSync(source);
    for (let i = 0; i < 3000; i++)
      fs.writeFileSync(path.join(source, `f${i}`), '');
    await plant(service, tar.c({ cwd: source }, ['.']) as unknown as Readable, {
      files: 10,
    });
    fs.rmSync(source, { recursive: true });

    const before = treeDigest(live);
    const error = await service.restore('files', ID, { force: true }).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error).toBeInstanceOf(Error);
    expect(error?.message).toMatch(
      /the archive holds more than \d+ files, but its manifest records 10; the restore was stopped/,
    );
    expect(treeDigest(live)).toBe(before);
    expect(fs.readdirSync(dir).sort()).toEqual(['live', 'snapshots']);
  });

  it('still restores an honest snapshot (the bound does not get in the way)', async () => {
    const { live, service } = directorySetup();
    fs.writeFileSync(path.join(live, 'big.bin'), Buffer.alloc(3_000_000, 7));
    const { snapshots } = await service.backup('files');
    const before = treeDigest(live);
    fs.rmSync(path.join(live, 'big.bin'));
    const result = await service.restore('files', snapshots[0].id, {
      force: true,
    });
    expect(result.differences).toEqual([]);
    expect(treeDigest(live)).toBe(before);
  });

  it('stops a SQLite bomb too: the live database file is not replaced', async () => {
    const dir = tempDir();
    const dbFile = path.join(dir, 'app.db');
    fs.writeFileSync(dbFile, 'live database bytes');
    const service = new SnapshotService(
      testConfig(dir, { app: { engine: 'sqlite', path: './app.db' } }),
    );
    const zeros = path.join(dir, 'zeros');
    fs.closeSync(fs.openSync(zeros, 'w'));
    fs.truncateSync(zeros, BOMB_BYTES);
    const crafted = await craftSnapshot({
      service,
      target: 'app',
      engine: 'sqlite',
      id: ID,
      artifacts: [{ name: 'app.db', stream: fs.createReadStream(zeros) }],
    });
    fs.rmSync(zeros);
    await service.storage('local').writeManifest(
      { target: 'app', id: ID },
      {
        ...crafted,
        artifacts: crafted.artifacts.map(a => ({ ...a, raw_bytes: 4096 })),
      },
    );
    await expect(service.restore('app', ID, { force: true })).rejects.toThrow(
      /inflates past the \d+ bytes its manifest records/,
    );
    expect(fs.readFileSync(dbFile, 'utf8')).toBe('live database bytes');
    expect(fs.readdirSync(dir).sort()).toEqual(['app.db', 'snapshots']);
  });
});

describe('bounded volume archives', () => {
  const tempDir = useTempDir();

  it('the volume restore inspector refuses far more files than recorded', async () => {
    const source = tempDir();
    for (let i = 0; i < 40; i++)
      fs.writeFileSync(path.join(source, `f${i}`), '');
    const inspector = new TarInspector(2);
    const error = await pipeline(
      tar.c({ cwd: source }, ['.']) as unknown as Readable,
      inspector.passThrough(true, problems => new Error(problems.join('; '))),
      new Writable({ write: (_chunk, _encoding, done) => done() }),
    ).catch(e => e as Error);
    expect(error?.message).toMatch(
      /the archive holds more than 18 files, but its manifest records 2/,
    );
  });
});
