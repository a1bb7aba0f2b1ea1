import { SnapshotService } from '../snapshots/SnapshotService';
import {
  BUSYBOX_IMAGE,
  describeWithDocker,
  execIn,
  idleUntilStopped,
  removeTestResources,
  standinCalls,
  startTestContainer,
  STANDIN_IMAGE,
  testPrefix,
} from '../testing/dockerHarness';
import { useTempDir } from '../testing/tempDir';
import { testConfig } from '../testing/testConfig';

jest.setTimeout(90_000);

const PASSWORD_ENV = 'SAFEKEEP_TEST_CLICKHOUSE_PASSWORD';
const CONFIG_FILE =
  /^--config-file=\/tmp\/\.safekeep-[0-9a-f]{16}-clickhouse-client\.xml$/;

/**
 * Milvus and a ClickHouse with BACKUP cannot be installed here: their tools are stand-ins
 * (test/docker/standins) that record their argv and act on folders. These tests check the
 * orchestration through docker exec and the archive API, and the exact argv each tool gets.
 */
describeWithDocker(
  'milvus and clickhouse engines (docker exec, stand-in tools)',
  docker => {
    const prefix = testPrefix('tools');
    const container = `${prefix}-box`;
    const log = `${prefix}-log`;
    const tempDir = useTempDir();

    beforeAll(async () => {
      await docker.createVolume({ Name: log });
      const setup = [
        'mkdir -p /milvus-data/articles /milvus-data/images /milvus-backup/backup /backups /var/lib/clickhouse-standin/analytics',
        'echo vectors-1 > /milvus-data/articles/segment && echo vectors-2 > /milvus-data/images/segment',
        'echo rows > /var/lib/clickhouse-standin/analytics/events && echo rows > /var/lib/clickhouse-standin/analytics/sessions',
      ].join(' && ');
      await startTestContainer(docker, {
        name: container,
        image: STANDIN_IMAGE,
        cmd: idleUntilStopped(setup),
        volumes: [{ volume: log, path: '/standin-log' }],
      });
    });
    afterAll(() => removeTestResources(docker, prefix));
    beforeEach(() =>
      execIn(docker, container, ['sh', '-c', 'rm -f /standin-log/calls']),
    );

    it('milvus: milvus-backup create in the container, the backup folder streamed out, deleted there, and restored', async () => {
      const target = `${prefix}-vectors`;
      const service = new SnapshotService(
        testConfig(
          tempDir(),
          {
            [target]: {
              engine: 'milvus',
              container,
              backupDir: '/milvus-backup/backup',
            },
          },
          undefined,
          { docker: { helperImage: BUSYBOX_IMAGE } },
        ),
      );
      const { snapshots, manifest } = await service.backup(target);
      const name = manifest.details.backupName as string;
      expect(name).toMatch(/^safekeep_\d{8}_\d{6}$/);
      expect(snapshots[0].artifacts.map(a => a.name)).toEqual([
        `${name}.tar.chunks.zst`,
      ]);
      expect(
        await execIn(docker, container, ['ls', '-A', '/milvus-backup/backup']),
      ).toBe('');

      await execIn(docker, container, [
        'rm',
        '-rf',
        '/milvus-data/articles',
        '/milvus-data/images',
      ]);
      const restored = await service.restore(target, snapshots[0].id);
      expect(restored.differences).toEqual([]);
      expect(
        await execIn(docker, container, [
          'cat',
          '/milvus-data/articles/segment',
          '/milvus-data/images/segment',
        ]),
      ).toBe('vectors-1\nvectors-2\n');
      expect(
        await execIn(docker, container, ['ls', '-A', '/milvus-backup/backup']),
      ).toBe('');
      expect(await standinCalls(docker, log)).toEqual([
        ['milvus-backup', 'create', '-n', name],
        ['milvus-backup', 'delete', '-n', name],
        ['milvus-backup', 'restore', '-n', name],
        ['milvus-backup', 'delete', '-n', name],
      ]);
    });

    it('clickhouse: BACKUP DATABASE to the backups disk with the password in a config file, RESTORE from it', async () => {
      const target = `${prefix}-analytics`;
      process.env[PASSWORD_ENV] = 'ch-secret-4711';
      try {
        const service = new SnapshotService(
          testConfig(
            tempDir(),
            {
              [target]: {
                engine: 'clickhouse',
                container,
                database: 'analytics',
                user: 'backup',
                password: { env: PASSWORD_ENV },
              },
            },
            undefined,
            { docker: { helperImage: BUSYBOX_IMAGE } },
          ),
        );
        const { snapshots, manifest } = await service.backup(target);
        const name = manifest.details.backupName as string;
        expect(manifest.details).toEqual({
          database: 'analytics',
          backupName: name,
          tables: 2,
        });
        expect(manifest.engine_version).toBe('24.8.4.13');
        expect(await execIn(docker, container, ['ls', '-A', '/backups'])).toBe(
          '',
        );

        await expect(service.restore(target, snapshots[0].id)).rejects.toThrow(
          'the destination is not empty: ClickHouse database analytics has 2 table(s); ClickHouse refuses to restore over existing tables, drop them first',
        );
        await execIn(docker, container, [
          'rm',
          '-rf',
          '/var/lib/clickhouse-standin/analytics',
        ]);
        const restored = await service.restore(target, snapshots[0].id);
        expect(restored.differences).toEqual([]);
        expect(restored.observed).toEqual({ tables: 2 });

        const calls = await standinCalls(docker, log);
        const query = (sql: string) => [
          'clickhouse-client',
          expect.stringMatching(CONFIG_FILE),
          '--query',
          sql,
        ];
        const count =
          "SELECT count() FROM system.tables WHERE database = 'analytics'";
        expect(calls).toEqual([
          query('SELECT version()'),
          query(count),
          query(`BACKUP DATABASE analytics TO Disk('backups', '${name}')`),
          query('SELECT version()'),
          query(count),
          query('SELECT version()'),
          query(count),
          query(`RESTORE DATABASE analytics FROM Disk('backups', '${name}')`),
          query(count),
        ]);
        // The password reached the tool only through the config file: never argv, never container config.
        const info = await docker.getContainer(container).inspect();
        expect(JSON.stringify(info.Config)).not.toContain('ch-secret-4711');
        const execIds = service.docker().execRunner(container).execIds;
        expect(execIds.length).toBeGreaterThan(9);
        for (const id of execIds)
          expect(
            JSON.stringify(await docker.getExec(id).inspect()),
          ).not.toContain('ch-secret-4711');
        expect(JSON.stringify(calls)).not.toContain('ch-secret-4711');
        expect(
          await execIn(docker, container, ['sh', '-c', 'ls -A /tmp']),
        ).toBe('');
      } finally {
        delete process.env[PASSWORD_ENV];
      }
    });
  },
  [BUSYBOX_IMAGE, STANDIN_IMAGE],
);
