import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type Docker from 'dockerode';
import { SnapshotService } from '../snapshots/SnapshotService';
import {
  BUSYBOX_IMAGE,
  DB_IMAGE,
  describeWithDocker,
  execIn,
  idleUntilStopped,
  removeTestResources,
  startTestContainer,
  testPrefix,
} from '../testing/dockerHarness';
import {
  ServerContainer,
  startPostgresContainer,
  startRedisContainer,
} from '../testing/dockerServers';
import { testConfig } from '../testing/testConfig';

jest.setTimeout(120_000);

const PASSWORD_ENV = 'SAFEKEEP_TEST_PREFLIGHT_PASSWORD';
const PASSWORD = 'preflight-pw-3';

/** What the Docker Engine did to the life of containers named `prefix...` between two moments. */
async function containerEvents(
  docker: Docker,
  prefix: string,
  since: number,
): Promise<string[]> {
  const stream = (await docker.getEvents({
    since: Math.floor(since / 1000),
    until: Math.ceil(Date.now() / 1000),
    filters: { type: ['container'] },
  })) as unknown as NodeJS.ReadableStream;
  let text = '';
  for await (const chunk of stream) text += chunk.toString();
  return (
    text
      .split('\n')
      .filter(Boolean)
      .map(
        line =>
          JSON.parse(line) as {
            Action: string;
            Actor: { Attributes: { name?: string } };
          },
      )
      .filter(e => (e.Actor.Attributes.name ?? '').startsWith(prefix))
      // Lifecycle only: the preflight's own version queries (exec, top) change nothing.
      .filter(e =>
        ['stop', 'kill', 'die', 'pause', 'start', 'restart'].includes(e.Action),
      )
      .map(e => `${e.Actor.Attributes.name} ${e.Action}`)
  );
}

/**
 * A group whose members would all fail: a Postgres login that was revoked, a Redis whose named
 * container has neither the server's RDB nor redis-cli, a Neo4j container that does not exist.
 * The preflight refuses the backup (and the restore) naming each member and its fix, and the
 * Docker Engine's events show that no container was stopped, killed or paused.
 */
describeWithDocker(
  'group preflight refuses before anything is stopped (real Docker Engine)',
  docker => {
    const prefix = testPrefix('preflight');
    // One folder for the suite (the agent lives across its tests), removed at the end.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'safekeep-group-'));
    const app = `${prefix}-app`;
    const tools = `${prefix}-tools`;
    let pg: ServerContainer;
    let cache: ServerContainer;
    let agent: SnapshotService;

    beforeAll(async () => {
      process.env[PASSWORD_ENV] = PASSWORD;
      [pg, cache] = await Promise.all([
        startPostgresContainer(docker, `${prefix}-pg`, PASSWORD),
        startRedisContainer(docker, `${prefix}-cache`, PASSWORD),
        startTestContainer(docker, {
          name: app,
          image: BUSYBOX_IMAGE,
          cmd: idleUntilStopped(),
        }),
        startTestContainer(docker, {
          name: tools,
          image: BUSYBOX_IMAGE,
          cmd: idleUntilStopped(),
        }),
      ]);
      // The agent's role, then its login revoked.
      await execIn(docker, pg.name, [
        'sh',
        '-c',
        `PGPASSWORD="$(cat /tmp/pwfile)" psql -h 127.0.0.1 -p ${pg.port} -U postgres -qc "CREATE ROLE agent LOGIN PASSWORD '${PASSWORD}'; ALTER ROLE agent NOLOGIN"`,
      ]);
      const containers = [app, pg.name, cache.name];
      const targets = ['db', 'cache', 'graph'];
      agent = new SnapshotService(
        testConfig(
          dir,
          {
            db: {
              engine: 'postgres',
              port: pg.port,
              user: 'agent',
              password: { env: PASSWORD_ENV },
              container: pg.name,
            },
            cache: {
              engine: 'redis',
              port: cache.port,
              password: { env: PASSWORD_ENV },
              container: tools,
            },
            graph: { engine: 'neo4j', container: `${prefix}-graph` },
          },
          undefined,
          {
            docker: { helperImage: BUSYBOX_IMAGE },
            groups: {
              stack: { containers, targets, writers: [app] },
              old: { containers, targets, mode: 'stop-all' },
            },
          },
        ),
      );
    });
    afterAll(async () => {
      delete process.env[PASSWORD_ENV];
      await removeTestResources(docker, prefix);
      fs.rmSync(dir, { recursive: true, force: true });
    });

    const expectEveryMemberNamed = (error: string | undefined) => {
      expect(error).toMatch(
        /^group \S+: refused before anything was stopped: /,
      );
      expect(error).toContain(
        `target db: cannot connect to PostgreSQL at 127.0.0.1:${pg.port} as agent (database "postgres"): role "agent" is not permitted to log in`,
      );
      expect(error).toContain(
        `target cache: container ${tools} does not run the Redis server (docker top shows no redis-server or valkey-server), so its RDB file cannot be copied from there, and redis-cli cannot run in container ${tools}`,
      );
      expect(error).toContain(
        `name the container the server runs in (targets.cache.container), where its RDB file is copied from, or install redis-cli in it`,
      );
      expect(error).toContain(
        `target graph: container ${prefix}-graph does not exist on the Docker Engine; fix targets.graph.container`,
      );
    };

    it.each(['stack', 'old'])(
      'group %s: the backup is refused naming each member, and no container was stopped',
      async group => {
        const since = Date.now();
        const result = await agent.backupGroup(group);
        expectEveryMemberNamed(result.error);
        expect(result.snapshots).toEqual([]);
        expect(result.stoppedContainers).toEqual([]);
        expect(result.members.map(m => m.state)).toEqual([
          'not run',
          'not run',
          'not run',
        ]);
        expect(await containerEvents(docker, prefix, since)).toEqual([]);
      },
    );

    it('a group restore is refused the same way before anything is stopped', async () => {
      const since = Date.now();
      await expect(
        agent.restoreGroup('stack', {
          snapshotIds: { db: 'x', cache: 'x', graph: 'x' },
        }),
      ).rejects.toThrow(/^group stack: refused before anything was stopped: /);
      expect(await containerEvents(docker, prefix, since)).toEqual([]);
    });
  },
  [DB_IMAGE, BUSYBOX_IMAGE],
);
