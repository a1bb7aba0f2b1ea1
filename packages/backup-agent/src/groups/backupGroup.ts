import type { AgentSnapshot } from '@safekeep/plugin-backups-common';
import {
  ContainerStateName,
  containerStates,
  startContainers,
  stopContainers,
} from '../docker/containerLifecycle';
import { dumpTarget, PendingSnapshot } from '../snapshots/backupTarget';
import type {
  ProgressListener,
  SnapshotContext,
} from '../snapshots/SnapshotContext';
import { formatSnapshotId } from '../storage/snapshotId';
import { withMemberContainers } from './memberContainers';
import type { ResolvedGroup } from './resolveGroup';
import { restartGuard } from './restartGuard';

export interface GroupMemberOutcome {
  target: string;
  state: 'stored' | 'failed' | 'not run';
  snapshotId?: string;
  error?: string;
  /** Tiers the copy failed for (the primary snapshot is good). */
  failedTiers?: Array<{ tier: string; error: string }>;
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
  /** Shared by the member snapshots (their `details.group.runId`). */
  runId: string;
  /** First stop to last start; null when no container was running. */
  downtimeMs: number | null;
  members: GroupMemberOutcome[];
  containers: GroupContainerReport[];
  excluded: ResolvedGroup['excluded'];
  snapshots: AgentSnapshot[];
  /** One sentence when anything failed (a member, a stop, a start); the job fails with it. */
  error?: string;
}

/**
 * Backs a consistency group up: stops its running containers in parallel (docker stop, never
 * pause), dumps each member target in order while nothing writes, and starts again in parallel
 * everything that was running, also when a step failed. Members are committed afterwards, so
 * each manifest records the measured downtime (first stop to last start). The first failing
 * member ends the dumping (the downtime stays short); members dumped before it are kept, marked
 * `complete: false`.
 */
export async function backupGroup(
  context: SnapshotContext,
  group: ResolvedGroup,
  onProgress: ProgressListener = () => undefined,
): Promise<GroupBackupResult> {
  const docker = context.docker().docker;
  const startedAt = context.now();
  const runId = formatSnapshotId(startedAt, 1);
  const before = await containerStates(docker, group.containers);
  const running = group.containers.filter(name => before[name] === 'running');
  const members: GroupMemberOutcome[] = group.targets.map(t => ({
    target: t.name,
    state: 'not run',
  }));
  const pending: PendingSnapshot[] = [];
  const problems: string[] = [];

  onProgress({ phase: `stopping ${running.length} container(s)`, bytes: 0 });
  const release = restartGuard.hold(
    docker,
    running,
    `the backup of group "${group.name}"`,
  );
  let firstStop: number | undefined;
  let lastStart: number | undefined;
  try {
    const stop = await stopContainers(
      docker,
      running,
      group.stopTimeoutSeconds,
    );
    firstStop = stop.startedAt;
    if (stop.failures.length > 0) {
      throw new Error(
        `could not stop ${stop.failures
          .map(f => `${f.container} (${f.error})`)
          .join(', ')}; nothing was backed up`,
      );
    }
    context.log(
      `group ${group.name}: stopped ${
        running.join(', ') || 'nothing (no container was running)'
      }`,
    );
    const stopped = new Set(group.containers);
    for (const [index, target] of group.targets.entries()) {
      const member = members[index];
      try {
        const snapshot = await withMemberContainers(
          context,
          target,
          stopped,
          group.stopTimeoutSeconds,
          () =>
            dumpTarget(
              context,
              target,
              progress =>
                onProgress({
                  ...progress,
                  phase: `${target.name}: ${progress.phase}`,
                }),
              startedAt,
            ),
        );
        pending.push(snapshot);
        member.state = 'stored';
        member.snapshotId = snapshot.ref.id;
      } catch (error) {
        member.state = 'failed';
        member.error = (error as Error).message;
        problems.push(`target ${target.name} failed: ${member.error}`);
        break;
      }
    }
  } catch (error) {
    problems.push((error as Error).message);
  } finally {
    onProgress({ phase: `starting ${running.length} container(s)`, bytes: 0 });
    const start = await startContainers(docker, running);
    lastStart = start.finishedAt;
    if (start.failures.length > 0) {
      problems.push(
        `could not start again: ${start.failures
          .map(f => `${f.container} (${f.error})`)
          .join(', ')}; start them by hand`,
      );
    } else {
      release();
    }
    context.log(
      `group ${group.name}: started ${running.join(', ') || 'nothing'} again`,
    );
  }

  const downtimeMs =
    running.length > 0 && firstStop !== undefined
      ? lastStart - firstStop
      : null;
  const complete = members.every(m => m.state === 'stored');
  const snapshots: AgentSnapshot[] = [];
  for (const snapshot of pending) {
    const member = members.find(m => m.target === snapshot.target.name)!;
    try {
      const result = await snapshot.commit({
        group: {
          name: group.name,
          runId,
          members: group.targets.map(t => t.name),
          stoppedContainers: running,
          downtimeMs,
          complete,
        },
      });
      snapshots.push(...result.snapshots);
      if (result.failedTiers.length > 0) {
        member.failedTiers = result.failedTiers;
        problems.push(
          `target ${member.target}: copying failed for ${result.failedTiers
            .map(f => `${f.tier}: ${f.error}`)
            .join('; ')}`,
        );
      }
    } catch (error) {
      member.state = 'failed';
      member.error = (error as Error).message;
      problems.push(
        `target ${member.target}: writing its manifest failed: ${member.error}`,
      );
    }
  }

  const after = await containerStates(docker, group.containers);
  onProgress({ phase: 'done', bytes: 0 });
  return {
    group: group.name,
    runId,
    downtimeMs,
    members,
    containers: group.containers.map(container => ({
      container,
      wasRunning: running.includes(container),
      state: after[container],
    })),
    excluded: group.excluded,
    snapshots,
    error:
      problems.length > 0
        ? `group ${group.name}: ${problems.join('; ')}`
        : undefined,
  };
}
