import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import {
  AgentProcess,
  call,
  incompleteFolders,
  kill,
  listed,
  runJob,
  stagingLeftovers,
  startAgent,
  writeKillTestConfig,
} from '../testing/killedAgent';
import { listFiles, useTempDir } from '../testing/tempDir';

jest.setTimeout(600_000);

const KILL_POINTS = 10;
const MiB = 1024 * 1024;

function folderDigest(root: string): string {
  const hash = createHash('sha256');
  for (const file of listFiles(root))
    hash.update(file).update(fs.readFileSync(path.join(root, file)));
  return hash.digest('hex');
}

/** The rows of the SQLite database, or why it cannot be read (a torn file). */
function sqliteState(file: string): string {
  try {
    const db = new Database(file, { readonly: true, fileMustExist: true });
    try {
      const check = db.pragma('integrity_check', { simple: true });
      const { n } = db.prepare('SELECT count(*) AS n FROM t').get() as {
        n: number;
      };
      return `${check} ${n} rows`;
    } finally {
      db.close();
    }
  } catch (error) {
    return `unreadable: ${(error as Error).message}`;
  }
}

/** What sits beside the live data: only what the test itself made. */
const besideTheData = (dir: string) =>
  fs
    .readdirSync(dir)
    .filter(
      name =>
        !['agent.yaml', 'files', 'app.db', 'snapshots', 'staging'].includes(
          name,
        ),
    );

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

/**
 * Plays the kill during the riskiest minute, the restore, and during prune: a real agent
 * SIGKILLed at ten points spread over each, and started again. A restore's live data is then
 * either as it was or wholly the snapshot, never a mix, and nothing of the restore is left
 * beside it or in staging; after a killed prune every listed snapshot still verifies.
 */
describe('the agent SIGKILLed during restores and prunes', () => {
  const tempDir = useTempDir('safekeep-kill-restore-');
  let agent: AgentProcess | undefined;
  afterEach(async () => {
    if (agent) await kill(agent);
    agent = undefined;
  });

  it('directory restore: after each of 10 kills the folder is as before or the snapshot, nothing left beside it', async () => {
    const dir = tempDir();
    const files = path.join(dir, 'files');
    fs.mkdirSync(path.join(files, 'sub'), { recursive: true });
    for (let i = 0; i < 12; i++)
      fs.writeFileSync(path.join(files, `f${i}.bin`), randomBytes(2 * MiB));
    fs.writeFileSync(path.join(files, 'sub', 'note.txt'), 'v1');
    writeKillTestConfig(dir, ['  files: { engine: directory, path: ./files }']);
    const config = path.join(dir, 'agent.yaml');
    agent = await startAgent(config);
    await runJob(agent, '/v1/backups', { target: 'files' });
    const [snapshotId] = await listed(agent, 'files');
    const snapshot = folderDigest(files);

    const changeLiveData = () => {
      fs.rmSync(path.join(files, 'f0.bin'));
      fs.writeFileSync(
        path.join(files, 'sub', 'note.txt'),
        'v2, after the backup',
      );
      fs.writeFileSync(path.join(files, 'new.bin'), randomBytes(MiB));
    };
    changeLiveData();
    const timed = Date.now();
    expect(
      await runJob(agent, '/v1/restores', {
        target: 'files',
        snapshotId,
        force: true,
      }),
    ).toMatchObject({ state: 'succeeded' });
    const duration = Date.now() - timed;
    expect(folderDigest(files)).toBe(snapshot);

    for (let point = 1; point <= KILL_POINTS; point++) {
      changeLiveData();
      const before = folderDigest(files);
      await call(agent, '/v1/restores', {
        target: 'files',
        snapshotId,
        force: true,
      });
      await sleep((duration * point) / (KILL_POINTS + 1));
      await kill(agent);
      agent = await startAgent(config);
      const where = `after kill ${point} (at ${Math.round(
        (100 * point) / 11,
      )}% of ${duration} ms)`;
      const after = folderDigest(files);
      expect({ where, whole: after === before || after === snapshot }).toEqual({
        where,
        whole: true,
      });
      expect({
        where,
        beside: besideTheData(dir),
        staging: stagingLeftovers(dir),
      }).toEqual({ where, beside: [], staging: [] });
      // The restore that was killed runs again to its end.
      expect(
        await runJob(agent, '/v1/restores', {
          target: 'files',
          snapshotId,
          force: true,
        }),
      ).toMatchObject({ state: 'succeeded' });
      expect(folderDigest(files)).toBe(snapshot);
    }
  });

  it("SQLite restore: after each of 10 kills the database opens whole, with its rows before or the snapshot's", async () => {
    const dir = tempDir();
    const file = path.join(dir, 'app.db');
    const db = new Database(file);
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, data BLOB)');
    const insert = db.prepare('INSERT INTO t (data) VALUES (?)');
    for (let i = 0; i < 300; i++) insert.run(randomBytes(64 * 1024));
    db.close();
    writeKillTestConfig(dir, ['  app: { engine: sqlite, path: ./app.db }']);
    const config = path.join(dir, 'agent.yaml');
    agent = await startAgent(config);
    await runJob(agent, '/v1/backups', { target: 'app' });
    const [snapshotId] = await listed(agent, 'app');
    const snapshot = sqliteState(file);
    expect(snapshot).toBe('ok 300 rows');

    const changeLiveData = () => {
      const live = new Database(file);
      live.exec('DELETE FROM t WHERE id % 3 = 0');
      live.close();
    };
    changeLiveData();
    const timed = Date.now();
    expect(
      await runJob(agent, '/v1/restores', {
        target: 'app',
        snapshotId,
        force: true,
      }),
    ).toMatchObject({ state: 'succeeded' });
    const duration = Date.now() - timed;

    for (let point = 1; point <= KILL_POINTS; point++) {
      changeLiveData();
      const before = sqliteState(file);
      await call(agent, '/v1/restores', {
        target: 'app',
        snapshotId,
        force: true,
      });
      await sleep((duration * point) / (KILL_POINTS + 1));
      await kill(agent);
      agent = await startAgent(config);
      const where = `after kill ${point} (at ${Math.round(
        (100 * point) / 11,
      )}% of ${duration} ms)`;
      const after = sqliteState(file);
      expect({
        where,
        whole: after === before || after === snapshot,
        after,
      }).toEqual({
        where,
        whole: true,
        after,
      });
      expect({
        where,
        beside: besideTheData(dir).filter(n => !/^app\.db-(wal|shm)$/.test(n)),
        staging: stagingLeftovers(dir),
      }).toEqual({ where, beside: [], staging: [] });
    }
  });

  it('prune: after each of 10 kills every listed snapshot verifies, and the next prune finishes', async () => {
    const dir = tempDir();
    const files = path.join(dir, 'files');
    fs.mkdirSync(files);
    for (let i = 0; i < 8; i++)
      fs.writeFileSync(path.join(files, `f${i}.bin`), randomBytes(MiB));
    writeKillTestConfig(dir, ['  files: { engine: directory, path: ./files }']);
    const config = path.join(dir, 'agent.yaml');
    agent = await startAgent(config);
    const backUp = async (count: number) => {
      for (let i = 0; i < count; i++) {
        // Each snapshot differs: a new file, so prune has chunks of its own to sweep.
        fs.writeFileSync(
          path.join(files, `changed-${Date.now()}-${i}.bin`),
          randomBytes(MiB),
        );
        expect(
          await runJob(agent!, '/v1/backups', { target: 'files' }),
        ).toMatchObject({
          state: 'succeeded',
        });
      }
    };
    const prune = { target: 'files', retention: { keepLast: 2, minimum: 2 } };
    await backUp(4);
    const timed = Date.now();
    expect(await runJob(agent, '/v1/prune', prune)).toMatchObject({
      state: 'succeeded',
    });
    const duration = Math.max(Date.now() - timed, 20);

    for (let point = 1; point <= KILL_POINTS; point++) {
      await backUp(2);
      await call(agent, '/v1/prune', prune);
      await sleep((duration * point) / (KILL_POINTS + 1));
      await kill(agent);
      agent = await startAgent(config);
      const where = `after kill ${point} (at ${Math.round(
        (100 * point) / 11,
      )}% of ${duration} ms)`;
      expect({ where, incomplete: incompleteFolders(dir, 'files') }).toEqual({
        where,
        incomplete: [],
      });
      const ids = await listed(agent, 'files');
      expect(ids.length).toBeGreaterThanOrEqual(2);
      for (const snapshotId of ids) {
        expect({
          where,
          snapshotId,
          check: await runJob(agent, '/v1/verify', {
            target: 'files',
            snapshotId,
          }),
        }).toEqual({
          where,
          snapshotId,
          check: expect.objectContaining({ state: 'succeeded' }),
        });
      }
    }
    expect(await runJob(agent, '/v1/prune', prune)).toMatchObject({
      state: 'succeeded',
    });
    expect((await listed(agent, 'files')).length).toBe(2);
  });
});
