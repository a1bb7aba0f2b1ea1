import type Docker from 'dockerode';

/**
 * Containers the agent created and has not removed yet, process-wide: if the agent is ended by
 * a signal or crashes mid-run (no finally runs then), the exit hooks remove them.
 */
const live = new Map<string, Docker.Container>();

export function trackAgentContainer(container: Docker.Container): void {
  live.set(container.id, container);
}

export function untrackAgentContainer(container: Docker.Container): void {
  live.delete(container.id);
}

/** Force-removes every tracked container; returns how many could not be removed. */
export async function removeLiveAgentContainers(): Promise<number> {
  const containers = [...live.values()];
  live.clear();
  const results = await Promise.allSettled(
    containers.map(c => c.remove({ force: true, v: true })),
  );
  return results.filter(r => r.status === 'rejected').length;
}
