import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  mockCredentials,
  mockServices,
  TestDatabases,
} from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import {
  type EntityBackupSummary,
  manifestTotals,
  type RunsPage,
  type SizeSeries,
  snapshotManifestSchema,
} from '@safekeep/plugin-backups-common';
import { migrateBackupsDatabase } from './database/migrateBackupsDatabase';
import { AGENT_TOKEN, RealAgent, startRealAgent } from './testing/realAgent';
import {
  startBackupsTestBackend,
  TestBackendOptions,
} from './testing/testBackend';

jest.setTimeout(60_000);

const databases = TestDatabases.create({
  ids: ['SQLITE_3'],
  disableDocker: true,
});

function resource(name: string, annotations: Record<string, string>): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: { name, namespace: 'default', annotations },
    spec: { type: 'database', owner: 'group:default/team-a' },
  };
}

const APP_DB = resource('app-db', {
  'safekeep.io/agent': 'demo-host',
  'safekeep.io/target': 'app-db',
  'safekeep.io/rpo': '26h',
});
const PLAIN: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'plain' },
  spec: {},
};
const BROKEN = resource('broken', {
  'safekeep.io/agent': 'demo-host',
  'safekeep.io/target': 'app-db',
  'safekeep.io/schedule': 'every tuesday-ish',
  'safekeep.io/rpo': 'soon',
});
const ELSEWHERE = resource('elsewhere', {
  'safekeep.io/agent': 'nowhere-host',
  'safekeep.io/target': 'app-db',
});

let agent: RealAgent;

beforeAll(async () => {
  agent = await startRealAgent();
});

afterAll(async () => {
  await agent?.close();
});

/** The plugin in a test backend whose only agent, demo-host, is the real agent. */
function startBackend(
  options: Omit<TestBackendOptions, 'agents' | 'databases'>,
) {
  return startBackupsTestBackend({
    ...options,
    agents: { 'demo-host': { url: agent.server.url, token: AGENT_TOKEN } },
    databases,
  });
}

describe('backups plugin', () => {
  it('answers health without credentials', async () => {
    const { api, backend } = await startBackend({ entities: [] });
    const response = await api()
      .get('/api/backups/health')
      .set('Authorization', mockCredentials.none.header());
    expect([response.status, response.body]).toEqual([200, { status: 'ok' }]);
    await backend.stop();
  });

  it('says an entity without annotations is unconfigured', async () => {
    const { api, backend } = await startBackend({ entities: [PLAIN] });
    const summary: EntityBackupSummary = (
      await api()
        .get('/api/backups/entities/component/default/plain/summary')
        .expect(200)
    ).body;
    expect(summary).toMatchObject({
      entityRef: 'component:default/plain',
      health: 'unconfigured',
      policy: null,
      problems: [],
    });
    await backend.stop();
  });

  it('reports annotation problems without crashing, and refuses to start a run for them', async () => {
    const { api, backend } = await startBackend({
      entities: [BROKEN, ELSEWHERE],
    });
    const summary: EntityBackupSummary = (
      await api()
        .get('/api/backups/entities/resource/default/broken/summary')
        .expect(200)
    ).body;
    expect(summary.health).toBe('invalid');
    expect(summary.problems.map(p => p.annotation).sort()).toEqual([
      'safekeep.io/rpo',
      'safekeep.io/schedule',
    ]);

    const refused = await api()
      .post('/api/backups/entities/resource/default/broken/runs')
      .expect(400);
    expect(refused.body.error.message).toContain('safekeep.io/schedule');

    const elsewhere: EntityBackupSummary = (
      await api()
        .get('/api/backups/entities/resource/default/elsewhere/summary')
        .expect(200)
    ).body;
    expect(elsewhere.health).toBe('invalid');
    expect(elsewhere.problems).toEqual([
      expect.objectContaining({
        annotation: 'safekeep.io/agent',
        value: 'nowhere-host',
        message: expect.stringContaining('backups.agents'),
      }),
    ]);
    await backend.stop();
  });

  it('answers 404 for an unknown entity and 400 for a bad page', async () => {
    const { api, backend } = await startBackend({ entities: [APP_DB] });
    await api()
      .get('/api/backups/entities/resource/default/nope/summary')
      .expect(404);
    await api()
      .post('/api/backups/entities/resource/default/nope/runs')
      .expect(404);
    const bad = await api()
      .get('/api/backups/entities/resource/default/app-db/runs?limit=0')
      .expect(400);
    expect(bad.body.error.message).toContain('limit must be at least 1');
    await backend.stop();
  });

  it('backs up now through the real agent and shows the success in the summary', async () => {
    const { api, backend, runUntilFinished } = await startBackend({
      entities: [APP_DB],
    });
    const before: EntityBackupSummary = (
      await api()
        .get('/api/backups/entities/resource/default/app-db/summary')
        .expect(200)
    ).body;
    expect(before.health).toBe('never');

    const started = await api()
      .post('/api/backups/entities/resource/default/app-db/runs')
      .set('Authorization', mockCredentials.user.header('user:default/ann'))
      .expect(202);
    expect(started.body).toEqual({
      runId: expect.any(String),
      status: 'queued',
    });

    // A second request while the first is queued is refused, naming the run.
    const conflict = await api()
      .post('/api/backups/entities/resource/default/app-db/runs')
      .expect(409);
    expect(conflict.body.error.message).toContain(started.body.runId);
    expect(conflict.body.error.activeRunId).toBe(started.body.runId);

    const run = await runUntilFinished(
      'resource/default/app-db',
      started.body.runId,
    );
    expect(run).toMatchObject({
      status: 'succeeded',
      trigger: 'user',
      triggeredBy: 'user:default/ann',
      error: null,
      entityRef: 'resource:default/app-db',
    });
    expect(run.bytesStored).toBeGreaterThan(0);
    expect(run.bytesRaw).toBeGreaterThan(0);
    expect(run.durationMs).toBeGreaterThanOrEqual(0);

    // The recorded checksum is the stored file's (in the chunked format, its chunk index's),
    // and the stored bytes are what the manifest says a restore reads, in either format.
    const snapshotDir = fileURLToPath(run.location!);
    const manifest = snapshotManifestSchema.parse(
      JSON.parse(
        fs.readFileSync(path.join(snapshotDir, 'MANIFEST.json'), 'utf8'),
      ),
    );
    expect(manifest.artifacts).toHaveLength(1);
    const stored = fs.readFileSync(
      path.join(snapshotDir, manifest.artifacts[0].name),
    );
    expect(run.sha256).toBe(createHash('sha256').update(stored).digest('hex'));
    expect(run.bytesStored).toBe(manifestTotals(manifest).bytes);
    expect(run.bytesStored).toBeGreaterThanOrEqual(stored.length);

    const after: EntityBackupSummary = (
      await api()
        .get('/api/backups/entities/resource/default/app-db/summary')
        .expect(200)
    ).body;
    expect(after.health).toBe('ok');
    expect(after.lastSuccess).toMatchObject({
      id: run.id,
      sha256: run.sha256,
      snapshotId: run.snapshotId,
    });
    expect(after.runningRun).toBeNull();

    // The target is free again.
    await api()
      .post('/api/backups/entities/resource/default/app-db/runs')
      .expect(202);
    await backend.stop();
  });

  it('records what each run added: a backup of the unchanged database adds only its chunk index, its restore size stays', async () => {
    const { api, backend, runUntilFinished } = await startBackend({
      entities: [APP_DB],
    });
    const backUp = async () => {
      const started = await api()
        .post('/api/backups/entities/resource/default/app-db/runs')
        .set('Authorization', mockCredentials.user.header('user:default/ann'))
        .expect(202);
      return runUntilFinished('resource/default/app-db', started.body.runId);
    };
    const first = await backUp();
    const second = await backUp();
    for (const run of [first, second]) {
      // What the manifest says, as the agent reported it.
      const manifest = snapshotManifestSchema.parse(
        JSON.parse(
          fs.readFileSync(
            path.join(fileURLToPath(run.location!), 'MANIFEST.json'),
            'utf8',
          ),
        ),
      );
      expect(run).toMatchObject({
        status: 'succeeded',
        bytesRaw: manifest.sizes!.logical_bytes,
        bytesNew: manifest.sizes!.new_bytes,
        dedupRatio: manifest.sizes!.dedup_ratio,
      });
    }
    expect(second.bytesRaw).toBe(first.bytesRaw);
    // The database did not change: the second run reuses every chunk (the first may too, of the
    // tests before it on this agent) and adds only its chunk index.
    expect(second.bytesNew).toBeLessThan(second.bytesStored! / 2);
    expect(second.dedupRatio).toBeGreaterThan(2);

    const series: SizeSeries = (
      await api()
        .get('/api/backups/entities/resource/default/app-db/sizes?days=30')
        .expect(200)
    ).body;
    expect(series.points.slice(-2).map(p => p.bytesNew)).toEqual([
      first.bytesNew,
      second.bytesNew,
    ]);
    await backend.stop();
  });

  it('audits back-up-now requests, granted and refused', async () => {
    const event = {
      success: jest.fn(async () => undefined),
      fail: jest.fn(async () => undefined),
    };
    const auditor = mockServices.auditor.mock({
      createEvent: async () => event,
    });
    const { api, backend } = await startBackend({
      entities: [APP_DB, BROKEN],
      features: [auditor.factory],
    });
    const started = await api()
      .post('/api/backups/entities/resource/default/app-db/runs')
      .expect(202);
    expect(auditor.createEvent).toHaveBeenCalledWith(
      expect.objectContaining({
        eventId: 'backup-run-create',
        severityLevel: 'medium',
        meta: { entityRef: 'resource:default/app-db' },
      }),
    );
    expect(event.success).toHaveBeenCalledWith({
      meta: { runId: started.body.runId },
    });
    await api()
      .post('/api/backups/entities/resource/default/broken/runs')
      .expect(400);
    expect(event.fail).toHaveBeenCalledWith({
      error: expect.objectContaining({ name: 'InputError' }),
    });
    await backend.stop();
  });

  it('refuses reads and runs without permission (403) and records nothing', async () => {
    const { api, backend, knex } = await startBackend({
      entities: [APP_DB],
      deny: true,
    });
    const read = await api()
      .get('/api/backups/entities/resource/default/app-db/summary')
      .expect(403);
    expect(read.body.error.message).toContain('backups.read');
    await api()
      .get('/api/backups/entities/resource/default/app-db/runs')
      .expect(403);
    const run = await api()
      .post('/api/backups/entities/resource/default/app-db/runs')
      .expect(403);
    expect(run.body.error.message).toContain('backups.run.create');
    expect(await knex('backup_runs').count({ n: '*' }).first()).toEqual({
      n: 0,
    });
    await backend.stop();
  });

  it('on start, interrupts a run whose job the agent does not know, which frees its target', async () => {
    const knex = await databases.init('SQLITE_3');
    await migrateBackupsDatabase(knex);
    const now = new Date();
    const row = {
      entity_ref: 'resource:default/app-db',
      agent: 'demo-host',
      target: 'app-db',
      trigger: 'user',
      created_at: new Date(now.getTime() - 60_000),
      updated_at: now,
    };
    // Left behind by a backend that stopped mid-run; the agent restarted and forgot the job.
    await knex('backup_runs').insert({
      ...row,
      id: 'orphan',
      status: 'running',
      phase: 'dumping',
      started_at: new Date(now.getTime() - 50_000),
      agent_job_id: 'job-from-before-the-restart',
      agent_seen_at: new Date(now.getTime() - 5_000),
      running_target: 'demo-host/app-db',
    });

    // Starting the backend runs the runner once: the reconciliation.
    const { api, backend, runUntilFinished } = await startBackend({
      entities: [APP_DB],
      knex,
    });
    const page: RunsPage = (
      await api()
        .get('/api/backups/entities/resource/default/app-db/runs')
        .expect(200)
    ).body;
    const orphan = page.items.find(r => r.id === 'orphan')!;
    expect(orphan.status).toBe('interrupted');
    expect(orphan.error).toContain(
      'does not know job job-from-before-the-restart',
    );
    expect(orphan.finishedAt).not.toBeNull();

    // The target is free again: the next backup runs.
    const next = await api()
      .post('/api/backups/entities/resource/default/app-db/runs')
      .expect(202);
    expect(
      await runUntilFinished('resource/default/app-db', next.body.runId),
    ).toMatchObject({ status: 'succeeded' });
    await backend.stop();
  });

  it('queues the latest due slot of a schedule and runs it', async () => {
    const scheduled = resource('app-db', {
      'safekeep.io/agent': 'demo-host',
      'safekeep.io/target': 'app-db',
      'safekeep.io/schedule': 'every 5m',
    });
    // Starting the backend runs the dispatcher once.
    const { api, backend, runUntilFinished } = await startBackend({
      entities: [scheduled],
    });
    const page: RunsPage = (
      await api()
        .get('/api/backups/entities/resource/default/app-db/runs')
        .expect(200)
    ).body;
    expect(page.total).toBe(1);
    const [run] = page.items;
    expect(run.trigger).toBe('schedule');
    expect(new Date(run.scheduledFor!).getTime() % (5 * 60_000)).toBe(0);
    expect(
      await runUntilFinished('resource/default/app-db', run.id),
    ).toMatchObject({ status: 'succeeded' });
    const summary: EntityBackupSummary = (
      await api()
        .get('/api/backups/entities/resource/default/app-db/summary')
        .expect(200)
    ).body;
    expect(summary.nextRunAt).not.toBeNull();
    expect(summary.health).toBe('ok');
    await backend.stop();
  });
});
