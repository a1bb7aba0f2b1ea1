import { SnapshotService } from '../../snapshots/SnapshotService';
import {
  BUSYBOX_IMAGE,
  describeWithDocker,
  idleUntilStopped,
  leftoverAgentContainers,
  listVolume,
  removeTestResources,
  runOnce,
  standinCalls,
  startTestContainer,
  STANDIN_IMAGE,
  testPrefix,
} from '../../testing/dockerHarness';
import { useTempDir } from '../../testing/tempDir';
import { testConfig } from '../../testing/testConfig';

jest.setTimeout(90_000);

/**
 * Neo4j is not installable here: the container runs the stand-in image, whose "server" holds
 * /data/databases/store_lock while it runs (the stand-in neo4j-admin refuses to work then,
 * like the real one), and whose neo4j-admin dumps a database as a tar of its folder.
 */
describeWithDocker(
  'neo4j engine: neo4j-admin in a sibling container while the database container is stopped (stand-in image)',
  docker => {
    const prefix = testPrefix('neo4j');
    const container = `${prefix}-graph`;
    const data = `${prefix}-data`;
    const log = `${prefix}-log`;
    const target = `${prefix}-graph`;
    const tempDir = useTempDir();

    const running = async () =>
      (await docker.getContainer(container).inspect()).State.Running;

    beforeAll(async () => {
      await docker.createVolume({ Name: data });
      await docker.createVolume({ Name: log });
      await runOnce(
        docker,
        BUSYBOX_IMAGE,
        [
          'sh',
          '-c',
          'mkdir -p /data/databases/neo4j/store && echo nodes-1-2-3 > /data/databases/neo4j/store/nodes && echo rels > /data/databases/neo4j/store/rels',
        ],
        [{ volume: data, path: '/data' }],
      );
      await startTestContainer(docker, {
        name: container,
        image: STANDIN_IMAGE,
        cmd: idleUntilStopped(
          'touch /data/databases/store_lock',
          'rm -f /data/databases/store_lock',
        ),
        volumes: [
          { volume: data, path: '/data' },
          { volume: log, path: '/standin-log' },
        ],
      });
    });
    afterAll(() => removeTestResources(docker, prefix));

    it('dumps while the container is stopped, starts it again, records the downtime, and loads the dump back', async () => {
      const service = new SnapshotService(
        testConfig(
          tempDir(),
          { [target]: { engine: 'neo4j', container } },
          undefined,
          { docker: { helperImage: BUSYBOX_IMAGE, stopTimeoutSeconds: 5 } },
        ),
      );
      const original = await listVolume(docker, data);

      const { snapshots, manifest } = await service.backup(target);
      expect(snapshots[0].artifacts.map(a => a.name)).toEqual([
        'neo4j.dump.chunks.zst',
      ]);
      expect(manifest.details).toEqual({
        database: 'neo4j',
        downtimeMs: expect.any(Number),
      });
      expect(manifest.details.downtimeMs as number).toBeGreaterThan(0);
      expect(await running()).toBe(true);
      expect(await standinCalls(docker, log)).toEqual([
        [
          'neo4j-admin',
          'database',
          'dump',
          'neo4j',
          '--to-path=/safekeep-dump',
        ],
      ]);

      // The database changes; the restore loads the dump back while the container is stopped.
      await runOnce(
        docker,
        BUSYBOX_IMAGE,
        [
          'sh',
          '-c',
          'echo changed > /data/databases/neo4j/store/nodes && rm /data/databases/neo4j/store/rels',
        ],
        [{ volume: data, path: '/data' }],
      );
      await expect(service.restore(target, snapshots[0].id)).rejects.toThrow(
        /the destination is not empty: Neo4j database neo4j exists in volume .*-data \(1 entries in databases\/neo4j\)/,
      );
      const restored = await service.restore(target, snapshots[0].id, {
        force: true,
      });
      expect(restored.differences).toEqual([]);
      expect(await standinCalls(docker, log)).toEqual([
        [
          'neo4j-admin',
          'database',
          'dump',
          'neo4j',
          '--to-path=/safekeep-dump',
        ],
        [
          'neo4j-admin',
          'database',
          'load',
          'neo4j',
          '--from-path=/safekeep-load',
          '--overwrite-destination=true',
        ],
      ]);
      expect(await running()).toBe(true);
      expect(await listVolume(docker, data)).toBe(original);
      expect(await leftoverAgentContainers(docker, prefix)).toEqual([]);
    });

    it('fails the backup when neo4j-admin fails, starts the container again and removes the sibling', async () => {
      const service = new SnapshotService(
        testConfig(
          tempDir(),
          { [target]: { engine: 'neo4j', container, database: 'missing' } },
          undefined,
          { docker: { helperImage: BUSYBOX_IMAGE, stopTimeoutSeconds: 5 } },
        ),
      );
      await expect(service.backup(target)).rejects.toThrow(
        new RegExp(
          `^neo4j-admin database dump missing failed in a sibling of ${container}: the sibling container safekeep-sibling-${target}-[0-9a-f]{6} \\(sha256:[0-9a-f]+\\) exited with code 1: Database does not exist: missing$`,
        ),
      );
      expect(await running()).toBe(true);
      expect(await leftoverAgentContainers(docker, prefix)).toEqual([]);
      expect(await service.list(target)).toEqual([]);
    });

    it('refuses a container that keeps its data in a bind mount', async () => {
      const bound = `${prefix}-bound`;
      await docker.createContainer({
        name: bound,
        Image: STANDIN_IMAGE,
        Cmd: ['true'],
        HostConfig: { Binds: ['/tmp:/data'] },
      });
      const service = new SnapshotService(
        testConfig(
          tempDir(),
          { [target]: { engine: 'neo4j', container: bound } },
          undefined,
          { docker: { helperImage: BUSYBOX_IMAGE } },
        ),
      );
      await expect(service.backup(target)).rejects.toThrow(
        `container ${bound} keeps /data in a bind mount of the host folder /tmp; a sibling container only gets Docker volumes: move the data into a named volume, or back that folder up with the directory engine`,
      );
    });
  },
  [BUSYBOX_IMAGE, STANDIN_IMAGE],
);
