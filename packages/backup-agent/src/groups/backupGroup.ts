import type { AgentSnapshot } from '@safekeep/plugin-backups-common';
import { containerStates } from '../docker/containerLifecycle';
import type {
  ProgressListener,
  SnapshotContext,
} from '../snapshots/SnapshotContext';
import { formatSnapshotId } from '../storage/snapshotId';
import type { GroupBackupResult, GroupMemberOutcome } from './groupOutcome';
import { GroupPreflightError, preflightGroup } from './preflightGroup';
import type { ResolvedGroup } from './resolveGroup';
import { stopAllBackup } from './stopAllBackup';
import { CutResult, takeCut } from './takeCut';

export type {
  GroupBackupResult,
  GroupContainerReport,
  GroupMemberOutcome,
} from './groupOutcome';

/**
 * Backs a consistency group up: a preflight of every member first (nothing is stopped when
 * one would fail), then the group's mode: `cut` stops only the writers while each store fixes
 * its point in time (takeCut), `stop-all` stops everything for the whole dump (stopAllBackup).
 * Either way every stopped container is started again, also after a failure. Members are
 * committed afterwards, so each manifest records the measured downtime; when any member
 * failed, those stored are kept, marked `complete: false`.
 */
export async function backupGroup(
  context: SnapshotContext,
  group: ResolvedGroup,
  onProgress: ProgressListener = () => undefined,
): Promise<GroupBackupResult> {
  const began = Date.now();
  const docker = context.docker().docker;
  const startedAt = context.now();
  const runId = formatSnapshotId(startedAt, 1);
  const members: GroupMemberOutcome[] = group.targets.map(t => ({
    target: t.name,
    state: 'not run',
    phases: {},
  }));
  const watched = [...new Set([...group.containers, ...group.writers])].sort();
  const before = await containerStates(docker, watched);
  const report = async (
    cut: CutResult,
    snapshots: AgentSnapshot[],
    downtimeMs: number | null,
  ): Promise<GroupBackupResult> => {
    const after = await containerStates(docker, watched);
    onProgress({ phase: 'done', bytes: 0 });
    return {
      group: group.name,
      mode: group.mode,
      runId,
      stoppedContainers: cut.stopped,
      cutAt: cut.cutAt ? new Date(cut.cutAt).toISOString() : null,
      downtimeMs,
      totalMs: Date.now() - began,
      members,
      containers: watched.map(container => ({
        container,
        wasRunning: before[container] === 'running',
        state: after[container],
      })),
      excluded: group.excluded,
      snapshots,
      error:
        cut.problems.length > 0
          ? `group ${group.name}: ${cut.problems.join('; ')}`
          : undefined,
    };
  };

  onProgress({ phase: 'preflight', bytes: 0 });
  try {
    const checked = await preflightGroup(context, group);
    checked.forEach((m, i) => (members[i].phases.preflightMs = m.ms));
  } catch (error) {
    if (!(error instanceof GroupPreflightError)) throw error;
    error.members.forEach((m, i) => {
      members[i].phases.preflightMs = m.ms;
      if (m.problems.length > 0) members[i].error = m.problems.join('; ');
    });
    return report(
      {
        pending: [],
        problems: [error.message.replace(/^group \S+: /, '')],
        stopped: [],
      },
      [],
      null,
    );
  }

  const stoppable = group.mode === 'cut' ? group.writers : group.containers;
  const running = stoppable.filter(name => before[name] === 'running');
  const cut = await (group.mode === 'cut' ? takeCut : stopAllBackup)(
    context,
    group,
    members,
    startedAt,
    running,
    onProgress,
  );

  const downtimeMs =
    running.length > 0 &&
    cut.firstStop !== undefined &&
    cut.lastStart !== undefined
      ? cut.lastStart - cut.firstStop
      : null;
  const complete = members.every(m => m.state === 'stored');
  const snapshots: AgentSnapshot[] = [];
  // In group order, whatever order the members finished in.
  const pending = group.targets.flatMap(t =>
    cut.pending.filter(p => p.target.name === t.name),
  );
  for (const snapshot of pending) {
    const member = members.find(m => m.target === snapshot.target.name)!;
    const committing = Date.now();
    try {
      const result = await snapshot.commit({
        group: {
          name: group.name,
          runId,
          mode: group.mode,
          members: group.targets.map(t => t.name),
          stoppedContainers: running,
          cutAt: cut.cutAt ? new Date(cut.cutAt).toISOString() : null,
          downtimeMs,
          complete,
        },
      });
      snapshots.push(...result.snapshots);
      if (result.failedTiers.length > 0) {
        member.failedTiers = result.failedTiers;
        cut.problems.push(
          `target ${member.target}: copying failed for ${result.failedTiers
            .map(f => `${f.tier}: ${f.error}`)
            .join('; ')}`,
        );
      }
    } catch (error) {
      member.state = 'failed';
      member.error = (error as Error).message;
      cut.problems.push(
        `target ${member.target}: writing its manifest failed: ${member.error}`,
      );
    } finally {
      member.phases.commitMs = Date.now() - committing;
    }
  }
  return report(cut, snapshots, downtimeMs);
}
