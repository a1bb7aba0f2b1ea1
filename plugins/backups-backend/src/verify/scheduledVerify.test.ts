import fs from 'node:fs';
import path from 'node:path';
import { TestDatabases } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import type { EntityBackupSummary } from '@safekeep/plugin-backups-common';
import { RUNNER_TASK_ID } from '../scheduling/registerBackupTasks';
import {
  RESTORE_AGENT_TOKEN,
  RestoreTestAgent,
  startRestoreTestAgent,
} from '../testing/startRestoreTestAgent';
import {
  ANN,
  as,
  startRestoreTestBackend,
} from '../testing/startRestoreTestBackend';
import { storedArtifactFile } from '../testing/storedArtifacts';
import { VERIFY_TASK_ID } from './registerVerifyTask';

jest.setTimeout(120_000);

/**
 * Scheduled verify end to end: the real agent, the real plugin with backups.verify for the
 * local tier, a snapshot broken on disk. The broken one is flagged, shown in the summary, its
 * owners are told once, and retention keeps the older good snapshots instead of counting it.
 */
const APP_DB: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Resource',
  metadata: {
    name: 'app-db',
    namespace: 'default',
    annotations: {
      'safekeep.io/agent': 'demo-host',
      'safekeep.io/target': 'app-db',
      'safekeep.io/engine': 'sqlite',
      'safekeep.io/retention': 'keep-last=2',
    },
  },
  spec: { type: 'database', owner: 'team-a' },
  relations: [{ type: 'ownedBy', targetRef: 'group:default/team-a' }],
};

const databases = TestDatabases.create({
  ids: ['SQLITE_3'],
  disableDocker: true,
});

let agent: RestoreTestAgent;
let env: Awaited<ReturnType<typeof startRestoreTestBackend>>;

beforeAll(async () => {
  agent = await startRestoreTestAgent({ sqliteRows: { 'app-db': 40 } });
  env = await startRestoreTestBackend({
    knex: await databases.init('SQLITE_3'),
    entities: [APP_DB],
    agentUrl: agent.server.url,
    agentToken: RESTORE_AGENT_TOKEN,
    verify: { local: { schedule: 'hourly', subset: 'all' } },
  });
});

afterAll(async () => {
  await env?.backend.stop();
  await agent?.close();
});

async function until(what: string, done: () => Promise<boolean>, task: string) {
  for (let i = 0; i < 300; i++) {
    await env.triggerTask(task);
    if (await done()) return;
    await new Promise(resolve => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const verifiesDone = async () =>
  (
    await env
      .knex('snapshot_verifications')
      .whereIn('status', ['queued', 'running'])
  ).length === 0;

const prunesDone = async () =>
  (await env.knex('backup_prunes').whereIn('status', ['pending', 'running']))
    .length === 0;

async function listedIds(): Promise<string[]> {
  return (await agent.server.service.list('app-db')).map(s => s.id).sort();
}

function verifyNotices() {
  return env.sent.filter(n => n.payload.title.includes('failed verification'));
}

describe('scheduled verify', () => {
  it('flags a broken snapshot, tells the owners once, and retention never counts it as a good one', async () => {
    const a = (await env.backUp('resource/default/app-db')).snapshotId!;
    const b = (await env.backUp('resource/default/app-db')).snapshotId!;
    await until('the prunes after the backups', prunesDone, RUNNER_TASK_ID);
    expect(await listedIds()).toEqual([a, b].sort());

    // The newest snapshot rots on disk: one byte of its artifact flipped (in the chunked
    // format its chunk index: the chunks are shared with the older snapshot, which stays good).
    const artifact = storedArtifactFile(
      agent.file(`snapshots/app-db/${b}`),
      'app-db.db',
    );
    const bytes = fs.readFileSync(artifact);
    bytes[Math.floor(bytes.length / 2)] ^= 0xff;
    fs.writeFileSync(artifact, bytes);

    // The next slot of the tier's schedule (a round may have run at start, with no snapshots).
    await env.knex('verify_rounds').delete();
    await until('the verify round', verifiesDone, VERIFY_TASK_ID);
    const results = await env
      .knex('snapshot_verifications')
      .select('snapshot_id', 'tier', 'status', 'problem');
    expect(
      results
        .map(r => [r.snapshot_id, r.tier, r.status])
        .sort((x, y) => x[0].localeCompare(y[0])),
    ).toEqual(
      [
        [a, 'local', 'ok'],
        [b, 'local', 'failed'],
      ].sort((x, y) => x[0].localeCompare(y[0])),
    );
    expect(results.find(r => r.snapshot_id === b).problem).toMatch(
      /verification failed: .*sha256/,
    );

    const summary: EntityBackupSummary = (
      await env
        .api()
        .get('/api/backups/entities/resource/default/app-db/summary')
        .set('Authorization', as(ANN))
        .expect(200)
    ).body;
    expect(summary.snapshotVerification).toMatchObject({
      passed: 1,
      failed: [{ snapshotId: b, tier: 'local' }],
    });

    // The team page counts it on the entity's row.
    const overview = (
      await env
        .api()
        .get('/api/backups/overview?owner=group:default/team-a')
        .set('Authorization', as(ANN))
        .expect(200)
    ).body;
    expect(overview.entities).toEqual([
      expect.objectContaining({
        entityRef: 'resource:default/app-db',
        snapshotsFailingVerify: 1,
      }),
    ]);

    // Told once, to the owner, however often the task ticks...
    for (let i = 0; i < 3; i++) await env.triggerTask(VERIFY_TASK_ID);
    expect(verifyNotices()).toHaveLength(1);
    expect(verifyNotices()[0]).toMatchObject({
      recipients: { type: 'entity', entityRef: 'group:default/team-a' },
      payload: { severity: 'high', link: '/catalog/default/resource/app-db' },
    });
    expect(verifyNotices()[0].payload.description).toContain(b);
    // ...and when the next round finds it broken again (the first round moved an hour back).
    await env.knex('verify_rounds').delete();
    await env
      .knex('snapshot_verifications')
      .update({ slot: new Date(Date.now() - 2 * 3600_000) });
    await until('the second verify round', verifiesDone, VERIFY_TASK_ID);
    expect(
      await env
        .knex('snapshot_verifications')
        .where({ snapshot_id: b, status: 'failed' })
        .count({ n: '*' }),
    ).toEqual([{ n: 2 }]);
    expect(verifyNotices()).toHaveLength(1);

    // keep-last=2 after a new backup: the two good ones (c, a) are kept, the broken b stays
    // for inspection; counted as good, it would have pushed a out.
    const c = (await env.backUp('resource/default/app-db')).snapshotId!;
    await until('the prune after the new backup', prunesDone, RUNNER_TASK_ID);
    const prune = await env
      .knex('backup_prunes')
      .orderBy('created_at', 'desc')
      .first();
    expect(prune.status).toBe('succeeded');
    expect(await listedIds()).toEqual([a, b, c].sort());
    expect(JSON.parse(prune.pruned)).toEqual([]);
    expect(fs.existsSync(path.dirname(artifact))).toBe(true);
  });
});
