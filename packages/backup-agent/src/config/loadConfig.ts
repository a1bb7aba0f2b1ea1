import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import type { Compression } from '@safekeep/plugin-backups-common';
import { findDriver, supportedEngines } from '../engines/registry';
import { ConfigError } from './ConfigError';
import { contradictoryKeys } from './contradictoryKeys';
import { ConfigContext, createConfigContext } from './ConfigContext';
import { configFileSchema, ConfigFile, StorageConfig } from './configSchema';
import { formatIssues } from './formatIssues';
import type { EncryptionSettings } from './encryptionSettings';
import type { DockerSettings } from '../docker/dockerSettings';
import type { GroupConfig } from '../groups/groupSettings';
import type { DestinationSettings } from '../destinations/destinationSettings';

/** A target ready to use: common fields plus settings validated by its engine driver. */
export interface TargetConfig {
  name: string;
  engine: string;
  /** Storage tiers to write, first the primary. */
  tiers: string[];
  compression: Compression;
  /** The target's own encryption (false: none); undefined: `defaults.encryption` applies. */
  encryption?: EncryptionSettings | false;
  settings: unknown;
  /** Where a request may restore besides the target itself, by name (none for label targets). */
  destinations: DestinationSettings;
  /** `label`: discovered from a container's safekeep.io/* labels at run time. */
  source: 'config' | 'label';
  /** For a label target: the container it was found on. */
  container?: string;
}

export interface AgentConfig {
  /** Where the config came from, for messages: a file path or "inline config". */
  source: string;
  context: ConfigContext;
  agent: ConfigFile['agent'];
  storage: Record<string, StorageConfig>;
  defaults: ConfigFile['defaults'];
  targets: Record<string, TargetConfig>;
  /** The Docker Engine to use; absent: the local one, and no label discovery. */
  docker?: DockerSettings;
  groups: Record<string, GroupConfig>;
}

/** The config as YAML would give it; `startAgentServer` accepts it directly. */
export type AgentConfigInput = Record<string, unknown>;

const COMMON_TARGET_FIELDS = [
  'engine',
  'tiers',
  'compression',
  'encryption',
  'destinations',
];

/** Validates a config object. Relative paths are resolved against `baseDir`. */
export function parseConfig(
  input: unknown,
  options: { baseDir: string; source?: string },
): AgentConfig {
  const source = options.source ?? 'inline config';
  const context = createConfigContext(options.baseDir);
  const parsed = configFileSchema(context).safeParse(input ?? {});
  if (!parsed.success)
    throw new ConfigError(source, formatIssues(parsed.error.issues));
  const file = parsed.data;

  const problems: string[] = [];
  const tierNames = Object.keys(file.storage);
  const targets: Record<string, TargetConfig> = {};
  for (const [name, raw] of Object.entries(file.targets)) {
    const fieldPath = ['targets', name];
    const driver = findDriver(raw.engine);
    if (!driver) {
      problems.push(
        `targets.${name}.engine: "${
          raw.engine
        }" is not an engine this agent supports; use one of ${supportedEngines().join(
          ', ',
        )}`,
      );
      continue;
    }
    const tiers = raw.tiers ?? tierNames;
    tiers.forEach((tier, index) => {
      if (!tierNames.includes(tier)) {
        problems.push(
          `targets.${name}.tiers.${index}: "${tier}" is not a storage tier; use one of ${tierNames.join(
            ', ',
          )} (defined under storage)`,
        );
      }
    });
    if (new Set(tiers).size !== tiers.length)
      problems.push(
        `targets.${name}.tiers: lists a tier twice; name each tier once`,
      );

    const engineFields = Object.fromEntries(
      Object.entries(raw).filter(
        ([key]) => !COMMON_TARGET_FIELDS.includes(key),
      ),
    );
    const settings = driver.settingsSchema(context).safeParse(engineFields);
    if (!settings.success) {
      problems.push(...formatIssues(settings.error.issues, fieldPath));
      continue;
    }
    targets[name] = {
      name,
      engine: driver.engine,
      tiers,
      compression: raw.compression ?? file.defaults.compression,
      encryption: raw.encryption,
      settings: settings.data,
      destinations: raw.destinations,
      source: 'config',
    };
  }
  const discovers = file.docker?.discoverLabels ?? false;
  const groups: Record<string, GroupConfig> = {};
  for (const [name, group] of Object.entries(file.groups)) {
    group.targets.forEach((target, index) => {
      // Label targets are only known at run time; without discovery a name must be in targets.
      if (!file.targets[target] && !discovers) {
        problems.push(
          `groups.${name}.targets.${index}: "${target}" is not a target; use one of ${
            Object.keys(file.targets).join(', ') || '(none defined)'
          }`,
        );
      }
    });
    groups[name] = { ...group, name, source: 'config' };
  }
  problems.push(
    ...contradictoryKeys([
      file.defaults.encryption,
      ...Object.values(targets).map(t => t.encryption),
    ]),
  );
  if (problems.length > 0) throw new ConfigError(source, problems);

  return {
    source,
    context,
    agent: file.agent,
    storage: file.storage,
    defaults: file.defaults,
    targets,
    docker: file.docker,
    groups,
  };
}

/** Reads and validates the agent's YAML config file. */
export function loadConfig(file: string): AgentConfig {
  const absolute = path.resolve(file);
  let text: string;
  try {
    text = fs.readFileSync(absolute, 'utf8');
  } catch (error) {
    throw new ConfigError(absolute, [
      `cannot be read (${
        (error as NodeJS.ErrnoException).code ?? (error as Error).message
      }); pass --config with the path of the agent's YAML config`,
    ]);
  }
  const document = YAML.parseDocument(text, { prettyErrors: true });
  if (document.errors.length > 0) {
    throw new ConfigError(
      absolute,
      document.errors.map(
        e =>
          `YAML syntax error at line ${e.linePos?.[0]?.line ?? '?'}: ${
            e.message.split('\n')[0]
          }`,
      ),
    );
  }
  return parseConfig(document.toJS(), {
    baseDir: path.dirname(absolute),
    source: absolute,
  });
}
