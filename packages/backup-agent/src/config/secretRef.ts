import fs from 'node:fs';
import { z } from 'zod';
import type { ConfigContext } from './ConfigContext';

/**
 * A secret is never written in the config itself: it is a reference to an environment
 * variable or a file, read when the agent needs it. `field` is the config path, for errors.
 */
export type SecretRef = { field: string } & (
  | { env: string }
  | { file: string }
);

const HOW = 'write { env: VARIABLE_NAME } or { file: /path/to/secret-file }';

export class SecretError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretError';
  }
}

export function secretRefSchema(context: ConfigContext, what: string) {
  return z.unknown().transform((value, ctx): SecretRef => {
    const fieldPath = ctx.path.join('.');
    const fail = (message: string) => {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message });
      return z.NEVER;
    };
    if (value === undefined || value === null)
      return fail(`required: ${what}; ${HOW}`);
    if (typeof value !== 'object' || Array.isArray(value)) {
      // Never echo the value: a plain value here is most likely the secret itself.
      return fail(
        `must be a reference to a secret (${what}), not a plain value, so the secret stays out of the config file; ${HOW}`,
      );
    }
    const keys = Object.keys(value);
    const record = value as Record<string, unknown>;
    if (keys.length !== 1 || !['env', 'file'].includes(keys[0])) {
      return fail(`must have exactly one of "env" or "file" (${what}); ${HOW}`);
    }
    const ref = record[keys[0]];
    if (typeof ref !== 'string' || ref.trim() === '') {
      return fail(
        `"${keys[0]}" must be a non-empty name or path (${what}); ${HOW}`,
      );
    }
    if (keys[0] === 'env') {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(ref)) {
        return fail(
          `"env" must be an environment variable name such as SAFEKEEP_AGENT_TOKEN`,
        );
      }
      return { field: fieldPath, env: ref };
    }
    return { field: fieldPath, file: context.resolvePath(ref) };
  });
}

/** Reads a secret. Errors name the variable or file, never the value. */
export function resolveSecret(ref: SecretRef): string {
  if ('env' in ref) {
    const value = process.env[ref.env];
    if (value === undefined || value === '') {
      throw new SecretError(
        `${ref.field}: environment variable ${ref.env} is not set; set it in the agent's environment (or point ${ref.field} at a file with { file: PATH })`,
      );
    }
    return value;
  }
  let text: string;
  try {
    text = fs.readFileSync(ref.file, 'utf8');
  } catch (error) {
    throw new SecretError(
      `${ref.field}: cannot read secret file ${ref.file} (${
        (error as NodeJS.ErrnoException).code ?? 'error'
      }); create it with the secret as its only content, readable by the agent's user`,
    );
  }
  const value = text.replace(/[\r\n]+$/, '');
  if (value === '')
    throw new SecretError(
      `${ref.field}: secret file ${ref.file} is empty; write the secret into it`,
    );
  return value;
}
