import type { DockerRuntime } from '../docker/DockerRuntime';
import type { TargetConfig } from '../config/loadConfig';
import type { GroupConfig } from './groupSettings';
import { resolveGroup } from './resolveGroup';

/** A consistency group as GET /v1/groups lists it. */
export interface GroupDescription {
  name: string;
  source: 'config' | 'label';
  targets: string[];
  /** Containers a group backup or restore stops, as found on the Docker Engine now; null when it cannot be asked. */
  containers: string[] | null;
  /** Containers the selector matched that are never stopped, with why. */
  excluded: Array<{ container: string; reason: string }>;
  /** Why the containers are unknown (Docker unreachable, a container missing...). */
  problem?: string;
}

/** Every group with the containers it would stop now; a group Docker cannot resolve says why. */
export async function describeGroups(
  runtime: () => DockerRuntime,
  groups: GroupConfig[],
  resolveTarget: (name: string) => Promise<TargetConfig>,
): Promise<GroupDescription[]> {
  const described: GroupDescription[] = [];
  for (const group of groups) {
    const base = {
      name: group.name,
      source: group.source,
      targets: group.targets,
    };
    try {
      const resolved = await resolveGroup(runtime(), group, resolveTarget);
      described.push({
        ...base,
        containers: resolved.containers,
        excluded: resolved.excluded,
      });
    } catch (error) {
      described.push({
        ...base,
        containers: null,
        excluded: [],
        problem: (error as Error).message,
      });
    }
  }
  return described;
}
