import fs from 'node:fs';
import path from 'node:path';
import {
  BUSYBOX_IMAGE,
  describeWithDocker,
  removeTestResources,
  testPrefix,
} from '../testing/dockerHarness';
import { agentContainerSpec } from './agentContainerSpec';
import { DockerRuntime } from './DockerRuntime';
import { defaultDockerSettings } from './dockerSettings';

const request = {
  purpose: 'sibling' as const,
  forName: 'graph db',
  image: 'neo4j:5',
  cmd: ['neo4j-admin', 'database', 'dump', 'neo4j', '--to-path=/safekeep-dump'],
  user: '7474:7474',
  volumes: [
    { volume: 'graph-data', path: '/data', readOnly: false },
    { volume: 'graph-logs', path: '/logs', readOnly: true },
  ],
};

/** Every source file of the agent (not tests) that calls the Docker API's container create. */
function filesCreatingContainers(dir: string): string[] {
  const found: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'testing')
        found.push(...filesCreatingContainers(full));
    } else if (
      /\.ts$/.test(entry.name) &&
      !/\.test\.ts$/.test(entry.name) &&
      /\bcreateContainer\(/.test(fs.readFileSync(full, 'utf8'))
    ) {
      found.push(path.relative(path.join(__dirname, '..'), full));
    }
  }
  return found;
}

describe('the allowlisted spec of containers the agent creates', () => {
  it('is never privileged, has no network, no host namespaces, no added capabilities and only Docker volumes', () => {
    const spec = agentContainerSpec(request);
    expect(spec.name).toMatch(/^safekeep-sibling-graph-db-[0-9a-f]{6}$/);
    expect(spec).toEqual({
      name: spec.name,
      Image: 'neo4j:5',
      Cmd: request.cmd,
      User: '7474:7474',
      Env: [],
      Labels: {
        'safekeep.io/created-by': 'safekeep-agent',
        'safekeep.io/purpose': 'sibling',
        'safekeep.io/for': 'graph db',
      },
      Tty: false,
      AttachStdin: false,
      OpenStdin: false,
      StdinOnce: false,
      AttachStdout: true,
      AttachStderr: true,
      NetworkDisabled: true,
      HostConfig: {
        AutoRemove: false,
        Privileged: false,
        NetworkMode: 'none',
        IpcMode: 'private',
        PidMode: '',
        UTSMode: '',
        UsernsMode: '',
        CapAdd: [],
        SecurityOpt: ['no-new-privileges:true'],
        Binds: [],
        Devices: [],
        PortBindings: {},
        PublishAllPorts: false,
        ReadonlyRootfs: false,
        RestartPolicy: { Name: 'no', MaximumRetryCount: 0 },
        Mounts: [
          {
            Type: 'volume',
            Source: 'graph-data',
            Target: '/data',
            ReadOnly: false,
          },
          {
            Type: 'volume',
            Source: 'graph-logs',
            Target: '/logs',
            ReadOnly: true,
          },
        ],
      },
    });
  });

  it('refuses host paths and odd mount points instead of mounting them', () => {
    const withVolume =
      (volume: string, at = '/data') =>
      () =>
        agentContainerSpec({
          ...request,
          volumes: [{ volume, path: at, readOnly: true }],
        });
    expect(withVolume('/var/run/docker.sock')).toThrow(
      '"/var/run/docker.sock" is not a Docker volume name; the agent mounts Docker volumes only, never host paths',
    );
    expect(withVolume('./data')).toThrow(
      '"./data" is not a Docker volume name',
    );
    expect(withVolume('data', '/')).toThrow(
      '"/" is not a usable mount point in a container (an absolute path other than /)',
    );
    expect(withVolume('data', '/a/../etc')).toThrow(
      '"/a/../etc" is not a usable mount point',
    );
  });

  it('is the only way the agent creates containers', () => {
    expect(filesCreatingContainers(path.join(__dirname, '..'))).toEqual([
      path.join('docker', 'AgentContainer.ts'),
    ]);
    const source = fs.readFileSync(
      path.join(__dirname, 'AgentContainer.ts'),
      'utf8',
    );
    expect(source.match(/createContainer\(/g)).toEqual(['createContainer(']);
    expect(source).toContain('docker.createContainer(spec)');
    expect(source).toContain('const spec = agentContainerSpec(request);');
  });
});

describeWithDocker(
  'the allowlisted spec on a real Docker Engine',
  docker => {
    const prefix = testPrefix('spec');
    afterAll(() => removeTestResources(docker, prefix));

    it('creates a helper exactly as the spec says, which the engine confirms, and removes it', async () => {
      const runtime = new DockerRuntime({
        ...defaultDockerSettings(),
        helperImage: BUSYBOX_IMAGE,
      });
      const volume = `${prefix}-data`;
      await docker.createVolume({ Name: volume });
      const helper = await runtime.createHelper({
        forName: prefix,
        entrypoint: ['tar'],
        cmd: ['-c', '-f', '-', '-C', '/volume', '.'],
        volumes: [{ volume, path: '/volume', readOnly: true }],
      });
      const info = await helper.inspect();
      await helper.remove();
      expect(info.HostConfig).toMatchObject({
        Privileged: false,
        NetworkMode: 'none',
        AutoRemove: false,
        CapAdd: [],
        SecurityOpt: ['no-new-privileges:true'],
        PidMode: '',
        UsernsMode: '',
        PublishAllPorts: false,
      });
      expect(info.HostConfig.Binds ?? []).toEqual([]);
      expect(info.HostConfig.Devices ?? []).toEqual([]);
      expect(info.Mounts).toEqual([
        expect.objectContaining({
          Type: 'volume',
          Name: volume,
          Destination: '/volume',
          RW: false,
        }),
      ]);
      expect(info.Config.Env ?? []).toEqual(['PATH=/bin']);
      await expect(
        docker.getContainer(info.Id).inspect(),
      ).rejects.toMatchObject({ statusCode: 404 });
    });
  },
  [BUSYBOX_IMAGE],
);
