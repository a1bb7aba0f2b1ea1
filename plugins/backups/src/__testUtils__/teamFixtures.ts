import type {
  TeamEntityRow,
  TeamOverview,
} from '@safekeep/plugin-backups-common';

const hoursAgo = (hours: number) =>
  new Date(Date.now() - hours * 3_600_000).toISOString();

export function makeEntityRow(
  overrides: Partial<TeamEntityRow> = {},
): TeamEntityRow {
  return {
    entityRef: 'resource:default/orders-db',
    title: null,
    health: 'ok',
    healthReason: 'Last success 2 hours ago, within the 26h RPO.',
    lastSuccessAt: hoursAgo(2),
    bytesStored: Math.round(1.5 * 1024 ** 3),
    successRate30d: 1,
    lastVerifiedRestoreAt: null,
    ...overrides,
  };
}

/** team-a: one failing database, one fine bucket, one unprotected cache. */
export function makeTeamOverview(
  overrides: Partial<TeamOverview> = {},
): TeamOverview {
  return {
    owner: 'group:default/team-a',
    generatedAt: new Date().toISOString(),
    counts: {
      protected: 2,
      unprotected: 1,
      ok: 1,
      late: 0,
      stale: 0,
      failing: 1,
      never: 0,
      invalid: 0,
      drillsOverdue: 1,
      drillsFailing: 0,
    },
    successRate30d: 0.9,
    successTrend: [
      { day: '2026-11-18', succeeded: 2, failed: 0 },
      { day: '2026-11-19', succeeded: 1, failed: 1 },
      { day: '2026-11-20', succeeded: 0, failed: 0 },
    ],
    bytesStored: 3 * 1024 ** 3,
    storageUsedBytes: 2.5 * 1024 ** 3,
    growthBytes30d: 200 * 1024 ** 2,
    lastVerifiedRestoreAt: hoursAgo(72),
    entities: [
      makeEntityRow({
        entityRef: 'resource:default/orders-db',
        health: 'failing',
        healthReason: 'The last 2 runs failed.',
        lastSuccessAt: hoursAgo(50),
        successRate30d: 0.8,
      }),
      makeEntityRow({
        entityRef: 'resource:default/uploads',
        title: 'Uploads bucket',
        bytesStored: 512 * 1024 ** 2,
        storageUsedBytes: 2 * 1024 ** 3,
        lastVerifiedRestoreAt: hoursAgo(72),
      }),
    ],
    unprotected: [
      { entityRef: 'resource:default/sessions', title: null, type: 'redis' },
    ],
    ...overrides,
  };
}

/** A team that owns nothing Safekeep knows about. */
export function emptyTeamOverview(
  owner = 'group:default/team-b',
): TeamOverview {
  return makeTeamOverview({
    owner,
    counts: {
      protected: 0,
      unprotected: 0,
      ok: 0,
      late: 0,
      stale: 0,
      failing: 0,
      never: 0,
      invalid: 0,
      drillsOverdue: 0,
      drillsFailing: 0,
    },
    successRate30d: null,
    successTrend: [],
    bytesStored: 0,
    growthBytes30d: null,
    lastVerifiedRestoreAt: null,
    entities: [],
    unprotected: [],
  });
}
