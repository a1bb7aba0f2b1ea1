import type {
  AgentSnapshot,
  GroupCut,
  RunCatchUp,
  RunStatus,
  RunTrigger,
} from '@safekeep/plugin-backups-common';
import type { StoredRun } from './BackupsStore';

export const RUNS_TABLE = 'backup_runs';

/** A row of backup_runs as the drivers return it (timestamps and bigints vary by engine). */
export interface RunRow {
  id: string;
  entity_ref: string;
  agent: string;
  target: string;
  status: string;
  phase: string | null;
  trigger: string;
  triggered_by: string | null;
  scheduled_for: DbTime | null;
  created_at: DbTime;
  started_at: DbTime | null;
  finished_at: DbTime | null;
  duration_ms: DbNumber | null;
  bytes_raw: DbNumber | null;
  bytes_stored: DbNumber | null;
  bytes_new?: DbNumber | null;
  dedup_ratio?: DbNumber | null;
  sha256: string | null;
  snapshot_id: string | null;
  location: string | null;
  downtime_ms: DbNumber | null;
  error: string | null;
  agent_job_id: string | null;
  tiers: string | null;
  agent_seen_at: DbTime | null;
  running_target: string | null;
  updated_at: DbTime;
  group_run_id?: string | null;
  group_ref?: string | null;
  group_cut?: string | null;
  catch_up?: string | null;
}

/** PostgreSQL returns Date; SQLite returns epoch milliseconds (how knex binds a Date there). */
type DbTime = Date | number | string;
/** PostgreSQL returns bigint as string. */
type DbNumber = number | string;

export function toDate(value: DbTime): Date {
  if (value instanceof Date) return value;
  if (typeof value === 'number') return new Date(value);
  // Numeric strings are epoch milliseconds; anything else is a date string.
  return /^\d+$/.test(value) ? new Date(Number(value)) : new Date(value);
}

function toIso(value: DbTime | null): string | null {
  return value === null || value === undefined
    ? null
    : toDate(value).toISOString();
}

function toNumber(value: DbNumber | null): number | null {
  return value === null || value === undefined ? null : Number(value);
}

function parseJson<T>(text: string | null | undefined): T | null {
  if (!text) return null;
  try {
    return JSON.parse(text) as T;
  } catch {
    return null;
  }
}

/** The key of running_target: set while running so its unique index forbids two runs of one target. */
export function runningTargetKey(agent: string, target: string): string {
  return `${agent}/${target}`;
}

export function rowToRun(row: RunRow): StoredRun {
  return {
    id: row.id,
    entityRef: row.entity_ref,
    agent: row.agent,
    target: row.target,
    status: row.status as RunStatus,
    phase: row.phase,
    trigger: row.trigger as RunTrigger,
    triggeredBy: row.triggered_by,
    scheduledFor: toIso(row.scheduled_for),
    createdAt: toIso(row.created_at)!,
    startedAt: toIso(row.started_at),
    finishedAt: toIso(row.finished_at),
    durationMs: toNumber(row.duration_ms),
    bytesRaw: toNumber(row.bytes_raw),
    bytesStored: toNumber(row.bytes_stored),
    bytesNew: toNumber(row.bytes_new ?? null),
    dedupRatio: toNumber(row.dedup_ratio ?? null),
    sha256: row.sha256,
    snapshotId: row.snapshot_id,
    location: row.location,
    downtimeMs: toNumber(row.downtime_ms),
    error: row.error,
    agentJobId: row.agent_job_id,
    agentSeenAt: toIso(row.agent_seen_at),
    tiers: parseJson<AgentSnapshot[]>(row.tiers),
    groupRunId: row.group_run_id ?? null,
    groupRef: row.group_ref ?? null,
    groupCut: parseJson<GroupCut>(row.group_cut),
    catchUp: parseJson<RunCatchUp>(row.catch_up),
  };
}
