import os from 'node:os';
import type { TargetConfig } from '../config/loadConfig';
import { CREATED_BY_LABEL } from '../docker/agentContainerSpec';
import type { DockerRuntime } from '../docker/DockerRuntime';
import type { ContainerNeed } from '../engines/EngineDriver';
import type { GroupConfig, GroupMode } from './groupSettings';
import { chooseWriters } from './groupRoles';

/** A group with its containers found on the Docker Engine and its targets resolved. */
export interface ResolvedGroup {
  name: string;
  source: 'config' | 'label';
  mode: GroupMode;
  /** The group's containers (exclusions applied), sorted by name: all stopped in stop-all mode. */
  containers: string[];
  /** The containers that write to the stores, sorted: the ones a cut stops. */
  writers: string[];
  /** Why the writers are these (listed, labelled, or the containers minus the stores'). */
  writersFrom: string;
  /** Containers the selector matched that are never stopped, with why. */
  excluded: Array<{ container: string; reason: string }>;
  targets: TargetConfig[];
  stopTimeoutSeconds: number;
  readyTimeoutSeconds: number;
}

/** The agent's own container, when it runs in one: Docker sets the hostname to the short container id. */
function ownContainerId(): string | undefined {
  const host = os.hostname();
  return /^[0-9a-f]{12}$/.test(host) ? host : undefined;
}

/**
 * Finds a group's containers (by name or label selector) and targets. Never stopped: names
 * starting with an `exclude` prefix, containers the agent created, and the agent's own
 * container (a selector on a Compose project would otherwise match it).
 */
export async function resolveGroup(
  runtime: DockerRuntime,
  group: GroupConfig,
  resolveTarget: (name: string) => Promise<TargetConfig>,
  needsOf: (target: TargetConfig) => ContainerNeed[] = () => [],
): Promise<ResolvedGroup> {
  const own = ownContainerId();
  const candidates: Array<{
    name: string;
    id: string;
    labels: Record<string, string>;
  }> = [];
  if (group.containers) {
    for (const name of group.containers) {
      const info = await runtime.inspectContainer(
        name,
        `container ${name} of group "${group.name}":`.replace(/:$/, ''),
      );
      candidates.push({
        name: info.Name.replace(/^\//, ''),
        id: info.Id,
        labels: info.Config.Labels ?? {},
      });
    }
  } else {
    const listed = await runtime.docker.listContainers({
      all: true,
      filters: { label: [group.selector!.label] },
    });
    for (const info of listed)
      candidates.push({
        name: (info.Names[0] ?? info.Id).replace(/^\//, ''),
        id: info.Id,
        labels: info.Labels ?? {},
      });
    if (listed.length === 0) {
      throw new Error(
        `group "${group.name}": no container has the label ${
          group.selector!.label
        }; check groups.${group.name}.selector`,
      );
    }
  }

  const containers: string[] = [];
  const excluded: ResolvedGroup['excluded'] = [];
  for (const candidate of candidates) {
    const prefix = group.exclude.find(p => candidate.name.startsWith(p));
    if (prefix)
      excluded.push({
        container: candidate.name,
        reason: `name starts with "${prefix}" (exclude)`,
      });
    else if (candidate.labels[CREATED_BY_LABEL])
      excluded.push({
        container: candidate.name,
        reason: 'created by the agent',
      });
    else if (own && candidate.id.startsWith(own))
      excluded.push({
        container: candidate.name,
        reason: "the agent's own container",
      });
    else if (!containers.includes(candidate.name))
      containers.push(candidate.name);
  }

  const targets: TargetConfig[] = [];
  for (const name of group.targets) targets.push(await resolveTarget(name));
  const writers = await chooseWriters(runtime, {
    group,
    containers: candidates.filter(c => containers.includes(c.name)),
    storeContainers: new Set(
      targets.flatMap(t => needsOf(t).map(need => need.container)),
    ),
  });
  return {
    name: group.name,
    source: group.source,
    mode: group.mode,
    containers: containers.sort(),
    writers: writers.names,
    writersFrom: writers.from,
    excluded,
    targets,
    stopTimeoutSeconds:
      group.stopTimeoutSeconds ?? runtime.settings.stopTimeoutSeconds,
    readyTimeoutSeconds: group.readyTimeoutSeconds,
  };
}
