import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { DropRefusedError } from '../../snapshots/errors';
import { SnapshotService } from '../../snapshots/SnapshotService';
import { craftSnapshot } from '../../testing/craftSnapshot';
import {
  BUSYBOX_IMAGE,
  describeWithDocker,
  leftoverAgentContainers,
  listVolume,
  removeTestResources,
  runOnce,
  startTestContainer,
  testPrefix,
} from '../../testing/dockerHarness';
import { useTempDir } from '../../testing/tempDir';
import { testConfig } from '../../testing/testConfig';

jest.setTimeout(90_000);

/** Fills a volume the way an application would: nested folders, owners, modes, a relative link, a dotfile. */
const FILL = [
  'mkdir -p /v/db/base /v/uploads/2026',
  'echo "row 1" > /v/db/base/table.dat && head -c 300000 /dev/urandom > /v/db/base/blob.bin',
  'echo secret-config > /v/.env && chmod 640 /v/.env',
  'ln -s ../db/base/table.dat /v/uploads/latest',
  'echo photo > /v/uploads/2026/a.jpg',
  'chown -R 999:999 /v/db && chmod 700 /v/db',
].join(' && ');

describeWithDocker(
  'volume engine through the snapshot service (real Docker Engine)',
  docker => {
    const prefix = testPrefix('vol');
    const volume = `${prefix}-data`;
    const tempDir = useTempDir();
    let service: SnapshotService;

    beforeAll(async () => {
      await docker.createVolume({ Name: volume });
      await runOnce(
        docker,
        BUSYBOX_IMAGE,
        ['sh', '-c', FILL],
        [{ volume, path: '/v' }],
      );
    });
    afterAll(() => removeTestResources(docker, prefix));
    beforeEach(() => {
      service = new SnapshotService(
        testConfig(
          tempDir(),
          { [`${prefix}-files`]: { engine: 'volume', volume } },
          undefined,
          { docker: { helperImage: BUSYBOX_IMAGE } },
        ),
      );
    });

    it('round-trips a volume through a helper container: owners, modes, links and bytes come back exactly', async () => {
      const target = `${prefix}-files`;
      const original = await listVolume(docker, volume);
      const { snapshots, manifest } = await service.backup(target);
      expect(snapshots[0].artifacts.map(a => a.name)).toEqual([
        `${volume}.tar.chunks.zst`,
      ]);
      expect(manifest.details).toEqual({
        volume,
        files: 4,
        bytes: 300000 + 6 + 14 + 6,
      });

      await runOnce(
        docker,
        BUSYBOX_IMAGE,
        ['sh', '-c', 'rm -rf /v/uploads && echo new > /v/added'],
        [{ volume, path: '/v' }],
      );
      await expect(service.restore(target, snapshots[0].id)).rejects.toThrow(
        `the destination is not empty: Docker volume ${volume} holds 3 entries`,
      );

      // A running container that uses the volume blocks the restore, and nothing changes.
      const user = `${prefix}-user`;
      await startTestContainer(docker, {
        name: user,
        image: BUSYBOX_IMAGE,
        cmd: ['sleep', '3600'],
        volumes: [{ volume, path: '/data' }],
      });
      const changed = await listVolume(docker, volume);
      await expect(
        service.restore(target, snapshots[0].id, { force: true }),
      ).rejects.toThrow(
        `volume ${volume} is used by running container(s) ${user}: stop them first (or restore as a consistency group, which stops them); nothing was changed`,
      );
      expect(await listVolume(docker, volume)).toBe(changed);
      await docker.getContainer(user).remove({ force: true });

      const restored = await service.restore(target, snapshots[0].id, {
        force: true,
      });
      expect(restored.differences).toEqual([]);
      expect(await listVolume(docker, volume)).toBe(original);

      // Into a volume that does not exist yet.
      const copy = `${prefix}-copy`;
      const elsewhere = await service.restore(target, snapshots[0].id, {
        destination: copy,
      });
      expect(elsewhere.destination).toBe(`Docker volume ${copy}`);
      expect(await listVolume(docker, copy)).toBe(original);
      expect(await leftoverAgentContainers(docker, prefix)).toEqual([]);
    });

    it('in a cut, copies the volume raw into staging through the archive API and restores it exactly', async () => {
      const target = `${prefix}-files`;
      const writer = `${prefix}-cut-writer`;
      await startTestContainer(docker, {
        name: writer,
        image: BUSYBOX_IMAGE,
        cmd: ['sleep', '3600'],
        volumes: [{ volume, path: '/data' }],
      });
      const dir = tempDir();
      const grouped = new SnapshotService(
        testConfig(dir, { [target]: { engine: 'volume', volume } }, undefined, {
          docker: { helperImage: BUSYBOX_IMAGE, stopTimeoutSeconds: 1 },
          groups: { app: { containers: [writer], targets: [target] } },
        }),
      );
      const original = await listVolume(docker, volume);
      const backup = await grouped.backupGroup('app');
      expect(backup.error).toBeUndefined();
      expect(backup.stoppedContainers).toEqual([writer]);
      expect(backup.members[0].pointInTime).toMatch(/copied to staging/);
      // Stored after the writer ran again, and the staged copy is gone.
      expect(backup.members[0].phases.streamMs).toEqual(expect.any(Number));
      expect(fs.readdirSync(path.join(dir, 'staging'))).toEqual([]);
      expect(backup.snapshots[0].artifacts.map(a => a.name)).toEqual([
        `${volume}.tar.chunks.zst`,
      ]);

      await docker.getContainer(writer).remove({ force: true });
      const restored = await grouped.restore(target, backup.snapshots[0].id, {
        force: true,
        destination: `${prefix}-cut-copy`,
      });
      expect(restored.differences).toEqual([]);
      expect(await listVolume(docker, `${prefix}-cut-copy`)).toBe(original);
    });

    it('refuses an archive with unsafe entries and leaves the volume as it was', async () => {
      const target = `${prefix}-files`;
      const before = await listVolume(docker, volume);
      // A tar made by busybox in a container: a link out of the volume, then a file written through it.
      const evil = await runOnce(docker, BUSYBOX_IMAGE, [
        'sh',
        '-c',
        'mkdir -p /w && cd /w && ln -s /etc escape && echo ok > fine.txt && tar -c -f - . | base64',
      ]);
      await craftSnapshot({
        service,
        target,
        engine: 'volume',
        id: '20260101T000000Z',
        artifacts: [
          {
            name: `${volume}.tar`,
            stream: Readable.from([Buffer.from(evil, 'base64')]),
          },
        ],
      });
      await expect(
        service.restore(target, '20260101T000000Z', { force: true }),
      ).rejects.toThrow(
        'the archive is unsafe and was not restored: symlink "./escape" points to the absolute path "/etc", outside the target',
      );
      expect(await listVolume(docker, volume)).toBe(before);
      expect(
        await runOnce(
          docker,
          BUSYBOX_IMAGE,
          ['ls', '-A', '/v'],
          [{ volume, path: '/v' }],
        ),
      ).not.toMatch(/safekeep-restore/);
      expect(await leftoverAgentContainers(docker, prefix)).toEqual([]);
    });

    const volumeExists = (name: string) =>
      docker
        .getVolume(name)
        .inspect()
        .then(
          () => true,
          () => false,
        );

    it("removes a drill's scratch volume, says so when it is gone, and refuses the target's own volume", async () => {
      const target = `${prefix}-files`;
      const original = await listVolume(docker, volume);
      const { snapshots } = await service.backup(target);
      const drill = `${prefix}-drill`;
      await service.restore(target, snapshots[0].id, { destination: drill });
      expect(await listVolume(docker, drill)).toBe(original);

      expect(await service.dropDestination(target, drill)).toEqual({
        target,
        destination: drill,
        message: `removed Docker volume ${drill} on unix:///var/run/docker.sock`,
      });
      expect(await volumeExists(drill)).toBe(false);
      expect((await service.dropDestination(target, drill)).message).toBe(
        `Docker volume ${drill} does not exist on unix:///var/run/docker.sock; nothing to drop`,
      );

      const own = service.dropDestination(target, volume);
      await expect(own).rejects.toThrow(DropRefusedError);
      await expect(own).rejects.toThrow(
        `refusing to remove Docker volume ${volume}: it is the target's own volume; only a restore destination elsewhere can be dropped`,
      );
      expect(await listVolume(docker, volume)).toBe(original);
      expect(await leftoverAgentContainers(docker, prefix)).toEqual([]);
    });

    it('refuses a volume that a container uses, running or stopped, and names the containers', async () => {
      const target = `${prefix}-files`;
      const busy = `${prefix}-busy`;
      await docker.createVolume({ Name: busy });
      await runOnce(
        docker,
        BUSYBOX_IMAGE,
        ['sh', '-c', 'echo app data > /v/kept.txt'],
        [{ volume: busy, path: '/v' }],
      );
      const running = `${prefix}-app`;
      const stopped = `${prefix}-app-old`;
      await startTestContainer(docker, {
        name: running,
        image: BUSYBOX_IMAGE,
        cmd: ['sleep', '3600'],
        volumes: [{ volume: busy, path: '/data' }],
      });
      await startTestContainer(docker, {
        name: stopped,
        image: BUSYBOX_IMAGE,
        cmd: ['true'],
        volumes: [{ volume: busy, path: '/data' }],
        start: false,
      });

      const refused = service.dropDestination(target, busy);
      await expect(refused).rejects.toThrow(DropRefusedError);
      await expect(refused).rejects.toThrow(
        `refusing to remove Docker volume ${busy}: container(s) ${running} (running), ${stopped} (created) use it; a restore destination is used by no container (remove them first if it really is scratch)`,
      );
      expect(
        await runOnce(
          docker,
          BUSYBOX_IMAGE,
          ['cat', '/v/kept.txt'],
          [{ volume: busy, path: '/v' }],
        ),
      ).toBe('app data\n');

      // Once no container is left, it is an unused volume like any scratch one.
      await docker.getContainer(running).remove({ force: true });
      await expect(service.dropDestination(target, busy)).rejects.toThrow(
        `container(s) ${stopped} (created) use it`,
      );
      await docker.getContainer(stopped).remove({ force: true });
      expect((await service.dropDestination(target, busy)).message).toBe(
        `removed Docker volume ${busy} on unix:///var/run/docker.sock`,
      );
      expect(await volumeExists(busy)).toBe(false);
    });

    it('says when the volume does not exist', async () => {
      const missing = new SnapshotService(
        testConfig(
          tempDir(),
          {
            [`${prefix}-gone`]: {
              engine: 'volume',
              volume: `${prefix}-absent`,
            },
          },
          undefined,
          { docker: { helperImage: BUSYBOX_IMAGE } },
        ),
      );
      await expect(missing.backup(`${prefix}-gone`)).rejects.toThrow(
        new RegExp(
          `^Docker volume ${prefix}-absent does not exist on unix:///var/run/docker.sock; check targets.${prefix}-gone.volume \\(docker volume ls\\)$`,
        ),
      );
    });
  },
  [BUSYBOX_IMAGE],
);
