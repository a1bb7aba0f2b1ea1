import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SnapshotService } from '../snapshots/SnapshotService';
import { CounterStack, startCounterStack } from '../testing/counterStack';
import {
  BUSYBOX_IMAGE,
  DB_IMAGE,
  describeWithDocker,
  removeTestResources,
  testPrefix,
} from '../testing/dockerHarness';
import { testConfig } from '../testing/testConfig';

jest.setTimeout(180_000);

const PASSWORD_ENV = 'SAFEKEEP_TEST_CUT_PASSWORD';
const PASSWORD = 'cut-test-pw-7';

/**
 * The consistency proof of a cut: an application writes the same counter to Postgres, MariaDB,
 * Redis and a marker file in one loop, continuously, while the group is backed up; after a restore
 * of that group backup the four hold the same number. The control group names no writer, so
 * nothing is stopped, and the restored stores disagree: the test can fail.
 */
describeWithDocker(
  'group cut under write load (real Docker Engine, Postgres, MariaDB, Redis, a volume)',
  docker => {
    const prefix = testPrefix('cut');
    // One folder for the suite (the agent lives across its tests), removed at the end.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'safekeep-group-'));
    let stack: CounterStack;
    let agent: SnapshotService;

    beforeAll(async () => {
      process.env[PASSWORD_ENV] = PASSWORD;
      stack = await startCounterStack(docker, prefix, PASSWORD);
      const containers = [
        stack.writer,
        stack.pg.name,
        stack.maria.name,
        stack.cache.name,
      ];
      const targets = ['db', 'ledger', 'cache', 'files'];
      agent = new SnapshotService(
        testConfig(dir, stack.targets(PASSWORD_ENV), undefined, {
          docker: { helperImage: BUSYBOX_IMAGE, stopTimeoutSeconds: 10 },
          groups: {
            stack: { containers, targets },
            // The same stack with no writer stopped: the stores are cut at different moments.
            unguarded: { containers, targets, writers: [] },
          },
        }),
      );
    });
    afterAll(async () => {
      delete process.env[PASSWORD_ENV];
      await removeTestResources(docker, prefix);
      fs.rmSync(dir, { recursive: true, force: true });
    });

    const stagedCopies = () =>
      fs
        .readdirSync(path.join(dir, 'staging'))
        .filter(name => name.startsWith('cut-'));

    /** A group backup under load, then (writer stopped) a restore of it; the counters restored. */
    const backUpAndRestore = async (group: string) => {
      await docker
        .getContainer(stack.writer)
        .start()
        .catch(() => undefined);
      const before = (await stack.read()).marker;
      await stack.countedPast(before + 20);
      const backup = await agent.backupGroup(group);
      expect(backup.error).toBeUndefined();
      // Still counting after the backup: the writer was started again.
      const after = (await stack.read()).marker;
      await stack.countedPast(after + 5);
      await docker.getContainer(stack.writer).stop({ t: 10 });
      const restored = await agent.restoreGroup(group, {
        snapshotIds: Object.fromEntries(
          backup.snapshots.map(s => [s.target, s.id]),
        ),
        force: true,
      });
      expect(restored.error).toBeUndefined();
      return { backup, counters: await stack.read() };
    };

    it('stops only the writer, for the cut; the restored stores hold one point in time', async () => {
      const { backup, counters } = await backUpAndRestore('stack');
      expect(backup.mode).toBe('cut');
      expect(backup.stoppedContainers).toEqual([stack.writer]);
      expect(backup.downtimeMs).toBeGreaterThan(0);
      expect(counters.postgres).toBeGreaterThan(20);
      expect(counters.mariadb).toBe(counters.postgres);
      expect(counters.redis).toBe(counters.postgres);
      expect(counters.marker).toBe(counters.postgres);
      // Postgres and Redis streamed after the writer ran again; the volume was copied raw into
      // staging in the window and stored afterwards too.
      const member = (name: string) =>
        backup.members.find(m => m.target === name)!;
      expect(member('db').phases.streamMs).toEqual(expect.any(Number));
      expect(member('ledger').phases.streamMs).toEqual(expect.any(Number));
      expect(member('ledger').pointInTime).toBe(
        'fixed during the cut, streamed afterwards',
      );
      expect(member('cache').phases.streamMs).toEqual(expect.any(Number));
      expect(member('files').phases.streamMs).toEqual(expect.any(Number));
      expect(member('files').pointInTime).toMatch(/copied to staging/);
      // The staged copy is gone once stored.
      expect(stagedCopies()).toEqual([]);
    });

    it('control: with no writer stopped, the restored stores disagree', async () => {
      const { backup, counters } = await backUpAndRestore('unguarded');
      expect(backup.stoppedContainers).toEqual([]);
      expect(backup.downtimeMs).toBeNull();
      expect(
        new Set([
          counters.postgres,
          counters.mariadb,
          counters.redis,
          counters.marker,
        ]).size,
      ).toBeGreaterThan(1);
    });
  },
  [DB_IMAGE, BUSYBOX_IMAGE],
);
