import type { RetentionPolicy } from '@safekeep/plugin-backups-common';

export type PruneStatus = 'pending' | 'running' | 'succeeded' | 'failed';

/** A retention prune of one storage tier of a target, asked after a successful run. */
export interface StoredPrune {
  id: string;
  runId: string;
  entityRef: string;
  agent: string;
  target: string;
  tier: string;
  /** `safekeep.io/retention` or `safekeep.io/retention-offsite`. */
  retentionAnnotation: string;
  retention: RetentionPolicy;
  status: PruneStatus;
  agentJobId: string | null;
  /** Snapshot ids the agent removed, once succeeded. */
  pruned: string[] | null;
  incompleteRemoved: string[] | null;
  keptCount: number | null;
  error: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  /** Last change: also the last time the agent answered about a running prune. */
  updatedAt: string;
}

export type NewPrune = Pick<
  StoredPrune,
  | 'runId'
  | 'entityRef'
  | 'agent'
  | 'target'
  | 'tier'
  | 'retentionAnnotation'
  | 'retention'
> & {
  /** A prune that cannot be asked for (e.g. no such tier) is recorded failed at once. */
  error?: string;
};

export type PruneOutcome =
  | {
      status: 'succeeded';
      pruned: string[];
      incompleteRemoved: string[];
      keptCount: number;
    }
  | { status: 'failed'; error: string };

/** Persistence of retention prunes (table backup_prunes). */
export interface PrunesStore {
  createPrunes(prunes: NewPrune[], now: Date): Promise<StoredPrune[]>;
  /** Oldest first. */
  listPrunesInStatus(status: 'pending' | 'running'): Promise<StoredPrune[]>;
  listPrunesOfRun(runId: string): Promise<StoredPrune[]>;
  /** pending -> running; false when another worker took it. */
  claimPrune(id: string, now: Date): Promise<boolean>;
  /** running -> pending (the agent was busy with another job of the target). */
  returnPruneToPending(id: string, now: Date): Promise<void>;
  recordPruneStarted(id: string, agentJobId: string, now: Date): Promise<void>;
  /** The agent answered about a running prune. */
  recordPruneSeen(id: string, now: Date): Promise<void>;
  finishPrune(id: string, outcome: PruneOutcome, now: Date): Promise<boolean>;
}
