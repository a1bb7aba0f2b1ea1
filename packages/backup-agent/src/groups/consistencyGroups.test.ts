import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import request from 'supertest';
import type {
  AgentJob,
  SnapshotManifest,
} from '@safekeep/plugin-backups-common';
import Redis from 'ioredis';
import { AgentServer, startAgentServer } from '../http/startAgentServer';
import { craftSnapshot } from '../testing/craftSnapshot';
import {
  BUSYBOX_IMAGE,
  DB_IMAGE,
  describeWithDocker,
  idleUntilStopped,
  leftoverAgentContainers,
  listVolume,
  removeTestResources,
  runOnce,
  startTestContainer,
  STANDIN_IMAGE,
  testPrefix,
} from '../testing/dockerHarness';
import { ServerContainer, startRedisContainer } from '../testing/dockerServers';

jest.setTimeout(120_000);

const TOKEN = 'group-test-token-42-a7c3e9f1b5d2';
const PASSWORD_ENV = 'SAFEKEEP_TEST_GROUP_REDIS_PASSWORD';
const PASSWORD = 'gr0up-redis-pw';

/**
 * A stack like seed 000/001: an application container writing to a volume, a Neo4j container
 * (stand-in), a Redis cache, and a backup sidecar that must never be stopped. The agent runs
 * with its HTTP API; jobs are started and read as the backend would.
 */
describeWithDocker(
  'consistency groups and label discovery (real Docker Engine, HTTP API)',
  docker => {
    const prefix = testPrefix('group');
    const stackLabel = { 'com.example.stack': prefix };
    const app = `${prefix}-app`;
    const graph = `${prefix}-graph`;
    const sidecar = `${prefix}-backup-sidecar`;
    const uploads = `${prefix}-uploads`;
    const graphData = `${prefix}-graph-data`;
    // One folder for the whole suite: the agent and its snapshots live across the tests.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'safekeep-group-'));
    let cache: ServerContainer;
    let agent: AgentServer;

    const api = () => request(agent.url);
    const auth = { Authorization: `Bearer ${TOKEN}` };
    const finished = async (id: string): Promise<AgentJob> => {
      await agent.jobs.waitFor(id);
      return (await api().get(`/v1/jobs/${id}`).set(auth).expect(200)).body;
    };
    const state = async (name: string) =>
      (await docker.getContainer(name).inspect()).State;
    const manifestOf = async (
      target: string,
      id: string,
    ): Promise<SnapshotManifest> => {
      const read = await agent.service
        .storage('local')
        .readManifest({ target, id });
      if (read.status !== 'ok')
        throw new Error(`no manifest for ${target}/${id}`);
      return read.manifest;
    };
    const redis = async () => {
      const client = new Redis({
        host: '127.0.0.1',
        port: cache.port,
        password: PASSWORD,
        lazyConnect: true,
      });
      await client.connect();
      return client;
    };

    beforeAll(async () => {
      process.env[PASSWORD_ENV] = PASSWORD;
      process.env.SAFEKEEP_TEST_GROUP_TOKEN = TOKEN;
      await docker.createVolume({ Name: uploads });
      await docker.createVolume({ Name: graphData });
      await runOnce(
        docker,
        BUSYBOX_IMAGE,
        ['sh', '-c', 'mkdir -p /u/2026 && echo first > /u/2026/a.txt'],
        [{ volume: uploads, path: '/u' }],
      );
      await runOnce(
        docker,
        BUSYBOX_IMAGE,
        [
          'sh',
          '-c',
          'mkdir -p /d/databases/neo4j && echo nodes > /d/databases/neo4j/nodes',
        ],
        [{ volume: graphData, path: '/d' }],
      );
      [cache] = await Promise.all([
        startRedisContainer(docker, `${prefix}-cache`, PASSWORD, port => ({
          ...stackLabel,
          'safekeep.io/engine': 'redis',
          'safekeep.io/target': `${prefix}-labelled-cache`,
          'safekeep.io/port': String(port),
          'safekeep.io/password-env': PASSWORD_ENV,
        })),
        startTestContainer(docker, {
          name: app,
          image: BUSYBOX_IMAGE,
          cmd: idleUntilStopped(),
          labels: stackLabel,
          volumes: [{ volume: uploads, path: '/uploads' }],
        }),
        startTestContainer(docker, {
          name: graph,
          image: STANDIN_IMAGE,
          cmd: idleUntilStopped(
            'touch /data/databases/store_lock',
            'rm -f /data/databases/store_lock',
          ),
          labels: stackLabel,
          volumes: [{ volume: graphData, path: '/data' }],
        }),
        startTestContainer(docker, {
          name: sidecar,
          image: BUSYBOX_IMAGE,
          cmd: idleUntilStopped(),
          labels: stackLabel,
        }),
        // Labels that must not become a target: a secret in a label is refused.
        startTestContainer(docker, {
          name: `${prefix}-leaky`,
          image: BUSYBOX_IMAGE,
          cmd: idleUntilStopped(),
          labels: {
            'safekeep.io/engine': 'postgres',
            'safekeep.io/password': 'in-a-label',
          },
        }),
      ]);
      const client = await redis();
      await client.set('session:1', 'alice');
      client.disconnect();

      const selector = { label: `com.example.stack=${prefix}` };
      const exclude = [`${prefix}-backup-`];
      agent = await startAgentServer(
        {
          agent: {
            name: 'group-test',
            listen: { host: '127.0.0.1', port: 0 },
            token: { env: 'SAFEKEEP_TEST_GROUP_TOKEN' },
            staging: './staging',
          },
          storage: { local: { type: 'filesystem', path: './snapshots' } },
          docker: { helperImage: BUSYBOX_IMAGE, stopTimeoutSeconds: 5 },
          targets: {
            cache: {
              engine: 'redis',
              port: cache.port,
              password: { env: PASSWORD_ENV },
              container: cache.name,
            },
            uploads: { engine: 'volume', volume: uploads },
            graph: { engine: 'neo4j', container: graph },
            'graph-missing': {
              engine: 'neo4j',
              container: graph,
              database: 'missing',
            },
          },
          groups: {
            stack: {
              selector,
              exclude,
              targets: ['cache', 'uploads', 'graph'],
            },
            broken: {
              mode: 'stop-all',
              selector,
              exclude,
              targets: ['cache', 'uploads', 'graph-missing', 'graph'],
            },
          },
        },
        { baseDir: dir, log: () => undefined },
      );
    });
    afterAll(async () => {
      await agent?.close();
      delete process.env[PASSWORD_ENV];
      await removeTestResources(docker, prefix);
      fs.rmSync(dir, { recursive: true, force: true });
    });

    const stopped = [app, graph, `${prefix}-cache`];

    it('lists the groups with the containers they stop now and those excluded', async () => {
      const { groups } = (await api().get('/v1/groups').set(auth).expect(200))
        .body;
      expect(groups).toEqual(
        expect.arrayContaining([
          {
            name: 'stack',
            source: 'config',
            mode: 'cut',
            targets: ['cache', 'uploads', 'graph'],
            // The stores' own containers (cache, graph) are not writers.
            writers: [app],
            containers: [...stopped].sort(),
            excluded: expect.arrayContaining([
              {
                container: sidecar,
                reason: `name starts with "${prefix}-backup-" (exclude)`,
              },
            ]),
          },
        ]),
      );
    });

    it('lists labelled containers as targets (source label) and backs one up', async () => {
      const { targets } = (await api().get('/v1/targets').set(auth).expect(200))
        .body;
      expect(targets).toEqual(
        expect.arrayContaining([
          {
            name: 'cache',
            engine: 'redis',
            tiers: ['local'],
            source: 'config',
            destinations: [],
          },
          {
            name: `${prefix}-labelled-cache`,
            engine: 'redis',
            tiers: ['local'],
            source: 'label',
            destinations: [],
          },
        ]),
      );
      expect(targets.map((t: { name: string }) => t.name)).not.toContain(
        `${prefix}-leaky`,
      );
      const job = await finished(
        (
          await api()
            .post('/v1/backups')
            .set(auth)
            .send({ target: `${prefix}-labelled-cache` })
            .expect(202)
        ).body.id,
      );
      expect(job.error).toBeUndefined();
      expect(job.state).toBe('succeeded');
      expect(job.details).toMatchObject({ keys: 1 });
    });

    it('a failing member fails the group backup, yet every stopped container runs again and the downtime is recorded', async () => {
      const startedBefore = Object.fromEntries(
        await Promise.all(
          [...stopped, sidecar].map(async n => [n, (await state(n)).StartedAt]),
        ),
      );
      const started = (
        await api()
          .post('/v1/backups')
          .set(auth)
          .send({ group: 'broken' })
          .expect(202)
      ).body;
      expect(started).toMatchObject({
        kind: 'backup',
        subject: { kind: 'group', name: 'broken' },
        state: 'running',
      });
      // Its members are locked while it runs.
      expect(
        (
          await api()
            .post('/v1/backups')
            .set(auth)
            .send({ target: 'cache' })
            .expect(409)
        ).body.error,
      ).toMatch(
        /^target "cache" already has a backup job running \(as part of group "broken"\)/,
      );

      const job = await finished(started.id);
      expect(job.state).toBe('failed');
      expect(job.error).toMatch(
        /^group broken: target graph-missing failed: neo4j-admin database dump missing failed in a sibling of .*: Database does not exist: missing$/,
      );
      expect(job.downtimeMs).toBeGreaterThan(0);
      expect(job.details).toMatchObject({
        members: [
          { target: 'cache', state: 'stored' },
          { target: 'uploads', state: 'stored' },
          { target: 'graph-missing', state: 'failed' },
          { target: 'graph', state: 'not run' },
        ],
        containers: stopped.sort().map(container => ({
          container,
          wasRunning: true,
          state: 'running',
        })),
        excluded: [
          {
            container: sidecar,
            reason: `name starts with "${prefix}-backup-" (exclude)`,
          },
        ],
      });
      for (const name of stopped) {
        const now = await state(name);
        expect(now.Running).toBe(true);
        // Stopped and started (a new start time), never paused.
        expect(now.StartedAt).not.toBe(startedBefore[name]);
        expect(now.Paused).toBe(false);
      }
      expect((await state(sidecar)).StartedAt).toBe(startedBefore[sidecar]);

      expect(job.snapshots!.map(s => s.target)).toEqual(['cache', 'uploads']);
      const manifest = await manifestOf('cache', job.snapshots![0].id);
      expect(manifest.details.group).toEqual({
        name: 'broken',
        runId: (job.details as { runId: string }).runId,
        mode: 'stop-all',
        cutAt: null,
        members: ['cache', 'uploads', 'graph-missing', 'graph'],
        stoppedContainers: stopped.sort(),
        downtimeMs: job.downtimeMs,
        complete: false,
      });
      expect(await leftoverAgentContainers(docker, 'graph')).toEqual([]);
    });

    it('backs up the whole group, then a failed group restore leaves the containers stopped and says so; a good one starts them', async () => {
      const backup = await finished(
        (
          await api()
            .post('/v1/backups')
            .set(auth)
            .send({ group: 'stack' })
            .expect(202)
        ).body.id,
      );
      expect(backup.error).toBeUndefined();
      expect(backup.state).toBe('succeeded');
      expect(backup.snapshots!.map(s => s.target)).toEqual([
        'cache',
        'uploads',
        'graph',
      ]);
      expect(
        (await manifestOf('graph', backup.snapshots![2].id)).details.group,
      ).toMatchObject({
        name: 'stack',
        mode: 'cut',
        complete: true,
        stoppedContainers: [app],
        downtimeMs: backup.downtimeMs,
      });
      // The cut stopped only the writer; the stores' point in time was fixed while it was down.
      const details = backup.details as {
        mode: string;
        cutAt: string;
        stoppedContainers: string[];
        members: Array<{ target: string; phases: Record<string, number> }>;
      };
      expect(details.mode).toBe('cut');
      expect(details.stoppedContainers).toEqual([app]);
      expect(Date.parse(details.cutAt)).toBeGreaterThan(0);
      const phases = Object.fromEntries(
        details.members.map(m => [m.target, m.phases]),
      );
      expect(phases.cache).toEqual({
        preflightMs: expect.any(Number),
        cutMs: expect.any(Number),
        streamMs: expect.any(Number),
        commitMs: expect.any(Number),
      });
      // The volume too: copied raw into staging in the cut, stored after the writer ran again.
      expect(phases.uploads).toEqual({
        preflightMs: expect.any(Number),
        cutMs: expect.any(Number),
        streamMs: expect.any(Number),
        commitMs: expect.any(Number),
      });
      const ids = Object.fromEntries(
        backup.snapshots!.map(s => [s.target, s.id]),
      );
      const atBackup = await listVolume(docker, uploads);

      // Later changes, which the restores must undo.
      await runOnce(
        docker,
        BUSYBOX_IMAGE,
        ['sh', '-c', 'echo second > /u/2026/b.txt'],
        [{ volume: uploads, path: '/u' }],
      );
      const client = await redis();
      await client.set('session:2', 'bob');
      client.disconnect();

      // A snapshot of uploads whose archive is unsafe: it passes the checksum checks, and fails while restoring.
      const evil = await runOnce(docker, BUSYBOX_IMAGE, [
        'sh',
        '-c',
        'mkdir /w && cd /w && ln -s /etc escape && tar -c -f - . | base64',
      ]);
      await craftSnapshot({
        service: agent.service,
        target: 'uploads',
        engine: 'volume',
        id: '20260101T000000Z',
        artifacts: [
          {
            name: `${uploads}.tar`,
            stream: Readable.from([Buffer.from(evil, 'base64')]),
          },
        ],
      });

      const failed = await finished(
        (
          await api()
            .post('/v1/group-restores')
            .set(auth)
            .send({
              group: 'stack',
              snapshotIds: { ...ids, uploads: '20260101T000000Z' },
              force: true,
            })
            .expect(202)
        ).body.id,
      );
      expect(failed.state).toBe('failed');
      expect(failed.error).toMatch(
        /^group stack: restoring target uploads \(snapshot 20260101T000000Z\) failed: the archive is unsafe and was not restored/,
      );
      expect(failed.details).toMatchObject({
        members: [
          { target: 'cache', snapshotId: ids.cache, state: 'restored' },
          {
            target: 'uploads',
            snapshotId: '20260101T000000Z',
            state: 'failed',
          },
          { target: 'graph', snapshotId: ids.graph, state: 'not restored' },
        ],
        // A cut restore stops the writer only; the stores are restored online.
        containers: stopped.sort().map(container => ({
          container,
          wasRunning: true,
          state: container === app ? 'stopped' : 'running',
        })),
      });
      expect((failed.details as { note: string }).note).toMatch(
        new RegExp(
          `^containers were left stopped on purpose \\(.*${app}: stopped.*\\): cache was restored, graph not; fix the cause`,
        ),
      );
      expect((await state(app)).Running).toBe(false);
      expect((await state(sidecar)).Running).toBe(true);

      // The operator starts it (as the note says) and restores the run by its time window.
      await docker.getContainer(app).start();
      const good = await finished(
        (
          await api()
            .post('/v1/group-restores')
            .set(auth)
            .send({
              group: 'stack',
              window: { from: backup.startedAt, to: backup.finishedAt },
              force: true,
            })
            .expect(202)
        ).body.id,
      );
      expect(good.error).toBeUndefined();
      expect(good.state).toBe('succeeded');
      expect(good.details).toMatchObject({
        containers: stopped.sort().map(container => ({
          container,
          wasRunning: true,
          state: 'running',
        })),
      });
      expect(await listVolume(docker, uploads)).toBe(atBackup);
      const after = await redis();
      expect(await after.get('session:2')).toBeNull();
      expect(await after.get('session:1')).toBe('alice');
      after.disconnect();
      expect(await leftoverAgentContainers(docker, 'uploads')).toEqual([]);
    });
  },
  [DB_IMAGE, BUSYBOX_IMAGE, STANDIN_IMAGE],
);
