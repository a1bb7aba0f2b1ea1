import { redactSecrets } from './redactSecrets';

/**
 * A JSON value (a restore preview, a group preview) with redactSecrets applied to every string
 * in it: an agent's verify error or refusal quoted in the preview must not reach the database
 * or the API with a token or a password in it.
 */
export function redactDeep<T>(value: T, knownSecrets: string[]): T {
  if (typeof value === 'string')
    return redactSecrets(value, knownSecrets) as unknown as T;
  if (Array.isArray(value))
    return value.map(v => redactDeep(v, knownSecrets)) as unknown as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, redactDeep(v, knownSecrets)]),
    ) as T;
  }
  return value;
}
