import type { GroupConfig, GroupMode } from './groupSettings';
import type { ResolvedGroup } from './resolveGroup';

/** A consistency group as GET /v1/groups lists it. */
export interface GroupDescription {
  name: string;
  source: 'config' | 'label';
  targets: string[];
  mode: GroupMode;
  /** The containers a cut stops (the writers); null when Docker cannot be asked. */
  writers: string[] | null;
  /** Containers a group backup or restore stops, as found on the Docker Engine now; null when it cannot be asked. */
  containers: string[] | null;
  /** Containers the selector matched that are never stopped, with why. */
  excluded: Array<{ container: string; reason: string }>;
  /** Why the containers are unknown (Docker unreachable, a container missing...). */
  problem?: string;
}

/** Every group with the containers it would stop now; a group Docker cannot resolve says why. */
export async function describeGroups(
  groups: GroupConfig[],
  resolve: (group: GroupConfig) => Promise<ResolvedGroup>,
): Promise<GroupDescription[]> {
  const described: GroupDescription[] = [];
  for (const group of groups) {
    const base = {
      name: group.name,
      source: group.source,
      targets: group.targets,
      mode: group.mode,
    };
    try {
      const resolved = await resolve(group);
      described.push({
        ...base,
        writers: resolved.writers,
        containers: resolved.containers,
        excluded: resolved.excluded,
      });
    } catch (error) {
      described.push({
        ...base,
        writers: null,
        containers: null,
        excluded: [],
        problem: (error as Error).message,
      });
    }
  }
  return described;
}
