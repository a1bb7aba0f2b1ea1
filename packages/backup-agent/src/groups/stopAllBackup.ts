import { dumpTarget } from '../snapshots/backupTarget';
import type {
  ProgressListener,
  SnapshotContext,
} from '../snapshots/SnapshotContext';
import type { GroupMemberOutcome } from './groupOutcome';
import { withMemberContainers } from './memberContainers';
import type { ResolvedGroup } from './resolveGroup';
import { withGroupStopped } from './withGroupStopped';
import type { CutResult } from './takeCut';

/**
 * A group backup in `stop-all` mode, as the seeds' scripts did it: every running container
 * of the group is stopped (docker stop, never pause), each member is dumped in order while
 * nothing runs (a member whose tools run in a container gets it started for its step), and
 * everything is started again in parallel, also when a step failed. The first failing member
 * ends the dumping, so the downtime stays short.
 */
export async function stopAllBackup(
  context: SnapshotContext,
  group: ResolvedGroup,
  members: GroupMemberOutcome[],
  startedAt: Date,
  running: string[],
  onProgress: ProgressListener,
): Promise<CutResult> {
  const result: CutResult = { pending: [], problems: [], stopped: running };
  await withGroupStopped(
    context,
    group,
    running,
    'container',
    result,
    onProgress,
    async () => {
      const stopped = new Set(group.containers);
      for (const [index, target] of group.targets.entries()) {
        const member = members[index];
        const began = Date.now();
        try {
          const snapshot = await withMemberContainers(
            context,
            target,
            stopped,
            group,
            readyMs => (member.phases.readyMs = readyMs),
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
          result.pending.push(snapshot);
          member.state = 'stored';
          member.snapshotId = snapshot.ref.id;
          member.pointInTime = 'dumped while every container was stopped';
        } catch (error) {
          member.state = 'failed';
          member.error = (error as Error).message;
          result.problems.push(`target ${target.name} failed: ${member.error}`);
          break;
        } finally {
          member.phases.dumpMs = Date.now() - began;
        }
      }
      if (result.problems.length === 0) result.cutAt = Date.now();
    },
  );
  return result;
}
