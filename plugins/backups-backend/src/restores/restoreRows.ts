import type {
  RestoreDestination,
  RestorePreview,
  RestoreStatus,
} from '@safekeep/plugin-backups-common';
import { toDate } from '../runs/runRows';
import type { GroupState, RestoreCheck, StoredRestore } from './RestoresStore';

export const RESTORES_TABLE = 'restore_requests';
export const DRILL_SCHEDULES_TABLE = 'restore_drill_schedules';

type DbTime = Date | number | string;
type DbNumber = number | string;

/** A row of restore_requests as the drivers return it (SQLite: epoch ms and 0/1 booleans). */
export interface RestoreRow {
  id: string;
  entity_ref: string;
  agent: string | null;
  target: string | null;
  status: string;
  phase: string | null;
  snapshot_id: string;
  destination: string;
  force: boolean | number;
  reason: string;
  requested_by: string;
  requested_at: DbTime;
  expires_at: DbTime;
  decided_by: string | null;
  decided_at: DbTime | null;
  decision_comment: string | null;
  started_at: DbTime | null;
  finished_at: DbTime | null;
  duration_ms: DbNumber | null;
  preview: string;
  check_result: string | null;
  error: string | null;
  group_state: string | null;
  drill: boolean | number;
  scheduled_for: DbTime | null;
  agent_job_id: string | null;
  agent_seen_at: DbTime | null;
  updated_at: DbTime;
}

export function toIso(value: DbTime | null | undefined): string | null {
  return value === null || value === undefined
    ? null
    : toDate(value).toISOString();
}

function parseJson<T>(text: string | null, fallback: T): T {
  if (!text) return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

const EMPTY_PREVIEW: RestorePreview = {
  snapshotId: '',
  snapshotCreatedAt: null,
  verified: false,
  verification: 'the stored preview could not be read',
  artifacts: [],
  containersToStop: [],
  expectedDowntimeMs: null,
  refusals: ['the stored preview could not be read'],
  overwrites: false,
};

export function rowToRestore(row: RestoreRow): StoredRestore {
  const groupState = parseJson<GroupState | null>(row.group_state, null);
  const duration =
    row.duration_ms === null || row.duration_ms === undefined
      ? null
      : Number(row.duration_ms);
  return {
    id: row.id,
    entityRef: row.entity_ref,
    status: row.status as RestoreStatus,
    phase: row.phase,
    snapshotId: row.snapshot_id,
    destination: parseJson<RestoreDestination>(row.destination, {
      kind: 'in-place',
    }),
    reason: row.reason,
    requestedBy: row.requested_by,
    requestedAt: toIso(row.requested_at)!,
    expiresAt: toIso(row.expires_at)!,
    decidedBy: row.decided_by,
    decidedAt: toIso(row.decided_at),
    decisionComment: row.decision_comment,
    startedAt: toIso(row.started_at),
    finishedAt: toIso(row.finished_at),
    durationMs: duration,
    preview: parseJson<RestorePreview>(row.preview, EMPTY_PREVIEW),
    check: parseJson<RestoreCheck | null>(row.check_result, null),
    error: row.error,
    group: groupState
      ? {
          name: groupState.name,
          members: groupState.members.map(m => ({
            entityRef: m.entityRef,
            snapshotId: m.snapshotId,
            status: m.status,
          })),
        }
      : null,
    drill: Boolean(row.drill),
    agent: row.agent,
    target: row.target,
    force: Boolean(row.force),
    agentJobId: row.agent_job_id,
    agentSeenAt: toIso(row.agent_seen_at),
    scheduledFor: toIso(row.scheduled_for),
    groupState,
  };
}
