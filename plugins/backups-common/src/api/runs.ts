/** REST types of `/api/backups`, shared by backend and frontend. */

export type RunStatus =
  | 'queued'
  | 'running'
  | 'succeeded'
  | 'failed'
  | 'partially_failed'
  | 'interrupted';
export type RunTrigger = 'schedule' | 'user';

export interface BackupRun {
  id: string;
  entityRef: string;
  agent: string;
  target: string;
  status: RunStatus;
  phase: string | null;
  trigger: RunTrigger;
  /** Who asked, for user-triggered runs. */
  triggeredBy: string | null;
  /** The schedule slot this run fills, for scheduled runs. */
  scheduledFor: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
  /** Logical bytes: the size of a restore. */
  bytesRaw: number | null;
  /** Stored bytes a restore reads (a chunked snapshot's chunks counted once, shared or not). */
  bytesStored: number | null;
  /**
   * Bytes this run added to its primary tier: whole files, or the new chunks of a chunked
   * snapshot (the rest was stored by earlier snapshots). Null for runs of older agents.
   */
  bytesNew?: number | null;
  /** bytesRaw / bytesNew, as the snapshot's manifest records it; null as bytesNew. */
  dedupRatio?: number | null;
  sha256: string | null;
  snapshotId: string | null;
  location: string | null;
  downtimeMs: number | null;
  error: string | null;
  /** Shared by the runs started together for a System's consistency group; absent or null otherwise. */
  groupRunId?: string | null;
  /** How the agent's consistency-group backup this run was part of was cut; absent or null otherwise. */
  groupCut?: GroupCut | null;
  /** For a scheduled run queued after missed slots or late: what it catches up; absent or null otherwise. */
  catchUp?: RunCatchUp | null;
}

/**
 * A scheduled run that catches up: slots passed with no run (the backend was down, or a run of
 * the target was still active), and one run is queued for the latest slot instead of one each.
 */
export interface RunCatchUp {
  /** Slots between the previous scheduled run's slot and this one that got no run. */
  missedSlots: number;
  /** The first of them; null when only this run's own slot was late. */
  firstMissedSlot: string | null;
  /** How long after its slot this run was queued. */
  lateMs: number;
  /** From the last successful backup to the moment this run was queued; null without one. */
  sinceLastSuccessMs: number | null;
  /** The entity's RPO when it has one. */
  rpoMs: number | null;
  /** sinceLastSuccessMs is beyond the RPO: the protection promised was not held. */
  rpoExceeded: boolean;
}

/** One member's view of an agent's consistency-group backup (docs/agent.md, "Consistency groups"). */
export interface GroupCut {
  /** `cut`: only the writers were stopped; `stop-all`: every container of the group. */
  mode: 'cut' | 'stop-all';
  /** When every member's point in time was fixed; null when the cut was not taken. */
  cutAt: string | null;
  /** The containers stopped. */
  stoppedContainers: string[];
  /** First stop to last start of those containers; null when none was running. */
  writerDowntimeMs: number | null;
  /** This member's steps, ms: preflightMs, cutMs, streamMs, commitMs (stop-all: readyMs, dumpMs). */
  phases: Record<string, number>;
}

/** Freshness of a target's protection. */
export type BackupHealth =
  | 'ok'
  | 'late'
  | 'stale'
  | 'failing'
  | 'never'
  | 'unconfigured'
  | 'invalid';

export interface EntityBackupSummary {
  entityRef: string;
  health: BackupHealth;
  /** One sentence that says why the health is what it is. */
  healthReason: string;
  policy: {
    agent: string;
    target: string;
    engine: string | null;
    schedule: string | null;
    timeZone: string | null;
    rpoMs: number | null;
    retention: string | null;
    retentionOffsite: string | null;
    /** Scheduled restore drills: when, and into which scratch destination. Absent from older backends. */
    restoreDrill?: { schedule: string; destination: string } | null;
  } | null;
  problems: Array<{ annotation: string; value?: string; message: string }>;
  lastRun: BackupRun | null;
  lastSuccess: BackupRun | null;
  nextRunAt: string | null;
  runningRun: BackupRun | null;
  /** When a restore of this entity (requested or drill) last finished with its check passing. */
  lastVerifiedRestoreAt?: string | null;
  /** Scheduled verify (backups.verify): absent when none is configured or nothing was verified yet. */
  snapshotVerification?: SnapshotVerificationSummary | null;
  /**
   * Things that work now but will go wrong, e.g. runs that last longer than the schedule's
   * interval (they would overlap). Absent from older backends.
   */
  warnings?: string[];
  /** Set on a System with `safekeep.io/consistency-group`: its members' health, worst first. */
  group?: ConsistencyGroupSummary | null;
}

/** One member of a consistency group in its System's summary. */
export interface ConsistencyGroupMember {
  entityRef: string;
  health: BackupHealth;
  healthReason: string;
  lastSuccessAt: string | null;
}

/** The consistency group a System declares, as its summary shows it. */
export interface ConsistencyGroupSummary {
  name: string;
  /** Worst first: failing, stale, late, never, invalid, unconfigured, ok. */
  members: ConsistencyGroupMember[];
}

export interface RunsPage {
  items: BackupRun[];
  total: number;
  limit: number;
  offset: number;
}

export interface StartRunResponse {
  /** The run; for a System's consistency group, the group run id its member runs share. */
  runId: string;
  status: RunStatus;
  /** For a consistency group: the run queued for each member. */
  memberRuns?: Array<{ entityRef: string; runId: string }>;
}

/** What scheduled verify found for an entity's snapshots. */
export interface SnapshotVerificationSummary {
  /** When the latest snapshot verify (of any tier) finished. */
  lastVerifiedAt: string;
  /** How many snapshots have passed their latest verify. */
  passed: number;
  /** Snapshots whose latest verify failed: flagged, never counted as good by retention. */
  failed: Array<{
    snapshotId: string;
    tier: string;
    problem: string | null;
    verifiedAt: string;
  }>;
}
