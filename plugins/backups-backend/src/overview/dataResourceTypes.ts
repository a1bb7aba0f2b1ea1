/**
 * `spec.type` values of catalog Resources that hold data worth backing up. An owned Resource
 * of one of these types without Safekeep annotations is listed as unprotected in the team
 * overview. Compared case-insensitively. Documented in docs/api.md.
 */
export const DATA_RESOURCE_TYPES = [
  'database',
  'bucket',
  'volume',
  'cache',
  'queue',
  'storage',
  'filesystem',
] as const;

export function isDataResourceType(type: unknown): boolean {
  return (
    typeof type === 'string' &&
    (DATA_RESOURCE_TYPES as readonly string[]).includes(
      type.trim().toLowerCase(),
    )
  );
}
