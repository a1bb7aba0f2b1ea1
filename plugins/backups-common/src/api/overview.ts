import type { BackupHealth, BackupRun } from './runs';

/** One point of an entity's size chart: a succeeded run's sizes. */
export interface SizePoint {
  at: string;
  bytesStored: number;
  /** The size of a restore. */
  bytesRaw: number;
  /** What the run added to its tier (BackupRun.bytesNew); null for runs of older agents. */
  bytesNew?: number | null;
}

/** GET /entities/:kind/:namespace/:name/sizes?days=30|90|365 */
export interface SizeSeries {
  entityRef: string;
  days: number;
  points: SizePoint[];
  /** Least-squares growth of stored bytes per 30 days over the window; null with < 2 points. */
  growthBytesPer30Days: number | null;
}

/** One protected entity in a team overview. */
export interface TeamEntityRow {
  entityRef: string;
  title: string | null;
  health: BackupHealth;
  healthReason: string;
  lastSuccessAt: string | null;
  bytesStored: number | null;
  /**
   * Storage the entity's kept snapshots take in their primary tier: the oldest kept one in
   * full, then what each later one added (new chunks); snapshots a prune removed are left out.
   * Null without a successful run.
   */
  storageUsedBytes?: number | null;
  /** Share of finished runs that succeeded in the last 30 days, 0..1; null without runs. */
  successRate30d: number | null;
  lastVerifiedRestoreAt: string | null;
  /** Snapshots whose latest scheduled verify failed (flagged); absent from older backends. */
  snapshotsFailingVerify?: number;
}

/** A catalog Resource that holds data (database, bucket, volume...) without a backup policy. */
export interface UnprotectedResource {
  entityRef: string;
  title: string | null;
  type: string | null;
}

/** GET /overview?owner=group:default/<team> */
export interface TeamOverview {
  owner: string;
  generatedAt: string;
  counts: {
    protected: number;
    unprotected: number;
    ok: number;
    late: number;
    stale: number;
    failing: number;
    never: number;
    invalid: number;
    drillsOverdue: number;
    drillsFailing: number;
  };
  /** Share of finished runs that succeeded over 30 days, 0..1; null without runs. */
  successRate30d: number | null;
  /** Daily success rate for the last 30 days (oldest first), for the team's trend chart. */
  successTrend: Array<{ day: string; succeeded: number; failed: number }>;
  bytesStored: number;
  /** Sum of the entities' storageUsedBytes: what the team's snapshots take in their tiers. */
  storageUsedBytes?: number;
  /** Growth of the team's stored bytes over 30 days; null without enough history. */
  growthBytes30d: number | null;
  lastVerifiedRestoreAt: string | null;
  /** Worst first: failing, stale, late, never, invalid, ok. */
  entities: TeamEntityRow[];
  unprotected: UnprotectedResource[];
}

/** GET /targets: every policy the backend knows, for operators. */
export interface TargetListItem {
  entityRef: string;
  owner: string | null;
  agent: string;
  target: string;
  engine: string | null;
  schedule: string | null;
  health: BackupHealth;
  lastRun: Pick<BackupRun, 'id' | 'status' | 'finishedAt'> | null;
}
