import type { AgentJob } from '@safekeep/plugin-backups-common';
import type { RestoreAgent } from '../agent/RestoreAgent';
import type { GroupState, RestoreCheck, StoredRestore } from './RestoresStore';

/** One restore job to start on an agent: a single target, or one member of a group. */
export interface RestoreStep {
  agent: RestoreAgent;
  target: string;
  snapshotId: string;
  destination?: string;
  /** The target the snapshot was taken from, when the restore writes into another target. */
  from?: string;
  force: boolean;
}

export type StartedStep =
  | { kind: 'started'; job: AgentJob }
  | { kind: 'busy'; phase: string }
  | { kind: 'failed'; error: string };

export interface RestoreFinish {
  status: 'succeeded' | 'failed';
  error?: string | null;
  check?: RestoreCheck | null;
  groupState?: GroupState | null;
}

/** What single and group restores share: starting a job, following it, finishing the request. */
export interface RestoreSteps {
  startStep(request: StoredRestore, step: RestoreStep): Promise<StartedStep>;
  /** The job of a running request, or undefined when it failed the request or must wait. */
  poll(
    request: StoredRestore,
    agent: RestoreAgent | undefined,
  ): Promise<AgentJob | undefined>;
  finish(request: StoredRestore, outcome: RestoreFinish): Promise<void>;
}
