import { InputError } from '@backstage/errors';
import type { ZodType } from 'zod';

/** Validates request input with a zod schema; a failure is a 400 that names each bad field. */
export function parseInput<T>(
  schema: ZodType<T, any, any>,
  value: unknown,
  what: string,
): T {
  const result = schema.safeParse(value);
  if (!result.success) {
    const issues = result.error.issues
      .map(i => `${i.path.join('.') || what}: ${i.message}`)
      .join('; ');
    throw new InputError(`Invalid ${what}: ${issues}`);
  }
  return result.data;
}
