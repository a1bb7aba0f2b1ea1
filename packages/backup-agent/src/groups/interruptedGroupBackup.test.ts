import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import {
  BUSYBOX_IMAGE,
  describeWithDocker,
  eventually,
  idleUntilStopped,
  leftoverAgentContainers,
  removeTestResources,
  runOnce,
  startTestContainer,
  STANDIN_IMAGE,
  testPrefix,
} from '../testing/dockerHarness';
import { useTempDir } from '../testing/tempDir';

jest.setTimeout(120_000);

const BIN = path.resolve(__dirname, '../../bin/safekeep-agent');

/**
 * The unhandled path: the agent is killed (SIGTERM) while a group backup has the containers
 * stopped (and a volume's raw copy in staging). The real CLI runs as a child process; its member dump is slowed down by the
 * stand-in, so the signal arrives while the containers are down.
 */
describeWithDocker(
  'a group backup interrupted by SIGTERM starts the stopped containers before the agent exits',
  docker => {
    const prefix = testPrefix('sigterm');
    const tempDir = useTempDir();
    let child: ChildProcess | undefined;
    afterAll(async () => {
      child?.kill('SIGKILL');
      await removeTestResources(docker, prefix);
    });

    it('restarts them and exits 143', async () => {
      const data = `${prefix}-data`;
      const app = `${prefix}-app`;
      const graph = `${prefix}-graph`;
      const files = `${prefix}-files`;
      await docker.createVolume({ Name: data });
      await docker.createVolume({ Name: files });
      await runOnce(
        docker,
        BUSYBOX_IMAGE,
        ['sh', '-c', 'head -c 100000 /dev/urandom > /f/upload.bin'],
        [{ volume: files, path: '/f' }],
      );
      await runOnce(
        docker,
        BUSYBOX_IMAGE,
        [
          'sh',
          '-c',
          'mkdir -p /d/databases/neo4j && echo n > /d/databases/neo4j/x && echo 30 > /d/.standin-slow',
        ],
        [{ volume: data, path: '/d' }],
      );
      await startTestContainer(docker, {
        name: app,
        image: BUSYBOX_IMAGE,
        cmd: idleUntilStopped(),
      });
      await startTestContainer(docker, {
        name: graph,
        image: STANDIN_IMAGE,
        cmd: idleUntilStopped(),
        volumes: [{ volume: data, path: '/data' }],
      });

      const dir = tempDir();
      const config = path.join(dir, 'agent.yaml');
      fs.writeFileSync(
        config,
        YAML.stringify({
          agent: {
            name: 'sigterm-test',
            token: { env: 'SAFEKEEP_TEST_SIGTERM_TOKEN' },
            staging: './staging',
          },
          storage: { local: { type: 'filesystem', path: './snapshots' } },
          docker: { helperImage: BUSYBOX_IMAGE, stopTimeoutSeconds: 5 },
          targets: {
            [graph]: { engine: 'neo4j', container: graph },
            uploads: { engine: 'volume', volume: files },
          },
          groups: {
            stack: { containers: [app, graph], targets: [graph, 'uploads'] },
          },
        }),
      );
      child = spawn(
        process.execPath,
        [BIN, 'backup', '--config', config, '--group', 'stack'],
        {
          env: { ...process.env, SAFEKEEP_TEST_SIGTERM_TOKEN: 'x' },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let stderr = '';
      child.stderr!.on('data', chunk => (stderr += chunk));
      const exited = new Promise<number | null>(resolve =>
        child!.on('exit', code => resolve(code)),
      );

      const running = async (name: string) =>
        (await docker.getContainer(name).inspect()).State.Running;
      await eventually(
        async () => !(await running(app)) && !(await running(graph)),
        'the group stopping its containers',
        60_000,
      );
      await eventually(
        async () =>
          (await leftoverAgentContainers(docker, prefix)).length === 1,
        'the sibling container running neo4j-admin',
        30_000,
      );
      // The volume's raw copy waits in staging for the slow Neo4j dump to end the cut.
      const staged = () =>
        fs.existsSync(path.join(dir, 'staging'))
          ? fs
              .readdirSync(path.join(dir, 'staging'))
              .filter(name => name.startsWith('cut-'))
          : [];
      await eventually(
        async () => staged().length === 1,
        'the volume copied into staging',
        30_000,
      );
      child.kill('SIGTERM');
      expect(await exited).toBe(143);
      // The exit hooks deleted the staged copy that no finally got to.
      expect(staged()).toEqual([]);
      // The cut stopped the writer (app); the Neo4j dump stopped its own container (graph).
      expect(stderr).toContain(
        `starting ${app} again (stopped by the backup of group "stack") before the agent exits`,
      );
      expect(stderr).toContain(
        `starting ${graph} again (stopped by the Neo4j dump of target ${graph}) before the agent exits`,
      );
      expect(await running(app)).toBe(true);
      expect(await running(graph)).toBe(true);
      // The sibling running neo4j-admin was removed too.
      expect(await leftoverAgentContainers(docker, prefix)).toEqual([]);
    });
  },
  [BUSYBOX_IMAGE, STANDIN_IMAGE],
);
