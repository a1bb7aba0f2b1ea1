import { migrateBackupsDatabase } from '../database/migrateBackupsDatabase';
import { createTestDatabases } from '../testing/testDatabases';
import { VerificationsStore } from './VerificationsStore';

jest.setTimeout(60_000);

const { databases, ids } = createTestDatabases();

const SLOT = new Date('2026-12-03T04:00:00Z');
const round = (snapshotIds: string[], slot = SLOT) => ({
  entityRef: 'resource:default/app-db',
  agent: 'demo-host',
  target: 'app-db',
  tier: 'local',
  slot,
  snapshotIds,
  total: 3,
  now: new Date('2026-12-03T04:00:10Z'),
});

describe('VerificationsStore', () => {
  it.each(ids)(
    'plans a round once, flags the latest failure and tells of it once per snapshot, on %p',
    async databaseId => {
      const knex = await databases.init(databaseId);
      await migrateBackupsDatabase(knex);
      const store = new VerificationsStore(knex);

      expect(await store.planRound(round(['s1', 's2']))).toBe(true);
      // A second replica (or tick) planning the same slot records nothing.
      expect(await store.planRound(round(['s1', 's2']))).toBe(false);
      expect(await store.countRounds('resource:default/app-db', 'local')).toBe(
        1,
      );
      const queued = await store.listInStatus('queued');
      expect(queued.map(v => v.snapshotId).sort()).toEqual(['s1', 's2']);

      const [one, two] = queued;
      expect(await store.markRunning(one.id, 'job-1', SLOT)).toBe(true);
      expect(await store.markRunning(one.id, 'job-1', SLOT)).toBe(false);
      await store.finish(one.id, 'ok', null, new Date('2026-12-03T04:01:00Z'));
      await store.finish(
        two.id,
        'failed',
        'sha256 differs',
        new Date('2026-12-03T04:02:00Z'),
      );
      const failedId = two.snapshotId;
      expect(
        await store.failedSnapshotIds('demo-host', 'app-db', 'local'),
      ).toEqual([failedId]);

      const unnotified = await store.unnotifiedFailures();
      expect(unnotified.map(v => v.snapshotId)).toEqual([failedId]);
      await store.markNotified(unnotified[0], new Date('2026-12-03T04:03:00Z'));

      // The next round finds it broken again: still flagged, not told again.
      const next = new Date('2026-12-04T04:00:00Z');
      expect(await store.planRound(round([failedId], next))).toBe(true);
      const again = (await store.listInStatus('queued'))[0];
      await store.finish(
        again.id,
        'failed',
        'sha256 differs',
        new Date('2026-12-04T04:01:00Z'),
      );
      expect(await store.unnotifiedFailures()).toEqual([]);
      expect(
        await store.failedSnapshotIds('demo-host', 'app-db', 'local'),
      ).toEqual([failedId]);

      // A later pass clears the flag.
      expect(
        await store.planRound(
          round([failedId], new Date('2026-12-05T04:00:00Z')),
        ),
      ).toBe(true);
      const third = (await store.listInStatus('queued'))[0];
      await store.finish(
        third.id,
        'ok',
        null,
        new Date('2026-12-05T04:01:00Z'),
      );
      expect(
        await store.failedSnapshotIds('demo-host', 'app-db', 'local'),
      ).toEqual([]);
    },
  );
});
