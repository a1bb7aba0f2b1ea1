import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import {
  MANIFEST_VERSION,
  SnapshotManifest,
} from '@safekeep/plugin-backups-common';
import type { AgentConfig } from '../config/loadConfig';
import { FilesystemStorage } from '../storage/FilesystemStorage';
import { WRITER_MARK_FILE } from '../storage/SnapshotStorage';
import { formatSnapshotId } from '../storage/snapshotId';
import { listFiles, useTempDir } from '../testing/tempDir';
import { cleanLeftovers } from './cleanLeftovers';

/**
 * A kill at every step of a snapshot folder's life on a filesystem tier, one step at a time:
 * each call that changes the disk (a recursive removal counted file by file, as the kernel
 * sees it) can be the last. The real SIGKILL suites hit such steps only by chance; this walks
 * all of them. After each kill the next start must leave no incomplete snapshot behind.
 */
class Killed extends Error {}

const mockDisk = { stepsLeft: Infinity, steps: 0 };

jest.mock('node:fs/promises', () => {
  const actual = jest.requireActual('node:fs/promises');
  const nodePath = jest.requireActual('node:path');
  const step = () => {
    mockDisk.steps++;
    if (mockDisk.stepsLeft-- <= 0) throw new Killed('killed here');
  };
  // A recursive removal as the disk sees it: one entry after another, the folder last.
  const removeStepwise = async (target: string): Promise<void> => {
    const stat = await actual.lstat(target).catch(() => undefined);
    if (!stat) return;
    if (stat.isDirectory()) {
      for (const name of await actual.readdir(target))
        await removeStepwise(nodePath.join(target, name));
      step();
      await actual.rmdir(target);
    } else {
      step();
      await actual.unlink(target);
    }
  };
  const wrapped = { ...actual };
  for (const name of ['mkdir', 'writeFile', 'rename', 'unlink', 'rmdir']) {
    wrapped[name] = async (...args: unknown[]) => {
      step();
      return actual[name](...args);
    };
  }
  wrapped.rm = async (target: string, options?: { recursive?: boolean }) => {
    if (options?.recursive) return removeStepwise(target);
    step();
    return actual.rm(target, options);
  };
  return { __esModule: true, ...wrapped, default: wrapped };
});

const TARGET = 'files';
// Started now: too young for the hour-old rule to remove it whatever it holds.
const ref = { target: TARGET, id: formatSnapshotId(new Date()) };

const manifest: SnapshotManifest = {
  manifest_version: MANIFEST_VERSION,
  tool: { name: 'test', version: '0' },
  snapshot_id: ref.id,
  target: { name: TARGET, engine: 'directory' },
  engine_version: null,
  started_at: new Date().toISOString(),
  finished_at: new Date().toISOString(),
  artifacts: [],
  details: {},
};

async function writeSnapshot(storage: FilesystemStorage) {
  await storage.markWriting(ref);
  await storage.putArtifact(ref, 'a.bin', Readable.from([Buffer.alloc(10)]));
  await storage.putArtifact(ref, 'b.bin', Readable.from([Buffer.alloc(10)]));
  await storage.writeManifest(ref, manifest);
  await storage.clearWriting(ref);
}

/** The agent that wrote the marks has ended: they now name a pid that does not run. */
function endWriters(root: string) {
  for (const file of listFiles(root).filter(f =>
    f.endsWith(WRITER_MARK_FILE),
  )) {
    const full = path.join(root, file);
    const mark = JSON.parse(fs.readFileSync(full, 'utf8'));
    fs.writeFileSync(full, JSON.stringify({ ...mark, pid: 4_194_303 }));
  }
}

/** Runs `work` with the disk failing from its `allowed`-th change on; whether it got that far. */
async function killedAfter(allowed: number, work: () => Promise<void>) {
  mockDisk.stepsLeft = allowed;
  try {
    await work();
    return false;
  } catch (error) {
    if (!(error instanceof Killed)) throw error;
    return true;
  } finally {
    mockDisk.stepsLeft = Infinity;
  }
}

describe('a snapshot folder killed at each step of its writing and of its removal', () => {
  const tempDir = useTempDir('safekeep-folder-kills-');

  const setUp = () => {
    const dir = tempDir();
    const root = path.join(dir, 'snapshots');
    const staging = path.join(dir, 'staging');
    fs.mkdirSync(staging, { recursive: true });
    const config = {
      agent: { staging },
      storage: { local: { type: 'filesystem', path: root } },
      targets: {},
    } as unknown as AgentConfig;
    return { root, config, storage: new FilesystemStorage('local', root) };
  };

  /** What the next start leaves in the target's folder, and what it lists. */
  async function afterRestart(setup: ReturnType<typeof setUp>) {
    endWriters(setup.root);
    // A second later, as a real restart is.
    await cleanLeftovers(
      setup.config,
      () => setup.storage,
      new Date(Date.now() + 1000),
    );
    const folder = path.join(setup.root, TARGET);
    return {
      entries: fs.existsSync(folder) ? fs.readdirSync(folder) : [],
      listed: (await setup.storage.listSnapshots(TARGET)).map(
        s => `${s.ref.id} ${s.manifest.status}`,
      ),
    };
  }

  it('writing: after a kill at any step, the next start leaves the snapshot whole or gone', async () => {
    for (let allowed = 0; ; allowed++) {
      const setup = setUp();
      fs.rmSync(setup.root, { recursive: true, force: true });
      const killed = await killedAfter(allowed, () =>
        writeSnapshot(setup.storage),
      );
      const state = await afterRestart(setup);
      const whole = { entries: [ref.id], listed: [`${ref.id} ok`] };
      const gone = { entries: [], listed: [] };
      expect({ allowed, state }).toEqual({
        allowed,
        state:
          state.entries.length && state.listed[0]?.endsWith(' ok')
            ? whole
            : gone,
      });
      if (!killed) break;
    }
    expect(mockDisk.steps).toBeGreaterThan(10);
  });

  it('removal: after a kill at any step, the snapshot is listed whole or not at all, and the next start leaves no part of it', async () => {
    for (let allowed = 0; ; allowed++) {
      const setup = setUp();
      fs.rmSync(setup.root, { recursive: true, force: true });
      await writeSnapshot(setup.storage);
      const killed = await killedAfter(allowed, () =>
        setup.storage.deleteSnapshot(ref),
      );
      const listedNow = (await setup.storage.listSnapshots(TARGET)).map(
        s => s.manifest.status,
      );
      expect({ allowed, listedNow }).toEqual({
        allowed,
        listedNow: listedNow.length ? ['ok'] : [],
      });
      const state = await afterRestart(setup);
      expect({ allowed, state }).toEqual({
        allowed,
        state: listedNow.length
          ? { entries: [ref.id], listed: [`${ref.id} ok`] }
          : { entries: [], listed: [] },
      });
      if (!killed) break;
    }
  });
});
