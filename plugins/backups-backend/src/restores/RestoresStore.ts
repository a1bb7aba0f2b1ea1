import type {
  RestoreDestination,
  RestorePreview,
  RestoreRequest,
  RestoreStatus,
} from '@safekeep/plugin-backups-common';

/** The post-restore check as recorded on a request. */
export type RestoreCheck = NonNullable<RestoreRequest['check']>;

/** One member of a group restore, with what the runner needs to carry it out. */
export interface GroupMemberState {
  entityRef: string;
  agent: string;
  target: string;
  snapshotId: string;
  status: RestoreStatus;
  startedAt?: string | null;
  finishedAt?: string | null;
  check?: RestoreCheck | null;
  error?: string | null;
}

export interface GroupState {
  name: string;
  members: GroupMemberState[];
  /**
   * How the group runs: `agent` when the members' one agent restores the group itself
   * (POST /v1/group-restores, it stops the group's containers), else `members` one by one.
   * Unset until the runner has decided.
   */
  mode?: 'agent' | 'members';
}

/** A request with the runner's bookkeeping, beyond what the REST API shows. */
export interface StoredRestore extends RestoreRequest {
  /** Single-target restores; null for a group (its members carry theirs). */
  agent: string | null;
  target: string | null;
  /** Overwrite a destination with data: shown in the preview, so approved with it. */
  force: boolean;
  agentJobId: string | null;
  agentSeenAt: string | null;
  /** The drill schedule slot, for drills. */
  scheduledFor: string | null;
  groupState: GroupState | null;
}

export interface NewRestoreRequest {
  entityRef: string;
  agent: string | null;
  target: string | null;
  snapshotId: string;
  destination: RestoreDestination;
  force: boolean;
  reason: string;
  requestedBy: string;
  preview: RestorePreview;
  groupState: GroupState | null;
  now: Date;
  expiresAt: Date;
}

export interface NewDrill {
  entityRef: string;
  agent: string;
  target: string;
  snapshotId: string;
  destination: RestoreDestination;
  force: boolean;
  preview: RestorePreview;
  scheduledFor: Date;
  now: Date;
  expiresAt: Date;
}

export type DecideResult =
  | { decided: StoredRestore }
  /** Nothing changed; `why` says which rule refused, `request` is the request as it is. */
  | {
      refused: 'missing' | 'own-request' | 'not-pending' | 'expired';
      request?: StoredRestore;
    };

export interface RestoreOutcome {
  status: Extract<RestoreStatus, 'succeeded' | 'failed'>;
  finishedAt: Date;
  phase?: string | null;
  check?: RestoreCheck | null;
  /** Stored with secrets redacted. */
  error?: string | null;
  groupState?: GroupState | null;
}

export interface RestoreListFilter {
  status?: RestoreStatus;
  entityRef?: string;
  limit: number;
}

export interface DrillSchedule {
  entityRef: string;
  cron: string;
  timeZone: string;
  source: string;
  destination: string;
}

export interface DrillStatusCounts {
  /** Entities whose latest due drill slot (past the grace period) has no successful drill. */
  overdue: number;
  /** Entities whose latest finished drill failed. */
  failing: number;
}

/** Persistence of restore requests and drills. */
export interface RestoresStore {
  /** Stored as `pending`, or `refused` when the preview has refusals. */
  createRequest(input: NewRestoreRequest): Promise<StoredRestore>;
  /** Stored as `approved` (drills need no approval); undefined when the slot already has one. */
  createDrill(input: NewDrill): Promise<StoredRestore | undefined>;
  getRequest(id: string): Promise<StoredRestore | undefined>;
  /** Newest first. */
  listRequests(filter: RestoreListFilter): Promise<StoredRestore[]>;
  /**
   * Approves or rejects a pending, unexpired request of someone else. The database enforces
   * it: a conditional update, and a CHECK constraint that the decider is not the requester.
   */
  decide(
    id: string,
    decision: {
      decidedBy: string;
      approve: boolean;
      comment: string;
      now: Date;
    },
  ): Promise<DecideResult>;
  /**
   * The requester takes a pending request back (`withdrawn`). A conditional update: only the
   * requester, only while pending. The request as it is now, with whether it was withdrawn.
   */
  withdraw(
    id: string,
    requestedBy: string,
    now: Date,
  ): Promise<{ withdrawn: boolean; request?: StoredRestore }>;
  /** Marks pending and approved-but-not-started requests past their expiry as expired. */
  expireOverdue(now: Date): Promise<StoredRestore[]>;
  listInStatus(status: 'approved' | 'running'): Promise<StoredRestore[]>;
  /** approved -> running, unless it expired or another worker took it. */
  claimApproved(id: string, now: Date): Promise<StoredRestore | undefined>;
  /** running -> approved, with a phase that says why (the agent was busy). */
  returnToApproved(id: string, phase: string, now: Date): Promise<void>;
  recordJobStarted(
    id: string,
    agentJobId: string,
    phase: string,
    now: Date,
    groupState?: GroupState | null,
  ): Promise<void>;
  recordProgress(
    id: string,
    phase: string,
    now: Date,
    groupState?: GroupState | null,
  ): Promise<void>;
  /** Finishes a running request. False when it was not running. */
  finishRequest(id: string, outcome: RestoreOutcome): Promise<boolean>;
  /** Median downtime of the target's past backup runs that stopped something; null without any. */
  medianDowntimeMs(agent: string, target: string): Promise<number | null>;
  /** Per entity: when a restore of it (requested or drill) last succeeded with its check passing. */
  lastVerifiedRestoreAt(
    entityRefs: string[],
  ): Promise<Record<string, string | null>>;
  /** Drill health over the given entities (those with a drill policy count). */
  drillStatusCounts(
    entityRefs: string[],
    now?: Date,
  ): Promise<DrillStatusCounts>;
  /** Replaces the stored drill policies with these. */
  syncDrillSchedules(schedules: DrillSchedule[], now: Date): Promise<void>;
  /** The newest drill of an entity, if any. */
  latestDrill(entityRef: string): Promise<StoredRestore | undefined>;
}
