import type Docker from 'dockerode';
import { compressionSchema } from '@safekeep/plugin-backups-common';
import type { Compression } from '@safekeep/plugin-backups-common';
import type { AgentConfig, TargetConfig } from '../config/loadConfig';
import { nameSchema } from '../config/configSchema';
import { formatIssues } from '../config/formatIssues';
import { enginesWith, findDriver } from '../engines/registry';
import {
  GROUP_MODES,
  type GroupConfig,
  type GroupMode,
} from '../groups/groupSettings';
import type { DockerRuntime } from './DockerRuntime';
import {
  COMPRESSION_LABEL,
  ENGINE_LABEL,
  GROUP_LABEL,
  GROUP_MODE_LABEL,
  settingsFromLabels,
  TARGET_LABEL,
  TIERS_LABEL,
} from './labels';

const isGroupMode = (value: string): value is GroupMode =>
  (GROUP_MODES as readonly string[]).includes(value);

export interface Discovery {
  targets: TargetConfig[];
  /** Groups named by safekeep.io/group labels (config groups of the same name win). */
  groups: GroupConfig[];
  /** One sentence per labelled container that could not become a target. */
  problems: string[];
}

function containerName(info: Docker.ContainerInfo): string {
  return (info.Names[0] ?? info.Id).replace(/^\//, '');
}

/**
 * Where the agent reaches a labelled server when no safekeep.io/host label says: 127.0.0.1 for
 * a container on the host network, else the container's address on its first network (which
 * the host, and an agent container on the same network, can reach).
 */
function defaultHost(info: Docker.ContainerInfo): string | undefined {
  if (info.HostConfig?.NetworkMode === 'host') return '127.0.0.1';
  const networks = Object.values(info.NetworkSettings?.Networks ?? {});
  return networks.find(n => n.IPAddress)?.IPAddress;
}

/** A labelled container as a target, or the problems that prevent it. */
function targetFrom(
  info: Docker.ContainerInfo,
  config: AgentConfig,
): { target?: TargetConfig; problems: string[] } {
  const container = containerName(info);
  const labels = info.Labels ?? {};
  const engine = labels[ENGINE_LABEL];
  const name = labels[TARGET_LABEL] ?? container;
  const where = `container ${container} (${ENGINE_LABEL}=${engine})`;
  // What discovery may do with the engine, its driver says (EngineDriver.capabilities).
  const driver = findDriver(engine);
  const capabilities = driver?.capabilities ?? {};
  if (!driver || !capabilities.labelDiscovery) {
    return {
      problems: [
        `${where}: engine "${engine}" cannot be discovered from labels; use one of ${enginesWith(
          'labelDiscovery',
        ).join(', ')}`,
      ],
    };
  }
  const validName = nameSchema('a target name').safeParse(name);
  if (!validName.success)
    return {
      problems: [
        `${where}: target name "${name}" ${validName.error.issues[0].message}`,
      ],
    };
  if (config.targets[name])
    return {
      problems: [
        `${where}: target "${name}" is already defined in the config, which wins; set ${TARGET_LABEL} to another name`,
      ],
    };

  const { fields, problems } = settingsFromLabels(labels);
  if (capabilities.containerExec) fields.container ??= container;
  if (capabilities.network && fields.host === undefined) {
    const host = defaultHost(info);
    if (host) fields.host = host;
  }
  const settings = driver.settingsSchema(config.context).safeParse(fields);
  if (!settings.success)
    problems.push(
      ...formatIssues(settings.error.issues, [`labels of ${container}`]),
    );

  const tierNames = Object.keys(config.storage);
  const tiers = labels[TIERS_LABEL]
    ? labels[TIERS_LABEL].split(',').map(t => t.trim())
    : tierNames;
  const unknownTiers = tiers.filter(t => !tierNames.includes(t));
  if (unknownTiers.length)
    problems.push(
      `${where}: ${TIERS_LABEL} names ${unknownTiers.join(
        ', ',
      )}, which are not storage tiers (${tierNames.join(', ')})`,
    );
  const compression = labels[COMPRESSION_LABEL] ?? config.defaults.compression;
  if (!compressionSchema.safeParse(compression).success)
    problems.push(
      `${where}: ${COMPRESSION_LABEL} must be one of ${compressionSchema.options.join(
        ', ',
      )}`,
    );

  if (problems.length > 0 || !settings.success)
    return {
      problems: problems.map(p =>
        p.startsWith(where) || p.startsWith('labels of') ? p : `${where}: ${p}`,
      ),
    };
  return {
    target: {
      name,
      engine,
      tiers,
      compression: compression as Compression,
      settings: settings.data,
      destinations: {},
      source: 'label',
      container,
    },
    problems: [],
  };
}

/**
 * Targets from containers labelled safekeep.io/engine (running or stopped), and groups from
 * safekeep.io/group: every container with that label is stopped with the group (application
 * containers need no engine label), and the group's targets are the labelled targets in it.
 */
export async function discoverLabelledTargets(
  runtime: DockerRuntime,
  config: AgentConfig,
): Promise<Discovery> {
  const containers = await runtime.docker.listContainers({
    all: true,
    filters: { label: [ENGINE_LABEL] },
  });
  const targets: TargetConfig[] = [];
  const problems: string[] = [];
  for (const info of containers.sort((a, b) =>
    containerName(a).localeCompare(containerName(b)),
  )) {
    const found = targetFrom(info, config);
    problems.push(...found.problems);
    if (!found.target) continue;
    if (targets.some(t => t.name === found.target!.name)) {
      problems.push(
        `container ${containerName(info)}: target "${
          found.target.name
        }" is labelled on another container too; give each a distinct ${TARGET_LABEL}`,
      );
      continue;
    }
    targets.push(found.target);
  }

  const grouped = await runtime.docker.listContainers({
    all: true,
    filters: { label: [GROUP_LABEL] },
  });
  const members = new Map<string, string[]>();
  const modeLabels = new Map<string, Set<string>>();
  for (const info of grouped) {
    const group = info.Labels[GROUP_LABEL];
    members.set(
      group,
      [...(members.get(group) ?? []), containerName(info)].sort(),
    );
    const mode = info.Labels[GROUP_MODE_LABEL];
    if (mode !== undefined)
      modeLabels.set(group, (modeLabels.get(group) ?? new Set()).add(mode));
  }
  const groups: GroupConfig[] = [];
  for (const [name, names] of members) {
    if (config.groups[name]) continue;
    const groupTargets = targets
      .filter(t => t.container && names.includes(t.container))
      .map(t => t.name);
    if (groupTargets.length === 0) {
      problems.push(
        `group "${name}" (${GROUP_LABEL}) has no labelled target among its containers ${names.join(
          ', ',
        )}; label at least one with ${ENGINE_LABEL}`,
      );
      continue;
    }
    const modes = [...(modeLabels.get(name) ?? [])];
    if (modes.length > 1 || modes.some(m => !isGroupMode(m))) {
      problems.push(
        `group "${name}": its containers' ${GROUP_MODE_LABEL} labels say ${modes
          .map(m => `"${m}"`)
          .join(' and ')}; label them all with one of ${GROUP_MODES.join(
          ', ',
        )} (or none: cut)`,
      );
      continue;
    }
    groups.push({
      name,
      source: 'label',
      containers: names,
      exclude: [],
      targets: groupTargets,
      mode: (modes[0] as GroupMode | undefined) ?? 'cut',
      readyTimeoutSeconds: 60,
    });
  }
  return { targets, groups, problems };
}
