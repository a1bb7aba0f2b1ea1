import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { TestDatabases } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import type {
  EntityBackupSummary,
  RestoreRequest,
} from '@safekeep/plugin-backups-common';
import { DatabaseRestoresStore } from './DatabaseRestoresStore';
import {
  storedArtifactFile,
  storedNamePattern,
} from '../testing/storedArtifacts';
import {
  RESTORE_AGENT_TOKEN,
  RestoreTestAgent,
  startRestoreTestAgent,
} from '../testing/startRestoreTestAgent';
import {
  ANN,
  as,
  BOB,
  CARL,
  EVE,
  FRED,
  startRestoreTestBackend,
} from '../testing/startRestoreTestBackend';

jest.setTimeout(120_000);

/**
 * Restores end to end on SQLite targets, so they always run: the real agent, the real
 * backend plugin with its REST API, runner and drill tasks, and the databases on disk.
 */

const OWNER = 'group:default/team-a';
/** `backups.restores.approvers`: told of waiting requests with the owners. */
const APPROVERS = 'group:default/restore-approvers';

function resource(
  name: string,
  annotations: Record<string, string> = {},
  partOf?: string,
): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: {
      name,
      namespace: 'default',
      annotations: {
        'safekeep.io/agent': 'demo-host',
        'safekeep.io/target': name,
        'safekeep.io/engine': 'sqlite',
        ...annotations,
      },
    },
    spec: {
      type: 'database',
      owner: 'team-a',
      ...(partOf ? { system: partOf } : {}),
    },
  };
}

function system(name: string): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'System',
    metadata: {
      name,
      namespace: 'default',
      annotations: { 'safekeep.io/consistency-group': name },
    },
    spec: { owner: 'team-a' },
  };
}

const ENTITIES = [
  resource('app-db', {}, 'shop'),
  resource(
    'notes-db',
    {
      'safekeep.io/restore-drill': 'weekly sunday 05:00 UTC',
      'safekeep.io/restore-drill-target': 'notes-drill',
    },
    'shop',
  ),
  resource('never-db', {}, 'half-backed'),
  // A staging copy of app-db, owned by another team: its own target on the same agent, restored
  // from app-db's snapshots.
  {
    ...resource('app-db-staging'),
    spec: { type: 'database', owner: 'team-staging' },
  },
  resource('orders-db', {}, 'half-backed'),
  system('shop'),
  system('half-backed'),
];

const databases = TestDatabases.create({
  ids: ['SQLITE_3'],
  disableDocker: true,
});

let agent: RestoreTestAgent;
let env: Awaited<ReturnType<typeof startRestoreTestBackend>>;

async function countRows(file: string): Promise<number> {
  const db = agent.sqlite(file);
  try {
    const [{ n }] = await db('items').count({ n: '*' });
    return Number(n);
  } finally {
    await db.destroy();
  }
}

async function deleteRows(file: string, keep: number) {
  const db = agent.sqlite(file);
  try {
    await db('items').where('id', '>', keep).delete();
  } finally {
    await db.destroy();
  }
}

function requestRestore(
  entityPath: string,
  body: Record<string, unknown>,
  user = ANN,
) {
  return env
    .api()
    .post(`/api/backups/entities/${entityPath}/restores`)
    .set('Authorization', as(user))
    .send(body);
}

beforeAll(async () => {
  agent = await startRestoreTestAgent({
    sqliteRows: { 'app-db': 200, 'notes-db': 50, 'orders-db': 30 },
    emptySqlite: ['never-db', 'app-db-staging'],
    destinations: {
      'app-db': {
        copy: './copies/app-copy.db',
        // A careless declaration: another target's file, refused at preview for holding data.
        orders: './data/orders-db.db',
      },
      'notes-db': { 'notes-drill': './scratch/notes-drill.db' },
    },
  });
  env = await startRestoreTestBackend({
    knex: await databases.init('SQLITE_3'),
    entities: ENTITIES,
    agentUrl: agent.server.url,
    agentToken: RESTORE_AGENT_TOKEN,
    restores: { approvers: [APPROVERS] },
  });
});

afterAll(async () => {
  await env?.backend.stop();
  await agent?.close();
});

describe('restores of SQLite targets through the real agent', () => {
  let appSnapshot: string;

  it('previews a request with a verified snapshot, then only someone else may approve it, and it restores the rows', async () => {
    appSnapshot = (await env.backUp('resource/default/app-db')).snapshotId!;
    await deleteRows('data/app-db.db', 120);
    expect(await countRows('data/app-db.db')).toBe(120);

    const created = await requestRestore('resource/default/app-db', {
      reason: 'rows 121-200 deleted by a bad migration',
    }).expect(201);
    const request: RestoreRequest = created.body;
    expect(request).toMatchObject({
      entityRef: 'resource:default/app-db',
      status: 'pending',
      snapshotId: appSnapshot,
      destination: { kind: 'in-place' },
      requestedBy: ANN,
      decidedBy: null,
      drill: false,
    });
    expect(request.preview).toMatchObject({
      snapshotId: appSnapshot,
      verified: true,
      refusals: [],
      overwrites: true,
      containersToStop: [],
      expectedDowntimeMs: null,
    });
    expect(request.preview.verification).toMatch(
      /local: 1 of 1 artifact\(s\) re-read, sha256 and size match the manifest/,
    );
    expect(request.preview.artifacts).toEqual([
      expect.objectContaining({
        name: expect.stringMatching(storedNamePattern('app-db.db')),
        sha256: expect.stringMatching(/^[a-f0-9]{64}$/),
      }),
    ]);
    // 24 hours by default.
    expect(
      new Date(request.expiresAt).getTime() -
        new Date(request.requestedAt).getTime(),
    ).toBe(24 * 3_600_000);
    // The owners and the configured approvers were told a request waits; not the requester.
    expect(env.sent).toContainEqual(
      expect.objectContaining({
        recipients: {
          type: 'entity',
          entityRef: [OWNER, APPROVERS],
          excludeEntityRef: ANN,
        },
        payload: expect.objectContaining({
          title: 'Restore of resource:default/app-db waits for approval',
          link: '/catalog/default/resource/app-db/backups',
        }),
      }),
    );

    // The requester cannot approve their own request.
    const own = await env
      .api()
      .post(`/api/backups/restores/${request.id}/approve`)
      .set('Authorization', as(ANN))
      .send({ comment: 'me' })
      .expect(403);
    expect(own.body.error.message).toContain('someone else must approve it');
    // Without backups.restore.approve nobody can.
    const carl = await env
      .api()
      .post(`/api/backups/restores/${request.id}/approve`)
      .set('Authorization', as(CARL))
      .send({ comment: 'ok' })
      .expect(403);
    expect(carl.body.error.message).toContain('backups.restore.approve');
    // A reject needs a reason.
    await env
      .api()
      .post(`/api/backups/restores/${request.id}/reject`)
      .set('Authorization', as(BOB))
      .send({})
      .expect(400);

    const approved = await env
      .api()
      .post(`/api/backups/restores/${request.id}/approve`)
      .set('Authorization', as(BOB))
      .send({ comment: 'matches the incident' })
      .expect(200);
    expect(approved.body).toMatchObject({
      status: 'approved',
      decidedBy: BOB,
      decisionComment: 'matches the incident',
    });
    // Decided once only.
    await env
      .api()
      .post(`/api/backups/restores/${request.id}/reject`)
      .set('Authorization', as('user:default/dora'))
      .send({ comment: 'no' })
      .expect(409);
    expect(env.sent).toContainEqual(
      expect.objectContaining({
        recipients: { type: 'entity', entityRef: [ANN] },
        payload: expect.objectContaining({
          title: 'Your restore of resource:default/app-db was approved',
        }),
      }),
    );

    const done = await env.runRestore(request.id);
    expect(done).toMatchObject({
      status: 'succeeded',
      error: null,
      phase: 'done',
      requestedBy: ANN,
      decidedBy: BOB,
    });
    expect(done.check).toMatchObject({
      ok: true,
      differences: [],
      details: {
        observed: { tables: { items: 200 } },
        expected: { tables: { items: 200 } },
      },
    });
    expect(done.durationMs).toBeGreaterThanOrEqual(0);
    expect(await countRows('data/app-db.db')).toBe(200);
    // The agent ran it with force: the preview said it overwrites, and that was approved.
    expect(
      agent.server.jobs.list().filter(j => j.kind === 'restore'),
    ).toHaveLength(1);

    const summary: EntityBackupSummary = (
      await env
        .api()
        .get('/api/backups/entities/resource/default/app-db/summary')
        .expect(200)
    ).body;
    expect(summary.lastVerifiedRestoreAt).toBe(done.finishedAt);
    const history = (
      await env
        .api()
        .get('/api/backups/entities/resource/default/app-db/restores')
        .expect(200)
    ).body.items as RestoreRequest[];
    expect(history.map(r => [r.id, r.status])).toEqual([
      [request.id, 'succeeded'],
    ]);
    // The duration is whole seconds of real time: 0 on a quiet machine, more on a loaded one.
    expect(env.sent.map(n => n.payload.title)).toContainEqual(
      expect.stringMatching(
        /^Restore of resource:default\/app-db succeeded in \d+ s$/,
      ),
    );
  });

  it('refuses at preview a snapshot whose stored artifact was corrupted, and it can never be approved', async () => {
    const run = await env.backUp('resource/default/app-db');
    // The file the manifest records (in the chunked format, the chunk index) is corrupted.
    const artifact = storedArtifactFile(
      fileURLToPath(run.location!),
      'app-db.db',
    );
    const bytes = fs.readFileSync(artifact);
    bytes[Math.floor(bytes.length / 2)] ^= 0xff;
    fs.writeFileSync(artifact, bytes);

    const created = await requestRestore('resource/default/app-db', {
      snapshotId: run.snapshotId,
      reason: 'testing a bad copy',
    }).expect(201);
    const request: RestoreRequest = created.body;
    expect(request.status).toBe('refused');
    expect(request.preview.verified).toBe(false);
    expect(request.preview.refusals).toEqual([
      expect.stringMatching(
        /^the snapshot failed verification, so the agent would refuse it: verification failed: local: .*sha256/,
      ),
    ]);
    const approve = await env
      .api()
      .post(`/api/backups/restores/${request.id}/approve`)
      .set('Authorization', as(BOB))
      .send({ comment: 'ok' })
      .expect(409);
    expect(approve.body.error.message).toContain('can never be approved');
    // Nobody was asked to approve it.
    expect(
      env.sent.filter(n => n.payload.title.includes('waits for approval')),
    ).toHaveLength(1);
  });

  it('says what is wrong with a bad request', async () => {
    const noReason = await requestRestore('resource/default/app-db', {
      reason: '  ',
    }).expect(400);
    expect(noReason.body.error.message).toContain(
      'reason: is empty: say why the restore is needed',
    );
    const noPath = await requestRestore('resource/default/app-db', {
      reason: 'copy',
      destination: { kind: 'other' },
    }).expect(400);
    expect(noPath.body.error.message).toContain(
      'destination.path: required for "other"',
    );
    await requestRestore('resource/default/nope', { reason: 'x' }).expect(404);
    const missing = await requestRestore('resource/default/app-db', {
      reason: 'x',
      snapshotId: '20200101T000000Z',
    }).expect(201);
    expect(missing.body.status).toBe('refused');
    expect(missing.body.preview.refusals).toContain(
      'snapshot 20200101T000000Z of target "app-db" does not exist on agent "demo-host" (or is incomplete: no MANIFEST.json)',
    );
  });

  it('refuses at request time a destination the agent does not declare, listing the declared ones, and the agent is never asked to look at it', async () => {
    const before = fs.readdirSync(agent.dir);
    for (const asked of ['/root', './elsewhere.db', 'copy/../..']) {
      const refused = await requestRestore('resource/default/app-db', {
        snapshotId: appSnapshot,
        reason: 'look around the host',
        destination: { kind: 'other', path: asked },
      }).expect(400);
      expect(refused.body.error.message).toBe(
        `destination.path: "${asked}" is not a restore destination of target "app-db" on agent "demo-host": name one of copy, orders (declared in the agent config under targets.app-db.destinations)`,
      );
    }
    expect(fs.readdirSync(agent.dir)).toEqual(before);
  });

  it('restores into another destination path without touching the target', async () => {
    const created = await requestRestore('resource/default/app-db', {
      snapshotId: appSnapshot,
      reason: 'compare with production',
      destination: { kind: 'other', path: 'copy' },
    }).expect(201);
    expect(created.body.preview).toMatchObject({
      overwrites: false,
      refusals: [],
    });
    await env
      .api()
      .post(`/api/backups/restores/${created.body.id}/approve`)
      .set('Authorization', as(BOB))
      .send({})
      .expect(200);
    const done = await env.runRestore(created.body.id);
    expect(done.status).toBe('succeeded');
    expect(await countRows('copies/app-copy.db')).toBe(200);
  });

  it("restores into another entity's target (a staging copy): verified and run by that target's agent from the source's snapshot", async () => {
    const created = await requestRestore('resource/default/app-db', {
      snapshotId: appSnapshot,
      reason: 'refresh staging from production',
      destination: { kind: 'entity', entityRef: 'app-db-staging' },
    }).expect(201);
    const request: RestoreRequest = created.body;
    expect(request.status).toBe('pending');
    expect(request.destination).toEqual({
      kind: 'entity',
      entityRef: 'resource:default/app-db-staging',
      agent: 'demo-host',
      target: 'app-db-staging',
      from: 'app-db',
    });
    expect(request.preview).toMatchObject({
      verified: true,
      overwrites: false,
      refusals: [],
    });
    // The verify job ran for the staging target, reading app-db's snapshot.
    expect(
      agent.server.jobs
        .list()
        .some(j => j.kind === 'verify' && j.subject.name === 'app-db-staging'),
    ).toBe(true);
    // The staging copy's owners hear of it too.
    expect(env.sent).toContainEqual(
      expect.objectContaining({
        recipients: {
          type: 'entity',
          entityRef: [OWNER, 'group:default/team-staging', APPROVERS],
          excludeEntityRef: ANN,
        },
      }),
    );
    // Deciding needs the approval right on the entity written into as well.
    const fred = await env
      .api()
      .post(`/api/backups/restores/${request.id}/approve`)
      .set('Authorization', as(FRED))
      .send({})
      .expect(403);
    expect(fred.body.error.message).toContain('approve restores into it');

    await env
      .api()
      .post(`/api/backups/restores/${request.id}/approve`)
      .set('Authorization', as(BOB))
      .send({})
      .expect(200);
    const done = await env.runRestore(request.id);
    expect(done).toMatchObject({ status: 'succeeded', error: null });
    expect(done.check).toMatchObject({ ok: true });
    expect(await countRows('data/app-db-staging.db')).toBe(200);

    // Refreshing staging again is refused at preview: it holds data now, and only in-place restores overwrite.
    const again = await requestRestore('resource/default/app-db', {
      snapshotId: appSnapshot,
      reason: 'refresh staging again',
      destination: {
        kind: 'entity',
        entityRef: 'resource:default/app-db-staging',
      },
    }).expect(201);
    expect(again.body.status).toBe('refused');
    expect(again.body.preview.refusals).toEqual([
      expect.stringMatching(
        /^the agent's dry run refuses it: the destination holds data/,
      ),
    ]);
  });

  it('refuses a destination entity that is the entity itself, has no policy, or that the requester may not restore into', async () => {
    const itself = await requestRestore('resource/default/app-db', {
      reason: 'x',
      destination: { kind: 'entity', entityRef: 'resource:default/app-db' },
    }).expect(400);
    expect(itself.body.error.message).toContain('restore in place instead');
    const unknown = await requestRestore('resource/default/app-db', {
      reason: 'x',
      destination: { kind: 'entity', entityRef: 'resource:default/nope' },
    }).expect(404);
    expect(unknown.body.error.message).toContain(
      'No entity resource:default/nope',
    );
    const mixed = await requestRestore('resource/default/app-db', {
      reason: 'x',
      destination: {
        kind: 'entity',
        entityRef: 'app-db-staging',
        path: './x.db',
      },
    }).expect(400);
    expect(mixed.body.error.message).toContain(
      'destination.path: only for kind "other"',
    );
    const denied = await requestRestore(
      'resource/default/notes-db',
      {
        reason: 'x',
        destination: { kind: 'entity', entityRef: 'app-db-staging' },
      },
      EVE,
    ).expect(403);
    expect(denied.body.error.message).toContain('restore into it');
  });

  it("refuses at preview a destination path that holds data, as the agent's dry run finds it, and writes nothing there", async () => {
    const created = await requestRestore('resource/default/app-db', {
      snapshotId: appSnapshot,
      reason: 'copy over the orders database by mistake',
      destination: { kind: 'other', path: 'orders' },
    }).expect(201);
    expect(created.body.status).toBe('refused');
    expect(created.body.preview.verified).toBe(true);
    expect(created.body.preview.refusals).toEqual([
      "the agent's dry run refuses it: the destination holds data; restore with force to overwrite it, or into another declared destination",
    ]);
    await env
      .api()
      .post(`/api/backups/restores/${created.body.id}/approve`)
      .set('Authorization', as(BOB))
      .send({})
      .expect(409);
    expect(await countRows('data/orders-db.db')).toBe(30);
  });

  it('lets only the requester withdraw a pending request, which then can never run', async () => {
    const created = await requestRestore('resource/default/app-db', {
      snapshotId: appSnapshot,
      reason: 'asked by mistake',
    }).expect(201);
    const id = created.body.id;
    const bob = await env
      .api()
      .post(`/api/backups/restores/${id}/withdraw`)
      .set('Authorization', as(BOB))
      .expect(403);
    expect(bob.body.error.message).toContain(
      `Only ${ANN}, who asked for this restore, can withdraw it`,
    );
    const withdrawn = await env
      .api()
      .post(`/api/backups/restores/${id}/withdraw`)
      .set('Authorization', as(ANN))
      .expect(200);
    expect(withdrawn.body).toMatchObject({
      status: 'withdrawn',
      decidedBy: null,
    });
    const again = await env
      .api()
      .post(`/api/backups/restores/${id}/withdraw`)
      .set('Authorization', as(ANN))
      .expect(409);
    expect(again.body.error.message).toContain(
      'This request is withdrawn, not pending',
    );
    await env
      .api()
      .post(`/api/backups/restores/${id}/approve`)
      .set('Authorization', as(BOB))
      .send({})
      .expect(409);
    const listed = (
      await env
        .api()
        .get('/api/backups/restores?status=withdrawn')
        .set('Authorization', as(BOB))
        .expect(200)
    ).body.items as RestoreRequest[];
    expect(listed.map(r => r.id)).toContain(id);
  });

  it('does not run a request that expired, approved or not', async () => {
    const pending = (
      await requestRestore('resource/default/app-db', {
        snapshotId: appSnapshot,
        reason: 'late one',
      }).expect(201)
    ).body as RestoreRequest;
    await env
      .knex('restore_requests')
      .where({ id: pending.id })
      .update({ expires_at: new Date(Date.now() - 1000) });
    const late = await env
      .api()
      .post(`/api/backups/restores/${pending.id}/approve`)
      .set('Authorization', as(BOB))
      .send({})
      .expect(409);
    expect(late.body.error.message).toContain('expired');

    const approved = (
      await requestRestore('resource/default/app-db', {
        snapshotId: appSnapshot,
        reason: 'slow approval',
      }).expect(201)
    ).body as RestoreRequest;
    await env
      .api()
      .post(`/api/backups/restores/${approved.id}/approve`)
      .set('Authorization', as(BOB))
      .send({})
      .expect(200);
    await env
      .knex('restore_requests')
      .where({ id: approved.id })
      .update({ expires_at: new Date(Date.now() - 1000) });
    const restoresBefore = agent.server.jobs
      .list()
      .filter(j => j.kind === 'restore').length;
    await env.tickRestores();

    expect(await env.getRestore(pending.id)).toMatchObject({
      status: 'expired',
    });
    expect(await env.getRestore(approved.id)).toMatchObject({
      status: 'expired',
      error: expect.stringContaining(
        'could not start before the request expired',
      ),
    });
    expect(
      agent.server.jobs.list().filter(j => j.kind === 'restore'),
    ).toHaveLength(restoresBefore);
    const expiredList = (
      await env
        .api()
        .get('/api/backups/restores?status=expired')
        .set('Authorization', as(BOB))
        .expect(200)
    ).body.items as RestoreRequest[];
    expect(expiredList.map(r => r.id)).toEqual([approved.id, pending.id]);
  });

  it('restores a consistency group member by member from one backup window', async () => {
    // Fresh backups of both members, moments apart: one backup window.
    await env.backUp('resource/default/app-db');
    await env.backUp('resource/default/notes-db');
    await deleteRows('data/app-db.db', 10);
    await deleteRows('data/notes-db.db', 5);

    const created = await requestRestore('system/default/shop', {
      reason: 'roll the shop back together',
    }).expect(201);
    const request: RestoreRequest = created.body;
    expect(request.status).toBe('pending');
    expect(request.group).toEqual({
      name: 'shop',
      members: [
        {
          entityRef: 'resource:default/app-db',
          snapshotId: expect.any(String),
          status: 'pending',
        },
        {
          entityRef: 'resource:default/notes-db',
          snapshotId: expect.any(String),
          status: 'pending',
        },
      ],
    });
    expect(request.preview.verified).toBe(true);
    expect(request.preview.artifacts.map(a => a.name)).toEqual([
      expect.stringMatching(/^app-db\/app-db\.db(\.chunks)?\.zst$/),
      expect.stringMatching(/^notes-db\/notes-db\.db(\.chunks)?\.zst$/),
    ]);

    await env
      .api()
      .post(`/api/backups/restores/${request.id}/approve`)
      .set('Authorization', as(BOB))
      .send({})
      .expect(200);
    const done = await env.runRestore(request.id);
    expect(done.status).toBe('succeeded');
    expect(done.group!.members.map(m => m.status)).toEqual([
      'succeeded',
      'succeeded',
    ]);
    expect(done.check).toMatchObject({ ok: true, differences: [] });
    expect(await countRows('data/app-db.db')).toBe(200);
    expect(await countRows('data/notes-db.db')).toBe(50);
  });

  it('lists only the restores of entities the caller may read', async () => {
    const all = (
      await env
        .api()
        .get('/api/backups/restores?status=succeeded')
        .set('Authorization', as(BOB))
        .expect(200)
    ).body.items as RestoreRequest[];
    expect(new Set(all.map(r => r.entityRef))).toEqual(
      new Set(['resource:default/app-db', 'system:default/shop']),
    );
    const eve = (
      await env
        .api()
        .get('/api/backups/restores?status=succeeded')
        .set('Authorization', as(EVE))
        .expect(200)
    ).body.items as RestoreRequest[];
    expect(eve.map(r => r.entityRef)).toEqual(['system:default/shop']);
    const one = all.find(r => r.entityRef === 'resource:default/app-db')!;
    await env
      .api()
      .get(`/api/backups/restores/${one.id}`)
      .set('Authorization', as(EVE))
      .expect(403);
    await env
      .api()
      .get('/api/backups/restores?status=whenever')
      .set('Authorization', as(BOB))
      .expect(400);
  });

  it('refuses a group restore when one member has no backup', async () => {
    await env.backUp('resource/default/orders-db');
    const created = await requestRestore('system/default/half-backed', {
      reason: 'roll back',
    }).expect(201);
    expect(created.body.status).toBe('refused');
    expect(created.body.preview.refusals).toEqual([
      'all service backups are required: resource:default/never-db has no snapshot at all',
    ]);
    await env
      .api()
      .post(`/api/backups/restores/${created.body.id}/approve`)
      .set('Authorization', as(BOB))
      .send({})
      .expect(409);
  });

  it("takes a group's backup window as groupWindow and a single target's snapshot as snapshotId, and says which is which", async () => {
    const forSystem = await requestRestore('system/default/shop', {
      reason: 'roll back',
      snapshotId: '20260118T040000Z',
    }).expect(400);
    expect(forSystem.body.error.message).toContain(
      'system:default/shop is restored as consistency group "shop", from a backup window: give groupWindow',
    );
    const forResource = await requestRestore('resource/default/app-db', {
      reason: 'roll back',
      groupWindow: '20260118T040000Z',
    }).expect(400);
    expect(forResource.body.error.message).toContain(
      "groupWindow names the backup window of a System's consistency group, and resource:default/app-db has none: give snapshotId",
    );
    const malformed = await requestRestore('system/default/shop', {
      reason: 'roll back',
      groupWindow: 'yesterday',
    }).expect(400);
    expect(malformed.body.error.message).toContain(
      'groupWindow: must be a UTC time in snapshot-id form',
    );
    // A window long before every backup: the preview looks there, and refuses.
    const early = await requestRestore('system/default/half-backed', {
      reason: 'roll back',
      groupWindow: '20200101T000000Z',
    }).expect(201);
    expect(early.body.status).toBe('refused');
    expect(early.body.preview.refusals.join(' ')).toMatch(
      /all service backups are required/,
    );
  });

  it('drills: restores the latest snapshot into the scratch destination, checks it and records it', async () => {
    const store = new DatabaseRestoresStore(env.knex);
    await env.dispatchDrills();
    const drill = await store.latestDrill('resource:default/notes-db');
    expect(drill).toMatchObject({
      status: 'approved',
      drill: true,
      requestedBy: 'safekeep:restore-drill',
      force: false,
    });
    // The next dispatch in the same slot adds nothing.
    await env.dispatchDrills();
    expect((await store.latestDrill('resource:default/notes-db'))!.id).toBe(
      drill!.id,
    );

    const done = await env.runRestore(drill!.id);
    expect(done).toMatchObject({
      status: 'succeeded',
      drill: true,
      destination: { kind: 'other', path: 'notes-drill' },
    });
    expect(done.check).toMatchObject({
      ok: true,
      details: { observed: { tables: { items: 50 } } },
    });
    // The agent checked the scratch copy, then dropped it.
    expect(done.check!.details.scratch).toEqual({
      destination: 'notes-drill',
      removed: true,
      note: `removed file ${agent.file('scratch/notes-drill.db')}`,
    });
    expect(fs.existsSync(agent.file('scratch/notes-drill.db'))).toBe(false);
    // The next slot's drill starts without force: the scratch it left was dropped.
    await env
      .knex('restore_requests')
      .where({ id: drill!.id })
      .update({ scheduled_for: new Date(Date.now() - 14 * 86_400_000) });
    await env.dispatchDrills();
    const next = await store.latestDrill('resource:default/notes-db');
    expect(next).toMatchObject({ status: 'approved', force: false });
    expect(next!.id).not.toBe(drill!.id);
    expect(
      await store.drillStatusCounts([
        'resource:default/notes-db',
        'resource:default/app-db',
      ]),
    ).toEqual({ overdue: 0, failing: 0 });
    expect(
      (await store.lastVerifiedRestoreAt(['resource:default/notes-db']))[
        'resource:default/notes-db'
      ],
    ).toBe(done.finishedAt);
  });
});
