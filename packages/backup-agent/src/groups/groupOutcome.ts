import type { AgentSnapshot } from '@safekeep/plugin-backups-common';
import type { ContainerStateName } from '../docker/containerLifecycle';
import type { GroupMode } from './groupSettings';
import type { ResolvedGroup } from './resolveGroup';

/** How long each step of one member took, in ms (absent: the step did not run). */
export interface MemberPhases {
  /** Its checks before anything was stopped. */
  preflightMs?: number;
  /** stop-all: waiting for its server after its container was started for its dump. */
  readyMs?: number;
  /** Fixing its point in time (or, without one, its whole dump) while the writers were stopped. */
  cutMs?: number;
  /** Streaming to storage after the writers ran again. */
  streamMs?: number;
  /** stop-all: its whole dump while everything was stopped. */
  dumpMs?: number;
  /** Writing README and MANIFEST, copying to the other tiers. */
  commitMs?: number;
}

export interface GroupMemberOutcome {
  target: string;
  state: 'stored' | 'failed' | 'not run';
  snapshotId?: string;
  error?: string;
  /** Tiers the copy failed for (the primary snapshot is good). */
  failedTiers?: Array<{ tier: string; error: string }>;
  /** How its data was held still, for people. */
  pointInTime?: string;
  phases: MemberPhases;
}

export interface GroupContainerReport {
  container: string;
  /** Running when the group backup began (only those were stopped and started again). */
  wasRunning: boolean;
  /** What it is doing now. */
  state: ContainerStateName;
}

export interface GroupBackupResult {
  group: string;
  mode: GroupMode;
  /** Shared by the member snapshots (their `details.group.runId`). */
  runId: string;
  /** The containers stopped: the running writers (cut) or every running container (stop-all). */
  stoppedContainers: string[];
  /** When every member's point in time was fixed (ISO); null when the cut was not taken. */
  cutAt: string | null;
  /** First stop to last start; null when no container was running. */
  downtimeMs: number | null;
  /** The whole group backup, preflight to the last manifest. */
  totalMs: number;
  members: GroupMemberOutcome[];
  containers: GroupContainerReport[];
  excluded: ResolvedGroup['excluded'];
  snapshots: AgentSnapshot[];
  /** One sentence when anything failed (a member, a stop, a start); the job fails with it. */
  error?: string;
}
