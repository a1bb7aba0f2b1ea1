/** The labels a container carries to be backed up (see docs/agent.md, Discovery by labels). */
export const LABEL_PREFIX = 'safekeep.io/';
export const ENGINE_LABEL = 'safekeep.io/engine';
export const TARGET_LABEL = 'safekeep.io/target';
export const GROUP_LABEL = 'safekeep.io/group';
/** A labelled group's mode (`cut`, the default, or `stop-all`), on any of its containers. */
export const GROUP_MODE_LABEL = 'safekeep.io/group-mode';
export const TIERS_LABEL = 'safekeep.io/tiers';
export const COMPRESSION_LABEL = 'safekeep.io/compression';
/** Names an environment variable of the agent that holds the password; the secret never sits in a label. */
export const PASSWORD_ENV_LABEL = 'safekeep.io/password-env';

/** Labels the agent sets on containers it creates itself; never read as settings. */
const AGENT_OWN = ['created-by', 'purpose', 'for'];

const RESERVED = [
  'engine',
  'target',
  'group',
  'group-mode',
  'tiers',
  'compression',
  'password-env',
  ...AGENT_OWN,
];

/** A label key that looks like it would hold a secret: refused, the value must not be read. */
const SECRET_LIKE = /(password|passwd|secret|token|credential|api-?key)/i;

function camelCase(key: string): string {
  return key.replace(/[-_]([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** `5432` becomes a number, `true`/`false` booleans, `a,b` stays text (lists are per setting). */
function scalar(value: string): string | number | boolean {
  if (/^-?\d+$/.test(value)) return Number(value);
  if (value === 'true' || value === 'false') return value === 'true';
  return value;
}

function list(value: string): string[] {
  return value
    .split(',')
    .map(v => v.trim())
    .filter(Boolean);
}

export interface LabelSettings {
  /** Engine fields from labels: `safekeep.io/database: app` -> `databases: [app]`. */
  fields: Record<string, unknown>;
  problems: string[];
}

/**
 * The engine settings a container's labels describe. `safekeep.io/<key>` becomes the setting
 * `<key>` in camelCase (`maintenance-database` -> `maintenanceDatabase`); `database` and
 * `databases` (comma-separated) become the `databases` list; `password-env: NAME` becomes
 * `password: { env: NAME }`. A label whose key suggests a secret is refused without its value.
 */
export function settingsFromLabels(
  labels: Record<string, string>,
): LabelSettings {
  const fields: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [label, value] of Object.entries(labels)) {
    if (!label.startsWith(LABEL_PREFIX)) continue;
    const key = label.slice(LABEL_PREFIX.length);
    if (key === 'password-env') {
      fields.password = { env: value };
      continue;
    }
    if (RESERVED.includes(key)) continue;
    if (SECRET_LIKE.test(key)) {
      problems.push(
        `label ${label} looks like it holds a secret, which labels must never do (anyone who can inspect the container reads them); put the secret in the agent's environment and name it with ${PASSWORD_ENV_LABEL}`,
      );
      continue;
    }
    if (key === 'database' || key === 'databases') {
      fields.databases = list(value);
      continue;
    }
    fields[camelCase(key)] = scalar(value);
  }
  return { fields, problems };
}
