import type {
  AgentSnapshot,
  RestorePreview,
  RestoreRequest,
} from '@safekeep/plugin-backups-common';
import { SHA } from './fixtures';

export function makePreview(
  overrides: Partial<RestorePreview> = {},
): RestorePreview {
  return {
    snapshotId: '20261120T010000Z',
    snapshotCreatedAt: '2026-11-20T01:00:00.000Z',
    verified: true,
    verification:
      'local: 2 of 2 artifact(s) re-read, sha256 and size match the manifest.',
    artifacts: [
      { name: 'globals.sql.zst', bytes: 2048, sha256: SHA },
      { name: 'orders.dump.zst', bytes: 5 * 1024 ** 2, sha256: SHA },
    ],
    containersToStop: ['orders-api'],
    expectedDowntimeMs: 90_000,
    refusals: [],
    overwrites: true,
    ...overrides,
  };
}

export function makeRestore(
  overrides: Partial<RestoreRequest> = {},
): RestoreRequest {
  return {
    id: 'restore-1',
    entityRef: 'resource:default/orders-db',
    status: 'pending',
    phase: null,
    snapshotId: '20261120T010000Z',
    destination: { kind: 'in-place' },
    reason: 'a migration deleted the March orders',
    requestedBy: 'user:default/ann',
    requestedAt: '2026-11-20T09:00:00.000Z',
    expiresAt: '2026-11-21T09:00:00.000Z',
    decidedBy: null,
    decidedAt: null,
    decisionComment: null,
    startedAt: null,
    finishedAt: null,
    durationMs: null,
    preview: makePreview(),
    check: null,
    error: null,
    group: null,
    drill: false,
    ...overrides,
  };
}

export function makeSnapshot(
  id: string,
  overrides: Partial<AgentSnapshot> = {},
): AgentSnapshot {
  return {
    id,
    target: 'orders',
    tier: 'local',
    createdAt: `${id.slice(0, 4)}-${id.slice(4, 6)}-${id.slice(
      6,
      8,
    )}T${id.slice(9, 11)}:${id.slice(11, 13)}:${id.slice(13, 15)}.000Z`,
    bytes: 5 * 1024 ** 2,
    rawBytes: 20 * 1024 ** 2,
    sha256: SHA,
    artifacts: [],
    location: `file:///var/backups/orders/${id}`,
    engine: 'postgres',
    engineVersion: '15.4',
    manifestVersion: 1,
    ...overrides,
  };
}
