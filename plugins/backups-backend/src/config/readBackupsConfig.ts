import fs from 'node:fs';
import type { Config } from '@backstage/config';
import { z } from 'zod';
import { RestoresConfig, restoresConfigSchema } from './restoresConfigSchema';
import { TierVerifySchedule, verifyConfigSchema } from './verifyConfigSchema';

/** One host agent the backend may call. */
export interface AgentConfig {
  name: string;
  /** Base URL without a trailing slash. */
  url: string;
  token: string;
  /** The CA certificate(s) (PEM) an https:// agent's certificate must chain to, from caFile. */
  ca?: Buffer;
}

/** The validated `backups` section of app-config. */
export interface BackupsConfig {
  agents: Map<string, AgentConfig>;
  dispatchIntervalSeconds: number;
  defaultTimeZone: string;
  /** `backups.restores`: expiry of requests, how long a preview may take (defaults when absent). */
  restores?: RestoresConfig;
  /** `backups.verify`: per storage tier, when its snapshots are read back (none when absent). */
  verify?: Record<string, TierVerifySchedule>;
}

export const DEFAULT_DISPATCH_INTERVAL_SECONDS = 30;

function isTimeZone(text: string): boolean {
  try {
    return Boolean(
      new Intl.DateTimeFormat('en-US', { timeZone: text }).resolvedOptions()
        .timeZone,
    );
  } catch {
    return false;
  }
}

const agentSchema = z
  .object(
    {
      url: z
        .string({
          required_error:
            'required: the agent\'s base URL, for example "http://127.0.0.1:7400"',
          invalid_type_error:
            'must be text: the agent\'s base URL, for example "http://127.0.0.1:7400"',
        })
        .superRefine((value, ctx) => {
          let url: URL;
          try {
            url = new URL(value);
          } catch {
            ctx.addIssue({
              code: 'custom',
              message: `"${value}" is not a URL; write for example http://127.0.0.1:7400`,
            });
            return;
          }
          if (url.protocol !== 'http:' && url.protocol !== 'https:') {
            ctx.addIssue({
              code: 'custom',
              message: `must start with http:// or https://, not ${url.protocol}//`,
            });
          }
          if (url.username || url.password) {
            // Never echo the URL: it holds credentials.
            ctx.addIssue({
              code: 'custom',
              message:
                'must not contain credentials; put the agent token in the token field',
            });
          }
        }),
      token: z
        .string({
          required_error:
            "required: the agent's bearer token; write token: ${SAFEKEEP_AGENT_TOKEN} and set that environment variable",
          invalid_type_error: "must be text: the agent's bearer token",
        })
        .refine(value => value.trim() !== '', {
          message:
            'is empty: set the environment variable the token refers to (e.g. SAFEKEEP_AGENT_TOKEN)',
        }),
      caFile: z
        .string({
          invalid_type_error:
            "must be the path of a PEM file with the CA certificate that signed the agent's TLS certificate",
        })
        .min(1)
        .optional(),
    },
    { invalid_type_error: 'must be an object with url and token' },
  )
  .strict()
  .superRefine((agent, ctx) => {
    if (agent.caFile && !/^https:/i.test(agent.url ?? '')) {
      ctx.addIssue({
        code: 'custom',
        path: ['caFile'],
        message:
          'only applies to an https:// agent URL: give the agent agent.listen.tls and use https://, or remove caFile',
      });
    }
  });

const backupsSchema = z
  .object(
    {
      agents: z
        .record(
          z.string().regex(/^[a-z0-9]([a-z0-9._-]{0,62}[a-z0-9])?$/i, {
            message:
              'agent names use letters, digits, ".", "_" or "-" (at most 64 characters)',
          }),
          agentSchema,
          {
            invalid_type_error: 'must be a map of agent name to { url, token }',
          },
        )
        .default({}),
      dispatchIntervalSeconds: z
        .number({
          invalid_type_error: 'must be a number of seconds, for example 30',
        })
        .int('must be a whole number of seconds, for example 30')
        .min(1, 'must be at least 1 second')
        .max(86_400, 'must be at most 86400 seconds (one day)')
        .default(DEFAULT_DISPATCH_INTERVAL_SECONDS),
      defaultTimeZone: z
        .string({
          invalid_type_error:
            'must be an IANA time zone name such as UTC or Europe/Zurich',
        })
        .refine(isTimeZone, value => ({
          message: `"${value}" is not a known IANA time zone; write for example UTC or Europe/Zurich`,
        }))
        .default('UTC'),
      restores: restoresConfigSchema,
      verify: verifyConfigSchema,
    },
    { invalid_type_error: 'must be an object' },
  )
  .strict();

/** Thrown at startup when `backups` in app-config cannot be used. */
export class BackupsConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(
      `Invalid app-config for the backups plugin:\n${problems
        .map(p => `  - ${p}`)
        .join('\n')}`,
    );
    this.name = 'BackupsConfigError';
  }
}

/** The CA file of an agent, read at startup; a problem names the key, never the content. */
function readCaFile(name: string, file: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (error) {
    throw new BackupsConfigError([
      `backups.agents.${name}.caFile: cannot read ${file} (${
        (error as NodeJS.ErrnoException).code ?? (error as Error).message
      }); point it at the PEM file of the CA that signed the agent's certificate`,
    ]);
  }
}

/**
 * Reads and checks `backups` from app-config. Every problem names its key and the fix;
 * values are never echoed where they could be a token.
 */
export function readBackupsConfig(config: Config): BackupsConfig {
  const raw = config.getOptional('backups') ?? {};
  const result = backupsSchema.safeParse(raw);
  if (!result.success) {
    const problems = result.error.issues.flatMap(issue => {
      const keys =
        issue.code === 'unrecognized_keys' ? issue.keys : [undefined];
      return keys.map(key => {
        const path = ['backups', ...issue.path, ...(key ? [key] : [])].join(
          '.',
        );
        const message = key
          ? 'unknown key: check its spelling (known: agents, dispatchIntervalSeconds, defaultTimeZone, restores; per agent: url, token, caFile; under restores: expireAfterHours, previewTimeoutSeconds) or remove it'
          : issue.message;
        return `${path}: ${message}`;
      });
    });
    throw new BackupsConfigError([...new Set(problems)]);
  }
  const agents = new Map<string, AgentConfig>();
  for (const [name, agent] of Object.entries(result.data.agents)) {
    agents.set(name, {
      name,
      url: agent.url.replace(/\/+$/, ''),
      token: agent.token,
      ...(agent.caFile ? { ca: readCaFile(name, agent.caFile) } : {}),
    });
  }
  return {
    agents,
    dispatchIntervalSeconds: result.data.dispatchIntervalSeconds,
    defaultTimeZone: result.data.defaultTimeZone,
    restores: result.data.restores,
    verify: result.data.verify,
  };
}
