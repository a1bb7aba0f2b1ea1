/**
 * The HTTP contract between the backend and a host agent (`/v1/...`).
 * Every call carries `Authorization: Bearer <agent token>`.
 */

export type AgentJobKind = 'backup' | 'restore' | 'verify' | 'prune';
export type AgentJobState = 'running' | 'succeeded' | 'failed';

/** A stored snapshot as the agent lists it. */
export interface AgentSnapshot {
  id: string;
  target: string;
  tier: string;
  createdAt: string;
  /** Stored bytes of all artifacts. */
  bytes: number;
  /** Raw bytes of every stream: the size of a restore (the manifest's logical_bytes). */
  rawBytes: number;
  /**
   * Bytes the snapshot added to its tier (the manifest's sizes.new_bytes): whole files, or the
   * new packs and chunk indexes of a chunked snapshot. Absent from agents before chunked snapshots.
   */
  newBytes?: number;
  /** rawBytes / newBytes as the manifest records it (sizes.dedup_ratio); absent as newBytes. */
  dedupRatio?: number;
  /** sha256 of the first (for most engines the only) artifact. */
  sha256: string;
  artifacts: Array<{ name: string; bytes: number; sha256: string }>;
  /** Where it lives, e.g. `file:///var/backups/app/2026...` or `s3://bucket/prefix/...`. */
  location: string;
  engine: string;
  engineVersion: string | null;
  manifestVersion: number;
}

/**
 * What a job works on: one target, or a consistency group (every member target, locked and
 * stopped together; a group job's snapshots and `details.members` name each member).
 */
export type AgentJobSubject =
  | { kind: 'target'; name: string }
  | { kind: 'group'; name: string };

export interface AgentJob {
  id: string;
  kind: AgentJobKind;
  subject: AgentJobSubject;
  state: AgentJobState;
  /** What the job is doing now: `starting`, `dumping`, `uploading`, `verifying`, `done`... */
  phase: string;
  /** Bytes written so far (stored side). */
  bytes: number;
  startedAt: string;
  finishedAt?: string;
  /** For a backup: the snapshot per tier, first the primary. */
  snapshots?: AgentSnapshot[];
  /** Downtime caused by stopping containers, when any were stopped. */
  downtimeMs?: number;
  /** What the engine's check found after a restore, or what prune removed. */
  details?: Record<string, unknown>;
  error?: string;
}

export interface AgentTarget {
  name: string;
  engine: string;
  tiers: string[];
  /** Where the definition came from: the config file or a container label. */
  source: 'config' | 'label';
  /**
   * The restore destinations a request may name besides the target itself, as the agent
   * config declares them: `scratch`, or `restores/<sub-folder>` for a declared folder root.
   */
  destinations?: string[];
}

export interface AgentHealth {
  status: 'ok';
  version: string;
  name: string;
  targets: number;
}

/** POST /v1/backups: one target, or a consistency group as one job. */
export type StartBackupRequest = { target: string } | { group: string };

/**
 * POST /v1/group-restores: a consistency group restored as one job (stop all, restore each,
 * start all), one snapshot per member by id or the newest of each inside a time window.
 * `dryRun`: every check, nothing stopped or written. A single target's restore is
 * POST /v1/restores.
 */
export type StartGroupRestoreRequest = {
  group: string;
  tier?: string;
  force?: boolean;
  dryRun?: boolean;
} & (
  | { snapshotIds: Record<string, string> }
  | { window: { from: string; to: string } }
);

export interface StartBackupConflict {
  error: string;
  runningJobId: string;
}
