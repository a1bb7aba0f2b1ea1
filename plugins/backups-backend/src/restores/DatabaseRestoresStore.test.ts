import type { RestorePreview } from '@safekeep/plugin-backups-common';
import type { Knex } from 'knex';
import { migrateBackupsDatabase } from '../database/migrateBackupsDatabase';
import { createTestDatabases } from '../testing/testDatabases';
import { DatabaseRestoresStore } from './DatabaseRestoresStore';
import type { NewRestoreRequest } from './RestoresStore';

const { databases } = createTestDatabases();

const HOUR = 3_600_000;
const T0 = new Date('2026-11-22T10:00:00.000Z');
const ANN = 'user:default/ann';
const BOB = 'user:default/bob';

const preview = (refusals: string[] = []): RestorePreview => ({
  snapshotId: '20261122T090000Z',
  snapshotCreatedAt: '2026-11-22T09:00:00.000Z',
  verified: refusals.length === 0,
  verification: 'all artifacts match the manifest',
  artifacts: [{ name: 'app.db.zst', bytes: 10, sha256: 'a'.repeat(64) }],
  containersToStop: [],
  expectedDowntimeMs: null,
  refusals,
  overwrites: true,
});

function request(
  overrides: Partial<NewRestoreRequest> = {},
): NewRestoreRequest {
  return {
    entityRef: 'resource:default/app-db',
    agent: 'demo-host',
    target: 'app-db',
    snapshotId: '20261122T090000Z',
    destination: { kind: 'in-place' },
    force: true,
    reason: 'rows deleted by mistake',
    requestedBy: ANN,
    preview: preview(),
    groupState: null,
    now: T0,
    expiresAt: new Date(T0.getTime() + 24 * HOUR),
    ...overrides,
  };
}

// better-sqlite3's errors come from another realm in Jest workers: match by shape.
const checkViolation = {
  message: expect.stringMatching(/check constraint|violates check/i),
};

describe.each(databases.eachSupportedId())(
  'DatabaseRestoresStore on %p',
  databaseId => {
    let knex: Knex;
    let store: DatabaseRestoresStore;

    beforeAll(async () => {
      knex = await databases.init(databaseId);
      await migrateBackupsDatabase(knex);
      store = new DatabaseRestoresStore(knex, ['agent-token-xyz']);
    });

    beforeEach(async () => {
      await knex('restore_requests').delete();
      await knex('restore_drill_schedules').delete();
      await knex('backup_runs').delete();
    });

    it('stores a request as pending, or as refused with the reasons when the preview refuses', async () => {
      const pending = await store.createRequest(request());
      expect(pending).toMatchObject({
        status: 'pending',
        requestedBy: ANN,
        force: true,
        decidedBy: null,
        drill: false,
      });
      expect(pending.preview.artifacts).toHaveLength(1);
      expect(pending.expiresAt).toBe('2026-11-23T10:00:00.000Z');

      const refused = await store.createRequest(
        request({ preview: preview(['the snapshot failed verification']) }),
      );
      expect(refused.status).toBe('refused');
      expect(refused.error).toContain('the snapshot failed verification');
      // A refused request can never be approved.
      expect(
        await store.decide(refused.id, {
          decidedBy: BOB,
          approve: true,
          comment: 'ok',
          now: T0,
        }),
      ).toMatchObject({
        refused: 'not-pending',
      });
    });

    it('lets someone else approve, never the requester, and only once', async () => {
      const created = await store.createRequest(request());
      const own = await store.decide(created.id, {
        decidedBy: ANN,
        approve: true,
        comment: 'mine',
        now: T0,
      });
      expect(own).toMatchObject({ refused: 'own-request' });
      expect((await store.getRequest(created.id))!.status).toBe('pending');

      const approved = await store.decide(created.id, {
        decidedBy: BOB,
        approve: true,
        comment: 'checked the reason',
        now: T0,
      });
      expect(approved).toMatchObject({
        decided: {
          status: 'approved',
          decidedBy: BOB,
          decisionComment: 'checked the reason',
          decidedAt: T0.toISOString(),
        },
      });
      const again = await store.decide(created.id, {
        decidedBy: 'user:default/cid',
        approve: false,
        comment: 'no',
        now: T0,
      });
      expect(again).toMatchObject({ refused: 'not-pending' });
    });

    it('refuses, in the database itself, a decision by the requester (CHECK constraint)', async () => {
      const created = await store.createRequest(request());
      // Around the store's conditional update: the table's constraint still refuses it.
      await expect(
        knex('restore_requests')
          .where({ id: created.id })
          .update({ status: 'approved', decided_by: ANN, decided_at: T0 }),
      ).rejects.toMatchObject(checkViolation);
      await expect(
        knex('restore_requests')
          .where({ id: created.id })
          .update({ status: 'whatever' }),
      ).rejects.toMatchObject(checkViolation);
      expect((await store.getRequest(created.id))!).toMatchObject({
        status: 'pending',
        decidedBy: null,
      });
    });

    it('does not approve an expired request, marks it expired, and never lets it be claimed', async () => {
      const created = await store.createRequest(
        request({ expiresAt: new Date(T0.getTime() + HOUR) }),
      );
      const late = new Date(T0.getTime() + 2 * HOUR);
      expect(
        await store.decide(created.id, {
          decidedBy: BOB,
          approve: true,
          comment: 'ok',
          now: late,
        }),
      ).toMatchObject({
        refused: 'expired',
        request: { status: 'expired' },
      });
      expect(await store.claimApproved(created.id, late)).toBeUndefined();

      // Approved in time, but not started before expiry: expired too.
      const other = await store.createRequest(
        request({ expiresAt: new Date(T0.getTime() + HOUR) }),
      );
      await store.decide(other.id, {
        decidedBy: BOB,
        approve: true,
        comment: 'ok',
        now: T0,
      });
      expect(await store.claimApproved(other.id, late)).toBeUndefined();
      const expired = await store.expireOverdue(late);
      expect(expired.map(r => [r.id, r.status])).toEqual([
        [other.id, 'expired'],
      ]);
      expect(expired[0].error).toContain(
        'could not start before the request expired',
      );
    });

    it('claims an approved request once, records progress and finishes it with the check', async () => {
      const created = await store.createRequest(request());
      await store.decide(created.id, {
        decidedBy: BOB,
        approve: true,
        comment: 'ok',
        now: T0,
      });
      const claimed = await store.claimApproved(created.id, T0);
      expect(claimed).toMatchObject({
        status: 'running',
        phase: 'starting',
        startedAt: T0.toISOString(),
      });
      expect(await store.claimApproved(created.id, T0)).toBeUndefined();

      await store.recordJobStarted(created.id, 'job-1', 'reading manifest', T0);
      await store.recordProgress(
        created.id,
        'restoring with agent-token-xyz',
        T0,
      );
      expect(await store.getRequest(created.id)).toMatchObject({
        agentJobId: 'job-1',
        phase: 'restoring with [redacted]',
      });

      const end = new Date(T0.getTime() + 90_000);
      const check = {
        ok: true,
        differences: [],
        details: { observed: { tables: { items: 200 } } },
      };
      expect(
        await store.finishRequest(created.id, {
          status: 'succeeded',
          finishedAt: end,
          check,
          phase: 'done',
        }),
      ).toBe(true);
      expect(
        await store.finishRequest(created.id, {
          status: 'failed',
          finishedAt: end,
        }),
      ).toBe(false);
      expect(await store.getRequest(created.id)).toMatchObject({
        status: 'succeeded',
        durationMs: 90_000,
        check,
        agentJobId: null,
      });
      expect(
        await store.lastVerifiedRestoreAt([
          'resource:default/app-db',
          'resource:default/other',
        ]),
      ).toEqual({
        'resource:default/app-db': end.toISOString(),
        'resource:default/other': null,
      });
    });

    it('lists newest first, by status and entity', async () => {
      const a = await store.createRequest(request({ now: T0 }));
      const b = await store.createRequest(
        request({
          now: new Date(T0.getTime() + 1000),
          entityRef: 'resource:default/b',
        }),
      );
      const c = await store.createRequest(
        request({
          now: new Date(T0.getTime() + 2000),
          preview: preview(['no']),
        }),
      );
      expect((await store.listRequests({ limit: 10 })).map(r => r.id)).toEqual([
        c.id,
        b.id,
        a.id,
      ]);
      expect(
        (await store.listRequests({ limit: 10, status: 'pending' })).map(
          r => r.id,
        ),
      ).toEqual([b.id, a.id]);
      expect(
        (
          await store.listRequests({
            limit: 10,
            entityRef: 'resource:default/app-db',
          })
        ).map(r => r.id),
      ).toEqual([c.id, a.id]);
    });

    it('gives the median downtime of the target’s past runs', async () => {
      const run = (id: string, downtime: number | null, target = 'app-db') => ({
        id,
        entity_ref: 'resource:default/app-db',
        agent: 'demo-host',
        target,
        status: 'succeeded',
        trigger: 'schedule',
        created_at: T0,
        finished_at: T0,
        downtime_ms: downtime,
        updated_at: T0,
      });
      expect(await store.medianDowntimeMs('demo-host', 'app-db')).toBeNull();
      await knex('backup_runs').insert([
        run('1', 1000),
        run('2', 5000),
        run('3', 3000),
        run('4', null),
        run('5', 99_000, 'other'),
      ]);
      expect(await store.medianDowntimeMs('demo-host', 'app-db')).toBe(3000);
    });

    it('counts overdue and failing drills of entities with a drill policy', async () => {
      const weekly = {
        cron: '0 5 * * 0',
        timeZone: 'UTC',
        source: 'weekly sunday 05:00 UTC',
        destination: 'x_drill',
      };
      const longAgo = new Date('2026-10-01T00:00:00Z');
      await store.syncDrillSchedules(
        ['a', 'b', 'c', 'd'].map(n => ({
          entityRef: `resource:default/${n}`,
          ...weekly,
        })),
        longAgo,
      );
      const now = new Date('2026-11-22T12:00:00Z'); // a Sunday, 7 hours after the slot
      const slot = new Date('2026-11-22T05:00:00Z');
      const drill = async (
        name: string,
        status: 'succeeded' | 'failed',
        scheduledFor: Date,
      ) => {
        const created = await store.createDrill({
          entityRef: `resource:default/${name}`,
          agent: 'demo-host',
          target: name,
          snapshotId: '20261122T010000Z',
          destination: { kind: 'other', path: 'x_drill' },
          force: false,
          preview: preview(),
          scheduledFor,
          now: scheduledFor,
          expiresAt: new Date(scheduledFor.getTime() + 24 * HOUR),
        });
        await store.claimApproved(created!.id, scheduledFor);
        await store.finishRequest(created!.id, {
          status,
          finishedAt: new Date(scheduledFor.getTime() + 60_000),
          check: { ok: status === 'succeeded', differences: [], details: {} },
        });
      };
      await drill('a', 'succeeded', slot); // on time
      await drill('b', 'succeeded', new Date('2026-11-15T05:00:00Z')); // last week's: overdue
      await drill('c', 'failed', slot); // failing, and overdue (no success for this slot)
      // d: never drilled: overdue
      expect(
        await store.drillStatusCounts(
          [
            'resource:default/a',
            'resource:default/b',
            'resource:default/c',
            'resource:default/d',
          ],
          now,
        ),
      ).toEqual({
        overdue: 3,
        failing: 1,
      });
      // An entity without a drill policy counts for nothing.
      expect(
        await store.drillStatusCounts(['resource:default/zzz'], now),
      ).toEqual({ overdue: 0, failing: 0 });
      // A second drill for the same slot is a no-op.
      expect(
        await store.createDrill({
          entityRef: 'resource:default/a',
          agent: 'demo-host',
          target: 'a',
          snapshotId: '20261122T010000Z',
          destination: { kind: 'other', path: 'x_drill' },
          force: false,
          preview: preview(),
          scheduledFor: slot,
          now,
          expiresAt: now,
        }),
      ).toBeUndefined();
      expect((await store.latestDrill('resource:default/a'))!.status).toBe(
        'succeeded',
      );

      // Policies removed from the catalog stop counting.
      await store.syncDrillSchedules(
        [{ entityRef: 'resource:default/a', ...weekly }],
        now,
      );
      expect(
        await store.drillStatusCounts(
          ['resource:default/c', 'resource:default/d'],
          now,
        ),
      ).toEqual({ overdue: 0, failing: 0 });
    });
  },
);
