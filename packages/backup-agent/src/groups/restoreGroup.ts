import {
  ContainerStateName,
  containerStates,
  startContainers,
  stopContainers,
} from '../docker/containerLifecycle';
import {
  prepareRestore,
  PreparedRestore,
  RestoreResult,
} from '../snapshots/restoreSnapshot';
import type {
  ProgressListener,
  SnapshotContext,
} from '../snapshots/SnapshotContext';
import {
  chooseGroupSnapshots,
  GroupSnapshotSelection,
} from './chooseGroupSnapshots';
import { withMemberContainers } from './memberContainers';
import { preflightGroup } from './preflightGroup';
import type { ResolvedGroup } from './resolveGroup';

export type GroupRestoreOptions = GroupSnapshotSelection & {
  tier?: string;
  /** Overwrite members whose destination holds data (as `force` of a single restore). */
  force?: boolean;
  onProgress?: ProgressListener;
};

export interface GroupRestoreMember {
  target: string;
  snapshotId: string;
  state: 'restored' | 'restored with differences' | 'failed' | 'not restored';
  error?: string;
  result?: RestoreResult;
}

export interface GroupRestoreResult {
  group: string;
  members: GroupRestoreMember[];
  containers: Array<{
    container: string;
    wasRunning: boolean;
    state: ContainerStateName;
  }>;
  /** What the operator has to know when it failed: which containers were left stopped, and why. */
  note?: string;
  error?: string;
}

/**
 * Restores a consistency group: every member snapshot is chosen and checked first (manifest,
 * versions, destination, checksums, the members' containers and logins) while nothing is
 * stopped; then the writers are stopped (`stop-all`: every running container), each member
 * restored (an exec container the group stopped is started just for its step), and the
 * containers started again. When a member fails, nothing is started again: an application
 * running on a half-restored set of databases is worse than one that is down, so the operator
 * decides (seed 001). The result says what state each container is in.
 */
export async function restoreGroup(
  context: SnapshotContext,
  group: ResolvedGroup,
  options: GroupRestoreOptions,
): Promise<GroupRestoreResult> {
  const onProgress = options.onProgress ?? (() => undefined);
  const docker = context.docker().docker;
  // The same container and login checks as a backup's preflight, before anything is stopped.
  await preflightGroup(context, group, { engineChecks: false });
  const ids = await chooseGroupSnapshots(
    context,
    group.name,
    group.targets,
    options,
    options.tier,
  );
  const members: GroupRestoreMember[] = group.targets.map(t => ({
    target: t.name,
    snapshotId: ids[t.name],
    state: 'not restored',
  }));

  const prepared: PreparedRestore[] = [];
  for (const target of group.targets) {
    onProgress({ phase: `${target.name}: verifying`, bytes: 0 });
    // Refusals happen here, before any container is stopped.
    prepared.push(
      await prepareRestore(context, target, ids[target.name], {
        tier: options.tier,
        force: options.force,
      }),
    );
  }

  // cut: only the writers stop; each store is restored online, or (Neo4j) stops its own
  // container for its load. stop-all: every running container, as before.
  const watched = [...new Set([...group.containers, ...group.writers])].sort();
  const stoppable = group.mode === 'cut' ? group.writers : group.containers;
  const before = await containerStates(docker, watched);
  const running = stoppable.filter(name => before[name] === 'running');
  onProgress({ phase: `stopping ${running.length} container(s)`, bytes: 0 });
  const stop = await stopContainers(docker, running, group.stopTimeoutSeconds);

  let failure: string | undefined;
  if (stop.failures.length > 0) {
    failure = `could not stop ${stop.failures
      .map(f => `${f.container} (${f.error})`)
      .join(', ')}, so nothing was restored`;
  } else {
    const stopped = new Set(running);
    for (const [index, restore] of prepared.entries()) {
      const member = members[index];
      try {
        const result = await withMemberContainers(
          context,
          restore.target,
          stopped,
          group,
          () => undefined,
          () =>
            restore.apply(progress =>
              onProgress({
                ...progress,
                phase: `${restore.target.name}: ${progress.phase}`,
              }),
            ),
        );
        member.result = result;
        member.state = result.differences.length
          ? 'restored with differences'
          : 'restored';
      } catch (error) {
        member.state = 'failed';
        member.error = (error as Error).message;
        failure = `restoring target ${restore.target.name} (snapshot ${restore.snapshotId}) failed: ${member.error}`;
        break;
      }
    }
  }

  if (!failure) {
    onProgress({ phase: `starting ${running.length} container(s)`, bytes: 0 });
    const start = await startContainers(docker, running);
    if (start.failures.length > 0)
      failure = `every member was restored, but ${start.failures
        .map(f => `${f.container} (${f.error})`)
        .join(', ')} did not start`;
  }

  const after = await containerStates(docker, watched);
  const containers = watched.map(container => ({
    container,
    wasRunning: before[container] === 'running',
    state: after[container],
  }));
  const differing = members.filter(
    m => m.state === 'restored with differences',
  );
  let note: string | undefined;
  if (
    failure &&
    stop.failures.length === 0 &&
    members.some(m => m.state === 'failed')
  ) {
    const restored = members
      .filter(m => m.state.startsWith('restored'))
      .map(m => m.target);
    note =
      `containers were left stopped on purpose (${containers
        .map(c => `${c.container}: ${c.state}`)
        .join(', ')}): ` +
      `${
        restored.length
          ? `${restored.join(', ')} ${
              restored.length > 1 ? 'were' : 'was'
            } restored, `
          : ''
      }` +
      `${
        members
          .filter(m => m.state === 'not restored')
          .map(m => m.target)
          .join(', ') || 'no other member'
      } not; ` +
      'fix the cause and restore the group again, or start the containers by hand (docker start) if you accept the current data';
  }
  onProgress({ phase: 'done', bytes: 0 });
  const errors = [
    failure,
    ...differing.map(
      m =>
        `target ${
          m.target
        } was restored but its check differs: ${m.result!.differences.join(
          '; ',
        )}`,
    ),
  ].filter(Boolean);
  return {
    group: group.name,
    members,
    containers,
    note,
    error: errors.length
      ? `group ${group.name}: ${errors.join('; ')}`
      : undefined,
  };
}
