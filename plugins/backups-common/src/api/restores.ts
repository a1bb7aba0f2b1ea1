/** Restore requests: asked by one person, approved by another, run by the agent. */

export type RestoreStatus =
  | 'pending' // waiting for approval
  | 'refused' // the preview found a refusal: can never be approved
  | 'rejected'
  | 'expired'
  | 'withdrawn' // the requester took it back before anyone decided
  | 'approved' // approved, waiting to run
  | 'running'
  | 'succeeded'
  | 'failed';

/**
 * Where to restore: the entity's own target (`in-place`), another destination of the same target
 * (`other`: a database name or path, as `restore --to` takes), or the target of another catalog
 * entity (`entity`: a staging copy, or the same service on another host), whose agent reads the
 * snapshot from storage it shares with the source.
 */
export interface RestoreDestination {
  kind: 'in-place' | 'other' | 'entity';
  /** `entity`: the catalog entity whose target receives the restore. */
  entityRef?: string;
  /** `entity`: its agent and target, resolved from its annotations when the request is made. */
  agent?: string;
  target?: string;
  /** `entity`: the target the snapshot was taken from (the requested entity's). */
  from?: string;
  /** `other`: engine-specific destination, e.g. another database name or a path (`restore --to`). */
  path?: string;
}

/** What will happen, computed before anyone approves. */
export interface RestorePreview {
  snapshotId: string;
  snapshotCreatedAt: string | null;
  /** The agent re-read every artifact and compared sizes and sha256 with the manifest. */
  verified: boolean;
  verification: string;
  artifacts: Array<{ name: string; bytes: number; sha256: string }>;
  /** Containers the restore stops (consistency group or target container). */
  containersToStop: string[];
  /** From past runs of this target: median downtime, or null. */
  expectedDowntimeMs: number | null;
  /** Reasons the agent would refuse; a request with any cannot be approved. */
  refusals: string[];
  /** The destination has data and the restore will overwrite it. */
  overwrites: boolean;
}

export interface RestoreRequest {
  id: string;
  entityRef: string;
  status: RestoreStatus;
  snapshotId: string;
  destination: RestoreDestination;
  reason: string;
  requestedBy: string;
  requestedAt: string;
  expiresAt: string;
  decidedBy: string | null;
  decidedAt: string | null;
  decisionComment: string | null;
  /** What the agent is doing now (`verifying`, `restoring`, `checking`...), or why it waits. */
  phase?: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
  preview: RestorePreview;
  /** The post-restore check: counts compared with the snapshot. */
  check: {
    ok: boolean;
    differences: string[];
    details: Record<string, unknown>;
  } | null;
  error: string | null;
  /** Set for a System's group restore: the member requests it drives. */
  group: {
    name: string;
    members: Array<{
      entityRef: string;
      snapshotId: string;
      status: RestoreStatus;
    }>;
  } | null;
  /** True for a scheduled drill into a scratch target. */
  drill: boolean;
}

/** POST /entities/:kind/:namespace/:name/restores */
export interface CreateRestoreRequest {
  /** Latest snapshot when omitted. Not for a System's consistency group (see groupWindow). */
  snapshotId?: string;
  /**
   * A System's consistency group only: the backup window, a UTC time in snapshot-id form
   * (20260118T040000Z); each member's snapshot closest to it. The newest window every member
   * has when omitted.
   */
  groupWindow?: string;
  destination?: RestoreDestination;
  reason: string;
}

export interface RestoreDecision {
  comment: string;
}
