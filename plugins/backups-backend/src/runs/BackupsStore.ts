import type {
  AgentSnapshot,
  BackupRun,
  GroupCut,
  RunCatchUp,
  RunStatus,
} from '@safekeep/plugin-backups-common';

/** A run with the bookkeeping the runner needs, beyond what the REST API shows. */
export interface StoredRun extends BackupRun {
  agentJobId: string | null;
  /** Last time the agent answered about this run. */
  agentSeenAt: string | null;
  /** Every stored snapshot (one per tier), once finished. */
  tiers: AgentSnapshot[] | null;
  /** Shared by the runs of one consistency-group backup. */
  groupRunId?: string | null;
  /** The System whose consistency group the run belongs to. */
  groupRef?: string | null;
}

export interface NewUserRun {
  entityRef: string;
  agent: string;
  target: string;
  triggeredBy: string | null;
  now: Date;
}

export interface NewScheduledRun {
  entityRef: string;
  agent: string;
  target: string;
  scheduledFor: Date;
  now: Date;
  /** Set when slots were missed before it or it is queued late. */
  catchUp?: RunCatchUp;
}

export type CreateUserRunResult =
  | { created: StoredRun }
  /** A run of the same agent+target is already queued or running. */
  | { conflict: StoredRun };

export type ClaimResult =
  | { claimed: StoredRun }
  /** Another run of the same agent+target is running; the run stays queued. */
  | { busy: StoredRun | undefined }
  /** The run is no longer queued (another worker took it, or it was finished). */
  | { gone: true };

export type FinalStatus = Extract<
  RunStatus,
  'succeeded' | 'failed' | 'partially_failed' | 'interrupted'
>;

export interface RunOutcome {
  status: FinalStatus;
  finishedAt: Date;
  phase?: string | null;
  durationMs?: number | null;
  bytesRaw?: number | null;
  bytesStored?: number | null;
  /** What the run added to its primary tier, and bytesRaw / bytesNew (the manifest's sizes). */
  bytesNew?: number | null;
  dedupRatio?: number | null;
  sha256?: string | null;
  snapshotId?: string | null;
  location?: string | null;
  downtimeMs?: number | null;
  /** For a member of an agent group backup: how the group was cut. */
  groupCut?: GroupCut | null;
  tiers?: AgentSnapshot[] | null;
  /** Stored with secrets redacted. */
  error?: string | null;
}

/** What an entity's summary is computed from. */
export interface EntityRunFacts {
  lastFinished?: StoredRun;
  lastSuccess?: StoredRun;
  /** A queued or running run, the oldest first. */
  active?: StoredRun;
  /** The newest slot a scheduled run was created for. */
  latestScheduledSlot?: Date;
  /** Durations of the latest succeeded runs, newest first (at most RECENT_DURATIONS). */
  recentDurationsMs?: number[];
}

/** How many recent successes the overlap warning looks at. */
export const RECENT_DURATIONS = 5;

/** Persistence of backup runs. */
export interface BackupsStore {
  /** Creates a queued user run unless the same agent+target already has a queued or running one. */
  createUserRun(input: NewUserRun): Promise<CreateUserRunResult>;
  /** Creates the queued run of a schedule slot; undefined when that slot already has one. */
  createScheduledRun(input: NewScheduledRun): Promise<StoredRun | undefined>;
  getLatestScheduledSlot(entityRef: string): Promise<Date | undefined>;
  hasRunForSlot(entityRef: string, slot: Date): Promise<boolean>;
  /** A queued or running run of this agent+target, if any. */
  findActiveRun(agent: string, target: string): Promise<StoredRun | undefined>;
  getRun(id: string): Promise<StoredRun | undefined>;
  /** Runs of an entity, newest first. */
  listRuns(
    entityRef: string,
    page: { limit: number; offset: number },
  ): Promise<{ items: StoredRun[]; total: number }>;
  /** Runs in one status, oldest first. */
  listRunsInStatus(status: 'queued' | 'running'): Promise<StoredRun[]>;
  getEntityRunFacts(entityRef: string): Promise<EntityRunFacts>;
  /** Moves a queued run to running unless its agent+target is busy; the database forbids overlaps. */
  claimQueuedRun(id: string, now: Date): Promise<ClaimResult>;
  /** Puts a claimed run back in the queue (the agent was busy), with a phase that says why. */
  returnToQueue(id: string, phase: string, now: Date): Promise<void>;
  recordJobStarted(
    id: string,
    agentJobId: string,
    phase: string,
    now: Date,
  ): Promise<void>;
  /** Progress of a running run; also notes that the agent answered. */
  recordProgress(
    id: string,
    progress: { phase: string; bytesStored: number },
    now: Date,
  ): Promise<void>;
  /** Finishes a queued or running run. False when it had already finished. */
  finishRun(id: string, outcome: RunOutcome): Promise<boolean>;
}
