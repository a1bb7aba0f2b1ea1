import { startContainers, stopContainers } from '../docker/containerLifecycle';
import type {
  ProgressListener,
  SnapshotContext,
} from '../snapshots/SnapshotContext';
import type { ResolvedGroup } from './resolveGroup';
import { restartGuard } from './restartGuard';

/** What the window records: the problems met, and when it began and ended (the downtime). */
export interface GroupWindow {
  problems: string[];
  firstStop?: number;
  lastStart?: number;
}

/**
 * The window of a group backup, for both modes: `running` (the writers in a cut, every
 * container in stop-all) are registered with the restart guard, stopped in parallel (docker
 * stop, never pause), `work` runs while they are down, and they are started again in parallel
 * in `finally`, also when stopping or `work` failed. A container that could not be stopped
 * ends the backup before `work`. Failures land in `result.problems`; `result.firstStop` and
 * `result.lastStart` bound the downtime.
 */
export async function withGroupStopped(
  context: SnapshotContext,
  group: Pick<ResolvedGroup, 'name' | 'stopTimeoutSeconds'>,
  running: string[],
  /** What `running` are, for progress and the log: "writer" or "container". */
  role: 'writer' | 'container',
  result: GroupWindow,
  onProgress: ProgressListener,
  work: () => Promise<void>,
): Promise<void> {
  const docker = context.docker().docker;
  const named = running.join(', ');
  onProgress({ phase: `stopping ${running.length} ${role}(s)`, bytes: 0 });
  const release = restartGuard.hold(
    docker,
    running,
    `the backup of group "${group.name}"`,
  );
  try {
    const stop = await stopContainers(
      docker,
      running,
      group.stopTimeoutSeconds,
    );
    result.firstStop = stop.startedAt;
    if (stop.failures.length > 0) {
      throw new Error(
        `could not stop ${stop.failures
          .map(f => `${f.container} (${f.error})`)
          .join(', ')}; nothing was backed up`,
      );
    }
    context.log(
      `group ${group.name}: stopped the ${role}s ${
        named || `(no ${role} was running)`
      }`,
    );
    await work();
  } catch (error) {
    result.problems.push((error as Error).message);
  } finally {
    onProgress({ phase: `starting ${running.length} ${role}(s)`, bytes: 0 });
    const start = await startContainers(docker, running);
    result.lastStart = start.finishedAt;
    if (start.failures.length > 0) {
      result.problems.push(
        `could not start again: ${start.failures
          .map(f => `${f.container} (${f.error})`)
          .join(', ')}; start them by hand`,
      );
    } else {
      release();
    }
    context.log(
      `group ${group.name}: started the ${role}s ${named || '(none)'} again`,
    );
  }
}
