import type Docker from 'dockerode';
import { dockerReason, dockerStatus } from './dockerErrors';

export interface LifecycleResult {
  /** Containers the step succeeded for. */
  done: string[];
  failures: Array<{ container: string; error: string }>;
  /** When the first request went out / the last answer came back (ms since epoch). */
  startedAt: number;
  finishedAt: number;
}

async function inParallel(
  names: string[],
  step: (name: string) => Promise<void>,
): Promise<LifecycleResult> {
  const startedAt = Date.now();
  const outcomes = await Promise.allSettled(names.map(step));
  const finishedAt = Date.now();
  const done: string[] = [];
  const failures: LifecycleResult['failures'] = [];
  outcomes.forEach((outcome, index) => {
    if (outcome.status === 'fulfilled') done.push(names[index]);
    else
      failures.push({
        container: names[index],
        error: dockerReason(outcome.reason),
      });
  });
  return { done, failures, startedAt, finishedAt };
}

/**
 * `docker stop` (SIGTERM, then SIGKILL after the timeout) for every container at once. Never
 * `docker pause`: a paused process keeps its sockets and event loop frozen, and some
 * applications do not serve again after unpausing (seed 000).
 */
export function stopContainers(
  docker: Docker,
  names: string[],
  timeoutSeconds: number,
): Promise<LifecycleResult> {
  return inParallel(names, async name => {
    try {
      await docker.getContainer(name).stop({ t: timeoutSeconds });
    } catch (error) {
      // 304: already stopped.
      if (dockerStatus(error) !== 304) throw error;
    }
  });
}

/** `docker start` for every container at once. */
export function startContainers(
  docker: Docker,
  names: string[],
): Promise<LifecycleResult> {
  return inParallel(names, async name => {
    try {
      await docker.getContainer(name).start();
    } catch (error) {
      // 304: already running.
      if (dockerStatus(error) !== 304) throw error;
    }
  });
}

export type ContainerStateName =
  | 'running'
  | 'stopped'
  | 'paused'
  | 'restarting'
  | 'missing'
  | 'unknown';

/** What each container is doing now, for reports: running, stopped, missing... */
export async function containerStates(
  docker: Docker,
  names: string[],
): Promise<Record<string, ContainerStateName>> {
  const states: Record<string, ContainerStateName> = {};
  await Promise.all(
    names.map(async name => {
      try {
        const { State: state } = await docker.getContainer(name).inspect();
        if (state.Paused) states[name] = 'paused';
        else if (state.Restarting) states[name] = 'restarting';
        else states[name] = state.Running ? 'running' : 'stopped';
      } catch (error) {
        states[name] = dockerStatus(error) === 404 ? 'missing' : 'unknown';
      }
    }),
  );
  return states;
}
