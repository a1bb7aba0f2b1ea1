import type { Entity } from '@backstage/catalog-model';
import type {
  BackupRun,
  EntityBackupSummary,
} from '@safekeep/plugin-backups-common';

export const SHA =
  'a3f1c9e07b5d4e2f8a6c1b0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f';

/** A Resource with a complete Safekeep policy. */
export const configuredEntity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Resource',
  metadata: {
    name: 'orders-db',
    namespace: 'default',
    annotations: {
      'safekeep.io/agent': 'db-host-1',
      'safekeep.io/target': 'orders',
      'safekeep.io/engine': 'postgres',
      'safekeep.io/schedule': 'daily 01:00 Europe/Zurich',
      'safekeep.io/rpo': '26h',
    },
  },
  spec: { type: 'database', owner: 'team-a' },
};

/** A Resource nobody has set backups up for. */
export const bareEntity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Resource',
  metadata: { name: 'cache', namespace: 'default' },
  spec: { type: 'redis', owner: 'team-a' },
};

export function makeRun(overrides: Partial<BackupRun> = {}): BackupRun {
  return {
    id: 'run-1',
    entityRef: 'resource:default/orders-db',
    agent: 'db-host-1',
    target: 'orders',
    status: 'succeeded',
    phase: 'done',
    trigger: 'schedule',
    triggeredBy: null,
    scheduledFor: '2026-11-20T00:00:00.000Z',
    createdAt: '2026-11-20T00:00:00.000Z',
    startedAt: '2026-11-20T00:00:01.000Z',
    finishedAt: '2026-11-20T00:02:13.000Z',
    durationMs: 132_000,
    bytesRaw: 5 * 1024 ** 3,
    bytesStored: Math.round(1.5 * 1024 ** 3),
    sha256: SHA,
    snapshotId: '20261120T000001Z-orders',
    location: 'file:///var/backups/orders/20261120T000001Z-orders',
    downtimeMs: null,
    error: null,
    ...overrides,
  };
}

export const policy: NonNullable<EntityBackupSummary['policy']> = {
  agent: 'db-host-1',
  target: 'orders',
  engine: 'postgres',
  schedule: 'daily 01:00 Europe/Zurich',
  timeZone: 'Europe/Zurich',
  rpoMs: 26 * 3_600_000,
  retention: 'keep-last=7 keep-daily=14 min=3',
  retentionOffsite: null,
};

export function makeSummary(
  overrides: Partial<EntityBackupSummary> = {},
): EntityBackupSummary {
  const lastSuccess = makeRun();
  return {
    entityRef: 'resource:default/orders-db',
    health: 'ok',
    healthReason: 'Last success 2 hours ago, within the 26h RPO.',
    policy,
    problems: [],
    lastRun: lastSuccess,
    lastSuccess,
    nextRunAt: '2026-11-21T00:00:00.000Z',
    runningRun: null,
    ...overrides,
  };
}
