import { randomBytes } from 'node:crypto';
import { SnapshotService } from '../../snapshots/SnapshotService';
import { PrivateRedisServer } from '../../testing/PrivateRedisServer';
import { describeWithService } from '../../testing/services';
import { useTempDir } from '../../testing/tempDir';
import { testConfig } from '../../testing/testConfig';

jest.setTimeout(60_000);

const PASSWORD_ENV = 'SAFEKEEP_TEST_REDIS_PIPELINE_PASSWORD';

/** The redis engine behind the real agent pipeline, on a redis-server of the test's own. */
describeWithService(
  'SAFEKEEP_TEST_REDIS_URL',
  'redis engine through the snapshot service',
  () => {
    const tempDir = useTempDir();
    let server: PrivateRedisServer;

    beforeEach(async () => {
      server = await PrivateRedisServer.start();
      process.env[PASSWORD_ENV] = server.password;
    });
    afterEach(async () => {
      await server.destroy();
      delete process.env[PASSWORD_ENV];
    });

    it('backs up, refuses a non-empty destination, and restores with force (replace-file)', async () => {
      const prefix = `safekeep_test_${randomBytes(4).toString('hex')}`;
      const client = await server.connect(0);
      await client.mset(`${prefix}:a`, '1', `${prefix}:b`, '2');
      const config = testConfig(tempDir(), {
        cache: {
          engine: 'redis',
          port: server.port,
          password: { env: PASSWORD_ENV },
          rdbPath: server.rdbPath,
          restore: {
            mode: 'replace-file',
            stopCommand: server.stopCommand,
            startCommand: server.startCommand,
          },
        },
      });
      const service = new SnapshotService(config);
      const { snapshots, manifest } = await service.backup('cache');
      expect(snapshots[0].artifacts.map(a => a.name)).toEqual([
        'dump.rdb.chunks.zst',
      ]);
      expect(manifest.details).toMatchObject({
        keys: 2,
        databases: { db0: { keys: 2 } },
      });

      await client.del(`${prefix}:a`);
      client.disconnect();
      await expect(service.restore('cache', snapshots[0].id)).rejects.toThrow(
        /the destination is not empty: Redis at 127\.0\.0\.1:\d+ holds 1 key\(s\)/,
      );
      const restored = await service.restore('cache', snapshots[0].id, {
        force: true,
      });
      expect(restored.differences).toEqual([]);
      const after = await server.connect(0);
      expect(await after.mget(`${prefix}:a`, `${prefix}:b`)).toEqual([
        '1',
        '2',
      ]);
      after.disconnect();
    });
  },
);
